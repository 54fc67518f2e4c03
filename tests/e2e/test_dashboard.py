"""The dashboard (/ui) driven in headless Chromium over a real local home: sign in and out, a wrong
key, filters, a failing step seen at its line, fixed on the Steps page and resumed, a rerun from a
run with edited data, a bulk resume, the Steps page (use, error rate, match tester, switch), cancel
and clone, connector calls in the timeline and the task list's live updates."""

import re
from collections.abc import Iterator

import pytest
from chromium import launch
from e2e_support import Server, Workspace
from playwright.sync_api import Browser, Page, expect, sync_playwright

import library_scenarios
from aloma_core.ui import queries
from fake_service import FakeService, json_reply
from lifecycle_scenarios import step_file

# A step whose line 7 throws until it is fixed, then completes the task with the total.
PRICE = """\
// Prices an order from its unit price.
export const condition = { order: { qty: Number, total: null } };

export const content = async () => {
  const unit = data.order.unit;
  if (unit === undefined) {
    throw new Error('no unit price for the order');
  }
  data.order.total = data.order.qty * unit;
};
"""
PRICE_FIXED = PRICE.replace("const unit = data.order.unit;", "const unit = data.order.unit ?? 10;")
FINISH = """\
export const condition = { order: { total: Number } };

export const content = async () => {
  task.complete({ total: data.order.total });
};
"""
PARK = """\
export const condition = { approval: String, asked: null };

export const content = async () => {
  data.asked = true;
  task.park(24 * 3600 * 1000);
};
"""
LOOKUP = """\
export const condition = { email: String, tier: null };

export const content = async () => {
  data.tier = (await connectors.crm.lookup({ email: data.email })).tier;
  try {
    await connectors.crm.flag({ email: data.email });
  } catch (error) {
    console.warn('not flagged:', error.message);
  }
};
"""
REJECT = """\
export const condition = { withdrawn: true };

export const content = async () => {
  task.ignore();
};
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def shop(server: Server) -> Workspace:
    ws = server.workspace("shop")
    ws.put_step("price order", PRICE)
    ws.put_step("finish order", FINISH)
    ws.put_step("drop withdrawn order", REJECT)
    return ws


def sign_in(page: Page, server: Server, ws: Workspace, path: str = "/ui") -> None:
    page.goto(server.url + path)
    page.get_by_label("Workspace key").fill(ws.key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who")).to_contain_text("shop")


def test_sign_in_then_sign_out(server: Server, page: Page) -> None:
    ws = shop(server)
    task_id = ws.new_task({"order": {"qty": 1, "unit": 3}}, name="order 1")
    ws.settle(task_id)
    page.goto(server.url + "/ui")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#main")).to_be_hidden()
    sign_in(page, server, ws)
    expect(page.locator("table.tasks")).to_contain_text("order 1")
    assert page.evaluate("sessionStorage.getItem('aloma.key')") == ws.key
    assert ws.key not in page.url
    assert not page.context.cookies()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('aloma.key')") is None
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#main")).to_be_hidden()


def test_a_wrong_key_is_refused(server: Server, page: Page) -> None:
    page.goto(server.url + "/ui")
    page.get_by_label("Workspace key").fill("alk_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-in-error")).to_contain_text("Key refused")
    expect(page.locator("#main")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('aloma.key')") is None
    # A key that stops working (kept from before) is refused by the fragments: back to sign-in.
    page.evaluate("sessionStorage.setItem('aloma.key', 'alk_revoked')")
    page.reload()
    expect(page.locator("#sign-in-error")).to_contain_text("Key refused")


def test_the_fragments_need_the_key_and_the_pages_carry_security_headers(server: Server) -> None:
    ws = shop(server)
    shell = ws.client.get("/ui", headers={"Authorization": ""})
    assert shell.status_code == 200
    assert "default-src 'self'" in shell.headers["content-security-policy"]
    assert shell.headers["x-frame-options"] == "DENY"
    anonymous = ws.client.get("/ui/f/tasks", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    fragment = ws.client.get("/ui/f/tasks")
    assert fragment.status_code == 200
    assert fragment.headers["cache-control"] == "no-store"


def test_a_filter_the_fragments_cannot_mean_is_refused_not_dropped(server: Server) -> None:
    ws = shop(server)
    ws.settle(ws.new_task({"withdrawn": True}, name="withdrawn order"))
    ignored = ws.client.get("/ui/f/tasks", params={"state": "ignored", "created_after": "2020-01-01T00:00"})
    assert ignored.status_code == 200
    assert "withdrawn order" in ignored.text
    assert "withdrawn order" not in ws.client.get("/ui/f/tasks", params={"state": "done"}).text

    bad_state = ws.client.get("/ui/f/bulk", params={"state": "finished"})
    bad_time = ws.client.get("/ui/f/counts", params={"created_before": "yesterday"})

    assert bad_state.status_code == 422
    assert "state: 'finished' is not one of running" in bad_state.json()["error"]["message"]
    assert bad_time.status_code == 422
    assert bad_time.json()["error"]["message"].startswith("created_before: 'yesterday' is not a date")


def test_an_error_in_a_library_is_shown_in_the_library_at_its_line(server: Server) -> None:
    ws = server.workspace("shop")
    ws.put_library("crm", library_scenarios.CRM)
    ws.put_library("text", library_scenarios.TEXT)
    ws.put_step("check id", library_scenarios.CHECK_ID)
    task_id = ws.new_task({"check": True, "customer": {"first": "Ada"}})
    assert ws.settle(task_id)["state"] == "error"

    head = ws.client.get(f"/ui/f/tasks/{task_id}").text
    story = ws.client.get(f"/ui/f/tasks/{task_id}/timeline").text

    assert f"line {library_scenarios.REQUIRE_ID_THROW_LINE} of lib/crm.js" in head
    assert "<summary>lib/crm.js</summary>" in story
    assert "check id.js</summary>" not in story
    highlighted = story.split('<span class="hll">', 1)[1].split("\n", 1)[0]
    assert '"customer has no id"' in highlighted


def test_filter_tasks(server: Server, page: Page) -> None:
    ws = shop(server)
    done = ws.new_task({"order": {"qty": 2, "unit": 4}}, name="paid order")
    ignored = ws.new_task({"withdrawn": True}, name="withdrawn order")
    ws.settle(done)
    ws.settle(ignored)
    sign_in(page, server, ws)
    rows = page.locator("table.tasks tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(".state-counts")).to_contain_text("ignored 1")
    page.get_by_label("State", exact=True).select_option("ignored")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("withdrawn order")
    page.get_by_label("State", exact=True).select_option("")
    page.get_by_label("Name", exact=True).fill("paid order")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("paid order")
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Search in data").fill('"unit":4')
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("paid order")


def test_an_error_is_shown_at_its_line_then_fixed_and_resumed(server: Server, page: Page) -> None:
    ws = shop(server)
    task_id = ws.new_task({"order": {"qty": 3}}, name="unpriced order")
    assert ws.settle(task_id)["state"] == "error"
    sign_in(page, server, ws)
    page.get_by_role("link", name=task_id[-10:]).click()
    expect(page.locator("#task-state")).to_have_text("error")
    expect(page.locator(".task-error")).to_contain_text("line 7")
    failing = page.locator(".ev-failed .source .hll")
    expect(failing).to_contain_text("throw new Error('no unit price for the order');")

    page.get_by_role("link", name="Steps").click()
    step = page.locator("article.step", has=page.get_by_role("heading", name="price order"))
    step.locator("summary", has_text="Source").click()
    step.get_by_label("Edit the step file").fill(PRICE_FIXED)
    step.get_by_role("button", name="Save as version 2").click()
    expect(step.locator(".meta")).to_contain_text("version 2")

    page.go_back()
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#task-state")).to_have_text("done")
    expect(page.locator(".result")).to_contain_text("30")
    expect(page.locator(".timeline")).to_contain_text("run of finish order")


def test_data_at_a_point_of_the_story(server: Server, page: Page) -> None:
    ws = shop(server)
    task_id = ws.new_task({"order": {"qty": 2, "unit": 5}}, name="priced order")
    ws.settle(task_id)
    sign_in(page, server, ws, f"/ui/tasks/{task_id}")
    first = page.locator(".ev-created")
    first.get_by_role("button", name="data here").click()
    expect(page.locator("#data-panel")).to_contain_text('"qty"')
    expect(page.locator("#data-panel")).not_to_contain_text('"total"')
    priced = page.locator(".ev-run", has_text="run of price order")
    expect(priced.locator(".diff")).to_contain_text("order.total")
    priced.get_by_role("button", name="data here").click()
    expect(page.locator("#data-panel")).to_contain_text('"total"')


def test_rerun_from_a_run_with_edited_data(server: Server, page: Page) -> None:
    ws = shop(server)
    task_id = ws.new_task({"order": {"qty": 2}}, name="order to rerun")
    assert ws.settle(task_id)["state"] == "error"
    sign_in(page, server, ws, f"/ui/tasks/{task_id}")
    run = page.locator(".ev-run", has_text="run of price order failed")
    run.get_by_role("button", name="rerun from here").click()
    editor = page.get_by_label("The data this run was dispatched with", exact=False)
    expect(editor).to_have_value('{\n  "order": {\n    "qty": 2\n  }\n}')
    editor.fill('{"order": {"qty": 7, ')
    expect(page.locator(".rerun .json-status")).not_to_have_text("valid JSON")
    expect(page.get_by_role("button", name="Rerun", exact=True)).to_be_disabled()
    editor.fill('{"order": {"qty": 7, "unit": 5}}')
    expect(page.locator(".rerun .json-status")).to_have_text("valid JSON")
    page.get_by_role("button", name="Rerun", exact=True).click()
    expect(page.locator("#task-state")).to_have_text("done")
    expect(page.locator(".result")).to_contain_text("35")
    expect(page.locator(".timeline")).to_contain_text("with edited data")
    assert ws.task(task_id)["result"] == {"total": 35}


def test_bulk_resume_of_the_error_tasks_of_a_step(server: Server, page: Page) -> None:
    ws = shop(server)
    failed = [ws.new_task({"order": {"qty": n}}, name=f"bulk {n}") for n in (1, 2, 3)]
    for task_id in failed:
        assert ws.settle(task_id)["state"] == "error"
    ws.put_step("price order", PRICE_FIXED)
    sign_in(page, server, ws, "/ui/bulk?state=error&step=price+order")
    expect(page.locator("#bulk-preview h2")).to_contain_text("3 tasks match")
    page.get_by_role("button", name="Resume all matching").click()
    expect(page.locator("#bulk-progress")).to_contain_text("3 changed, 0 skipped of 3 matched, done")
    for task_id in failed:
        assert ws.settle(task_id)["state"] == "done"
    expect(page.locator("#bulk-preview h2")).to_contain_text("0 tasks match")


def test_steps_page_use_error_rate_match_tester_and_switch(server: Server, page: Page) -> None:
    ws = shop(server)
    for data in ({"order": {"qty": 1, "unit": 2}}, {"order": {"qty": 1}}):
        ws.settle(ws.new_task(data))
    sign_in(page, server, ws, "/ui/steps")
    price = page.locator("article.step", has=page.get_by_role("heading", name="price order"))
    expect(price.locator(".usage")).to_contain_text(
        "ran on 2 tasks; 1 in error because of this step (50 %); 1 of its tasks in error"
    )
    expect(price.locator(".condition")).to_contain_text('"qty"')
    expect(price.locator(".source .nx").first).to_be_attached()
    finish = page.locator("article.step", has=page.get_by_role("heading", name="finish order"))
    expect(finish.locator(".usage")).to_contain_text(
        "ran on 1 tasks; 0 in error because of this step (0 %); 0 of its tasks in error"
    )

    tester = page.get_by_label("Task data (JSON object)")
    tester.fill('{"order": ')
    expect(page.get_by_role("button", name="Match", exact=True)).to_be_disabled()
    tester.fill('{"order": {"qty": 2}}')
    page.get_by_role("button", name="Match", exact=True).click()
    expect(page.locator("#match-result")).to_have_text("price order (version 1)")

    switch = page.locator("article.step", has=page.get_by_role("heading", name="drop withdrawn order"))
    switch.get_by_label("enabled").uncheck()
    expect(page.locator("#flash")).to_have_text("drop withdrawn order disabled")
    assert ws.client.get("/v1/steps/drop withdrawn order").json()["enabled"] is False
    tester.fill('{"withdrawn": true}')
    page.get_by_role("button", name="Match", exact=True).click()
    expect(page.locator("#match-result")).to_have_text("drop withdrawn order (version 2, disabled)")
    tester.fill('{"nothing": 1}')
    page.get_by_role("button", name="Match", exact=True).click()
    expect(page.locator("#match-result")).to_have_text("No step matches this data.")


def test_a_step_error_rate_counts_only_the_tasks_that_failed_in_that_step(server: Server) -> None:
    ws = server.workspace("shop")
    ws.put_step("mark", step_file("{n: Number, marked: null}", "data.marked = true;"))
    ws.put_step("check", step_file("{marked: true}", "if (data.n > 1) throw new Error('too big');"))
    for n in (1, 2):
        ws.settle(ws.new_task({"n": n}))

    html = ws.client.get("/ui/f/steps").text
    usage = {
        name: " ".join(re.sub(r"<[^>]+>", "", html.split(f'data-step="{name}"', 1)[1]).split())
        for name in ("mark", "check")
    }

    assert "ran on 2 tasks; 0 in error because of this step (0 %); 1 of its tasks in error" in usage["mark"]
    assert "ran on 2 tasks; 1 in error because of this step (50 %); 1 of its tasks in error" in usage["check"]


def test_the_error_rate_is_a_floor_when_too_many_error_tasks_to_read(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = server.workspace("shop")
    ws.put_step("check", step_file("{n: Number}", "throw new Error('broken');"))
    for n in (1, 2):
        ws.settle(ws.new_task({"n": n}))
    monkeypatch.setattr(queries, "FAILED_SCAN", 1)

    text = " ".join(re.sub(r"<[^>]+>", "", ws.client.get("/ui/f/steps").text).split())

    assert "ran on 2 tasks; 1+ in error because of this step (50 % at least); 2 of its tasks in error" in text


def test_cancel_a_waiting_task_then_clone_it(server: Server, page: Page) -> None:
    ws = server.workspace("shop")
    ws.put_step("ask approval", PARK)
    task_id = ws.new_task({"approval": "refund"}, name="needs approval")
    assert ws.settle(task_id)["state"] == "waiting"
    sign_in(page, server, ws, f"/ui/tasks/{task_id}")
    expect(page.locator(".timeline")).to_contain_text("parked by ask approval")
    expect(page.get_by_role("button", name="Resume")).to_have_count(0)
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#task-state")).to_have_text("cancelled")
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    assert ws.task(task_id)["state"] == "cancelled"

    page.get_by_role("button", name="Clone into a new task").click()
    expect(page).not_to_have_url(f"{server.url}/ui/tasks/{task_id}")
    clone_id = page.url.rsplit("/", 1)[1]
    # The clone starts from the data as the source left it, which no step matches any more.
    expect(page.locator(".ev-created")).to_contain_text(f"a clone of {task_id}")
    expect(page.locator("#task-state")).to_have_text("incomplete")
    assert ws.task(clone_id)["name"] == "needs approval"
    assert ws.events(clone_id)[0]["cloned_from"] == task_id


def test_connector_calls_in_the_timeline_and_live_task_list(server: Server, page: Page) -> None:
    service = FakeService().start()
    try:
        service.route("POST", "/lookup", json_reply({"tier": "gold"}))
        service.route("POST", "/flag", json_reply({"message": "already flagged"}, 409))
        ws = server.workspace("shop")
        answer = ws.client.put("/v1/connectors/crm", json={"type": "remote", "config": {"url": service.url}})
        assert answer.status_code == 200, answer.text
        ws.put_step("look up tier", LOOKUP)
        sign_in(page, server, ws)
        expect(page.locator("table.tasks")).to_contain_text("No task matches.")
        task_id = ws.new_task({"email": "ada@example.com"}, name="new signup")
        ws.settle(task_id)
        row = page.locator("table.tasks tbody tr", has_text="new signup")
        expect(row).to_contain_text("incomplete")
        expect(page.locator(".state-counts")).to_contain_text("incomplete 1")
        row.get_by_role("link", name=task_id[-10:]).click()
    finally:
        service.stop()
    calls = page.locator(".ev-run table.calls tbody tr")
    expect(calls).to_have_count(2)
    expect(calls.first).to_contain_text("crm.lookup")
    expect(calls.first).to_contain_text("ok")
    expect(calls.last).to_contain_text("failed: connectors.crm.flag: HTTP 409: already flagged")
    expect(calls.first.locator("td.num")).to_contain_text(" ms")
    expect(page.locator(".ev-run .logs")).to_contain_text("not flagged")
