"""The `aloma` CLI as a user runs it: a subprocess talking HTTP to the real app on a local home."""

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_support import Server, free_port

VALIDATE = """export const condition = { customer: { email: String, validated: null } };
export const content = async () => {
  console.log('checking', data.customer.email);
  data.customer.validated = data.customer.email.includes('@');
};
"""
FINISH = """// trailing commas and comments are fine
export const condition = { customer: { validated: true, }, };
export const content = async () => {
  task.complete({ ok: true });
};
"""
BROKEN = """export const condition = { a: String };
export const content = async () => {
  data.a = ;
};
"""


@dataclass
class Cli:
    """`python -m aloma_core.cli.main` in `cwd` with exactly the ALOMA_* variables given (None: unset);
    `admin_token` is ALOMA_ADMIN_TOKEN."""

    url: str | None
    key: str | None
    cwd: Path
    admin_token: str | None = None

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALOMA_")} | {"COLUMNS": "200"}
        if self.url is not None:
            env["ALOMA_URL"] = self.url
        if self.key is not None:
            env["ALOMA_API_KEY"] = self.key
        if self.admin_token is not None:
            env["ALOMA_ADMIN_TOKEN"] = self.admin_token
        return subprocess.run(
            [sys.executable, "-m", "aloma_core.cli.main", *args],
            cwd=self.cwd,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def cli(server: Server, tmp_path: Path) -> Cli:
    """The CLI with the key of a fresh workspace, run in an empty directory."""
    with server.admin() as admin:
        created = admin.post("/v1/workspaces", json={"name": "cli"})
    assert created.status_code == 201, created.text
    return Cli(server.url, created.json()["api_key"], tmp_path)


def write_steps(directory: Path, **files: str) -> Path:
    directory.mkdir(exist_ok=True)
    for name, source in files.items():
        (directory / f"{name.replace('_', ' ')}.js").write_text(source, encoding="utf-8")
    return directory


def test_sync_reports_each_file_and_a_refused_one_fails_the_command(cli: Cli) -> None:
    steps = write_steps(cli.cwd / "steps", validate_email=VALIDATE, finish=FINISH, broken=BROKEN)

    first = cli("step", "sync", "steps")

    assert first.returncode == 1
    assert "created   finish (v1)" in first.stdout
    assert "created   validate email (v1)" in first.stdout
    refusal = error_line(first)
    assert refusal.startswith("error: broken.js: line 3")
    assert refusal.endswith("(invalid_step)")
    assert sorted(s["name"] for s in cli.json("step", "list")["steps"]) == ["finish", "validate email"]

    (steps / "broken.js").write_text(
        "export const condition = { a: String };\nexport const content = async () => {};\n"
    )
    (steps / "finish.js").write_text(FINISH.replace("{ ok: true }", "{ ok: 1 }"))
    second = cli.ok("step", "sync", "steps")

    assert "created   broken (v1)" in second
    assert "updated   finish (v2)" in second
    assert "unchanged validate email (v1)" in second
    assert "3 steps: 1 created, 1 updated, 1 unchanged" in second


def test_pull_writes_the_files_that_sync_uploaded_byte_for_byte(cli: Cli) -> None:
    write_steps(cli.cwd / "steps", validate_email=VALIDATE, finish=FINISH)
    cli.ok("step", "sync", "steps")

    pulled = cli.ok("step", "pull", "copy")

    assert "written   validate email (v1)" in pulled
    for name in ["validate email.js", "finish.js"]:
        assert (cli.cwd / "copy" / name).read_bytes() == (cli.cwd / "steps" / name).read_bytes()
    assert "2 steps: 2 unchanged" in cli.ok("step", "sync", "copy")
    assert "2 steps: 2 unchanged" in cli.ok("step", "pull", "copy")


def test_prune_deletes_steps_without_a_file(cli: Cli) -> None:
    steps = write_steps(cli.cwd / "steps", validate_email=VALIDATE, finish=FINISH)
    cli.ok("step", "sync", "steps")
    (steps / "finish.js").unlink()

    assert "deleted   finish" not in cli.ok("step", "sync", "steps")
    assert "deleted   finish" in cli.ok("step", "sync", "steps", "--prune")
    assert [s["name"] for s in cli.json("step", "list")["steps"]] == ["validate email"]


def test_step_list_and_show(cli: Cli) -> None:
    write_steps(cli.cwd / "steps", validate_email=VALIDATE)
    cli.ok("step", "sync", "steps")

    listing = cli.ok("step", "list")
    shown = cli.ok("step", "show", "validate email")
    as_json = cli.json("step", "show", "validate email")

    assert "validate email" in listing
    assert '"validated":null' in listing
    assert "data.customer.validated = data.customer.email.includes('@');" in shown
    assert as_json["source"] == VALIDATE


def test_a_task_from_new_to_done_with_its_timeline(cli: Cli, server: Server) -> None:
    write_steps(cli.cwd / "steps", validate_email=VALIDATE, finish=FINISH)
    cli.ok("step", "sync", "steps")

    task_id = cli.ok("task", "new", "signup", "-d", '{"customer": {"email": "ada@example.com"}}').strip()
    assert server.home.wait_idle(30)

    task = cli.json("task", "show", task_id)
    assert task["state"] == "done"
    assert task["result"] == {"ok": True}
    shown = cli.ok("task", "show", task_id)
    assert "done" in shown
    assert '"validated": true' in shown

    timeline = cli.ok("task", "log", task_id)
    assert "created" in timeline
    assert "validate email" in timeline
    assert "v1 ok in" in timeline
    assert "set customer.validated" not in timeline
    detailed = cli.ok("task", "log", task_id, "--changes", "--logs")
    assert "set customer.validated = true" in detailed
    assert "[log] checking ada@example.com" in detailed
    events = cli.json("task", "log", task_id)["events"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)


def test_task_new_from_a_file_and_list_with_state_and_limit(cli: Cli, server: Server) -> None:
    (cli.cwd / "data.json").write_text('{"nothing": "matches this"}')
    first = cli.ok("task", "new", "-f", "data.json").strip()
    second = cli.ok("task", "new", "-f", "-", stdin='{"still": "nothing"}').strip()
    assert server.home.wait_idle(30)

    everything = cli.json("task", "list")
    newest = cli.json("task", "list", "--limit", "1")
    incomplete = cli.ok("task", "list", "--state", "incomplete")

    assert [t["id"] for t in everything["tasks"]] == [second, first]
    assert [t["id"] for t in newest["tasks"]] == [second]
    assert newest["next"]
    assert first in incomplete
    assert cli.json("task", "list", "--state", "done") == {"tasks": [], "next": None}


def test_cancel_ends_a_parked_task_and_a_second_cancel_is_refused(cli: Cli, server: Server) -> None:
    write_steps(
        cli.cwd / "steps",
        hold="export const condition = {hold: true};\nexport const content = async () => task.park(36e5);",
    )
    cli.ok("step", "sync", "steps")
    task_id = cli.ok("task", "new", "-d", '{"hold": true}').strip()
    assert server.home.wait_idle(30)
    assert task_id in cli.ok("task", "list", "--state", "waiting")
    shown = cli.ok("task", "show", task_id)
    assert "parked until" in shown

    assert f"task {task_id} cancelled" in cli.ok("task", "cancel", task_id)
    assert cli.json("task", "show", task_id)["state"] == "cancelled"
    refused = cli("task", "cancel", task_id)
    assert refused.returncode == 1
    assert "already cancelled" in refused.stderr
    timeline = cli.ok("task", "log", task_id)
    assert "parked until" in timeline and "cancelled (was waiting)" in timeline


def test_resume_rematches_an_incomplete_task(cli: Cli, server: Server) -> None:
    task_id = cli.ok("task", "new", "-d", '{"customer": {"email": "ada@example.com"}}').strip()
    assert server.home.wait_idle(30)
    assert cli.json("task", "show", task_id)["state"] == "incomplete"
    write_steps(cli.cwd / "steps", validate_email=VALIDATE, finish=FINISH)
    cli.ok("step", "sync", "steps")

    resumed = cli.ok("task", "resume", task_id)
    assert server.home.wait_idle(30)

    assert f"task {task_id} resumed" in resumed
    assert cli.json("task", "show", task_id)["state"] == "done"
    assert "resumed from incomplete" in cli.ok("task", "log", task_id)


def test_secret_values_are_never_printed(cli: Cli) -> None:
    set_out = cli("secret", "set", "CRM_TOKEN", "s3cr3t-value")
    from_stdin = cli("secret", "set", "SLACK_URL", "-", stdin="https://hooks.example/xyz\n")

    listing = cli.ok("secret", "list")
    as_json = cli.json("secret", "list")

    for result in (set_out, from_stdin):
        assert result.returncode == 0, result.stderr
        assert "s3cr3t" not in result.stdout + result.stderr
        assert "hooks.example" not in result.stdout + result.stderr
    assert "CRM_TOKEN" in listing
    assert "s3cr3t" not in listing
    assert as_json == {"secrets": ["CRM_TOKEN", "SLACK_URL"]}


def test_server_errors_exit_1_with_one_line(cli: Cli) -> None:
    unknown = cli("task", "show", "no-such-task")
    connector = cli(
        "connector", "set", "crm", "--type", "carrier-pigeon", "--config", '{"url": "https://crm.example"}'
    )
    wrong_key = Cli(cli.url, "alk_wrong", cli.cwd)("step", "list")

    assert unknown.returncode == 1
    assert error_line(unknown).endswith("(not_found)")
    assert connector.returncode == 1
    assert "unknown connector type 'carrier-pigeon'" in error_line(connector)
    assert wrong_key.returncode == 1
    assert error_line(wrong_key).endswith("(unauthorized)")
    for result in (unknown, connector, wrong_key):
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_an_unreachable_server_exits_1_saying_where(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    result = Cli(url, "any", tmp_path)("task", "list")

    assert result.returncode == 1
    assert f"cannot reach the aloma server at {url}" in error_line(result)


def test_usage_errors_exit_2(cli: Cli) -> None:
    bad_json = cli("task", "new", "-d", "{oops")
    no_key = Cli(cli.url, None, cli.cwd)("task", "list")
    bad_state = cli("task", "list", "--state", "finished")

    assert bad_json.returncode == 2
    assert "not valid JSON" in error_line(bad_json)
    assert no_key.returncode == 2
    assert "ALOMA_API_KEY" in error_line(no_key)
    assert bad_state.returncode == 2


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """`aloma dev steps` running in tmp_path; yields that directory and the server's URL."""
    write_steps(tmp_path / "steps", validate_email=VALIDATE)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALOMA_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "aloma_core.cli.main", "dev", "steps", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _healthy(url):
            assert process.poll() is None, "aloma dev exited"
            assert time.monotonic() < deadline, "aloma dev did not start"
            time.sleep(0.1)
        yield tmp_path, url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/v1/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_in_the_dev_directory_the_cli_needs_no_key(dev_server: tuple[Path, str]) -> None:
    directory, url = dev_server
    cli = Cli(url=None, key=None, cwd=directory)

    deadline = time.monotonic() + 30
    while not (names := [step["name"] for step in cli.json("step", "list")["steps"]]):
        assert time.monotonic() < deadline, "aloma dev did not sync the step directory"
        time.sleep(0.2)

    assert names == ["validate email"]
    assert json.loads((directory / ".aloma" / "dev.json").read_text())["url"] == url
    lines = [json.loads(line) for line in cli.ok("logs", "--since", "5m", "--json").splitlines()]
    assert any("validate email" in line["message"] for line in lines), lines


def test_webhook_add_prints_a_url_that_takes_signed_deliveries(cli: Cli) -> None:
    cli.ok("secret", "set", "GH_SECRET", "-", stdin="gh-key\n")

    added = cli.ok(
        "webhook", "add", "github", "--signing-secret", "GH_SECRET", "--scheme", "github",
        "--keep-header", "X-GitHub-Event", "--rate-limit", "100",
    )  # fmt: skip
    url = next(line for line in added.splitlines() if line.startswith("http"))
    body = b'{"ref": "main"}'
    signature = "sha256=" + hmac.new(b"gh-key", body, hashlib.sha256).hexdigest()
    delivered = httpx.post(
        url, content=body, headers={"X-Hub-Signature-256": signature, "X-GitHub-Event": "push"}
    )
    listed = cli.ok("webhook", "list")
    as_json = cli.json("webhook", "list")

    assert url.startswith(f"{cli.url}/v1/hooks/whk_")
    assert "not shown again" in added
    assert delivered.status_code == 202, delivered.text
    task = cli.json("task", "show", delivered.json()["task_id"])
    assert task["data"]["$via"]["headers"] == {"X-GitHub-Event": "push"}
    assert "github (GH_SECRET)" in listed
    assert url.rsplit("/", 1)[1] not in listed + json.dumps(as_json)
    assert as_json["webhooks"][0]["rate_limit_per_minute"] == 100
    assert cli.ok("webhook", "delete", "github") == "webhook github deleted\n"
    assert httpx.post(url, content=body, headers={"X-Hub-Signature-256": signature}).status_code == 404


def test_connector_set_keeps_a_literal_secret_out_of_every_output(cli: Cli) -> None:
    config = json.dumps({"base_url": "https://api.example.com", "auth": "bearer", "token": "tok-s3cr3t"})

    set_out = cli("connector", "set", "api", "--type", "http", "--config", config)
    listed = cli.ok("connector", "list")
    as_json = cli.json("connector", "list")
    secrets = cli.json("secret", "list")

    assert set_out.returncode == 0, set_out.stderr
    assert "connector api set" in set_out.stdout
    assert as_json["connectors"][0]["config"]["token"] == {"secret": "connector.api.token"}
    assert secrets == {"secrets": ["connector.api.token"]}
    for text in (set_out.stdout, set_out.stderr, listed, json.dumps(as_json)):
        assert "tok-s3cr3t" not in text
    assert cli.ok("connector", "delete", "api") == "connector api deleted\n"
    assert cli.json("secret", "list") == {"secrets": []}
