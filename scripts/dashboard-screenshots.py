"""docs/screenshots/*.png: each page of the dashboard over a local home filled with example tasks.

`make screenshots` runs it. The home is the real one (SQLite, worker processes, the onboarding
example with its stand-in CRM and Slack), filled with customers to onboard and orders to price, a
few of which fail on a missing unit price. Chromium is Debian's, as in the browser tests.
"""

import json
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from aloma_core.api import create_app
from aloma_core.cli.client import ApiClient
from aloma_core.home.devsetup import apply_setup, load_setup
from aloma_core.home.example_services import ExampleServices
from aloma_core.home.local import LocalHome
from aloma_core.home.serving import serving
from aloma_core.json_types import JsonObject

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from chromium import launch  # noqa: E402

OUTPUT = ROOT / "docs" / "screenshots"
EXAMPLE = ROOT / "examples" / "onboarding"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}

PRICE = """\
// Prices an order from its unit price and quantity.
export const condition = { order: { qty: Number, total: null } };

export const content = async () => {
  const unit = data.order.unit;
  if (unit === undefined) {
    throw new Error(`no unit price for ${data.order.sku}`);
  }
  data.order.total = Math.round(data.order.qty * unit * 100) / 100;
  console.log('priced', data.order.sku, data.order.total);
};
"""
APPROVE = """\
// Large orders wait for a person to approve them (PATCH approved: true wakes the task).
export const condition = { order: { total: Number }, approved: null };

export const content = async () => {
  if (data.order.total < 1000) {
    data.approved = 'auto';
    return;
  }
  audit.log(`order ${data.order.sku} of ${data.order.total} needs approval`);
  step.redo();
  task.park(48 * 3600 * 1000);
};
"""
FINISH = """\
// A priced and approved order is done.
export const condition = { order: { total: Number }, approved: String };

export const content = async () => {
  task.complete({ sku: data.order.sku, total: data.order.total });
};
"""

CUSTOMERS = [
    ("Ada Lovelace", " Ada@Example.com "),
    ("Grace Hopper", "grace@navy.example"),
    ("Alan Turing", "alan@bletchley.example"),
    ("Katherine Johnson", "katherine@nasa.example"),
    ("Edsger Dijkstra", "not an email"),
    ("Barbara Liskov", "barbara@mit.example"),
]
ORDERS: list[JsonObject] = [
    {"sku": "KB-101", "qty": 2, "unit": 49.5},
    {"sku": "MN-270", "qty": 1},
    {"sku": "CH-330", "qty": 4, "unit": 129},
    {"sku": "DK-440", "qty": 3, "unit": 410},
    {"sku": "LP-512", "qty": 2},
    {"sku": "HD-008", "qty": 10, "unit": 8.25},
    {"sku": "MS-019", "qty": 1},
]


def fill(home: LocalHome, url: str) -> tuple[str, dict[str, str]]:
    """The workspace key and the ids of the tasks the pages show."""
    workspace, key = home.platform.create_workspace("acme")
    with ApiClient(url, key) as client:
        apply_setup(client, load_setup(EXAMPLE, url), {})
    platform = home.platform
    for path in sorted(EXAMPLE.glob("*.js")):
        platform.put_step(workspace, path.stem, source=path.read_text())
    for name, source in (("price order", PRICE), ("approve order", APPROVE), ("finish order", FINISH)):
        platform.put_step(workspace, name, source=source)
    ids: dict[str, str] = {}
    for name, email in CUSTOMERS:
        customer: JsonObject = {"customer": {"name": name, "email": email}}
        task = platform.create_task(workspace, f"onboard {name}", customer)
        ids.setdefault("customer", task.id)
    for order in ORDERS:
        task = platform.create_task(workspace, f"order {order['sku']}", {"order": order})
        if "unit" not in order:
            ids.setdefault("error", task.id)
    if not home.wait_idle(120):
        raise RuntimeError("the home did not settle the example tasks")
    return key, ids


def shoot(page: Page, name: str) -> None:
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")


def sign_in(page: Page, url: str, key: str) -> None:
    page.goto(f"{url}/ui")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Workspace key").fill(key)
    shoot(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who")).to_contain_text("acme")


def tasks(page: Page) -> None:
    expect(page.locator("table.tasks tbody tr")).to_have_count(len(CUSTOMERS) + len(ORDERS))
    expect(page.locator(".state-counts")).to_contain_text("error 3")
    shoot(page, "tasks")


def task_error(page: Page, url: str, task_id: str) -> None:
    page.goto(f"{url}/ui/tasks/{task_id}")
    expect(page.locator(".ev-failed .source .hll")).to_contain_text("throw new Error")
    shoot(page, "task-error")


def rerun_editor(page: Page) -> None:
    page.locator(".ev-failed").get_by_role("button", name="rerun from here").click()
    editor = page.get_by_label("The data this run was dispatched with", exact=False)
    expect(editor).to_contain_text('"sku"')
    order = json.loads(editor.input_value())
    order["order"]["unit"] = 219.0
    editor.fill(json.dumps(order, indent=2))
    expect(page.locator(".rerun .json-status")).to_have_text("valid JSON")
    shoot(page, "rerun-editor")


def data_at_a_point(page: Page, url: str, task_id: str) -> None:
    page.goto(f"{url}/ui/tasks/{task_id}")
    crm = page.locator(".ev-run", has_text="run of add to crm")
    expect(crm.locator("table.calls")).to_contain_text("crm.createContact")
    crm.get_by_role("button", name="data here").click()
    expect(page.locator("#data-panel")).to_contain_text('"crm_id"')
    crm.evaluate("run => run.scrollIntoView({ block: 'center' })")
    shoot(page, "task-data")


def steps(page: Page, url: str) -> None:
    """Two views of the Steps page: the match tester at its top, then one step's card."""
    page.goto(f"{url}/ui/steps")
    expect(page.locator("article.step")).to_have_count(8)
    tester = page.get_by_label("Task data (JSON object)")
    tester.fill('{"customer": {"email": "ada@example.com", "validated": true}}')
    page.get_by_role("button", name="Match", exact=True).click()
    expect(page.locator("#match-result li")).to_have_count(2)
    shoot(page, "steps-match")
    price = page.locator("article.step", has=page.get_by_role("heading", name="price order"))
    expect(price.locator(".usage")).to_contain_text("3 in error")
    price.locator("summary", has_text="Source").click()
    price.evaluate("card => card.scrollIntoView({ block: 'start' })")
    shoot(page, "steps")


def bulk(page: Page, url: str) -> None:
    page.goto(f"{url}/ui/bulk?state=error&step=price+order")
    expect(page.locator("#bulk-preview h2")).to_contain_text("3 tasks match")
    shoot(page, "bulk")


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as state:
        home = LocalHome(Path(state), workers=2)
        try:
            app = create_app(home.platform, admin_token=None)
            app.include_router(ExampleServices().router)
            with serving(app, "127.0.0.1", 0) as port, sync_playwright() as playwright:
                url = f"http://127.0.0.1:{port}"
                key, ids = fill(home, url)
                browser = launch(playwright)
                page = browser.new_context(viewport=VIEWPORT).new_page()
                page.set_default_timeout(30_000)
                sign_in(page, url, key)
                tasks(page)
                task_error(page, url, ids["error"])
                rerun_editor(page)
                data_at_a_point(page, url, ids["customer"])
                steps(page, url)
                bulk(page, url)
                browser.close()
        finally:
            home.close()


if __name__ == "__main__":
    main()
