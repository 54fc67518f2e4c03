"""`aloma deploy`, `aloma pull` and `aloma step test` as a user runs them: the CLI in a subprocess,
against a real local server (step test needs none)."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from e2e_support import Server, Workspace

ALOMA_EXAMPLE = Path(__file__).parent / "aloma_deploy"
VALIDATE = """export const condition = { customer: { email: String, validated: null } };
export const content = async () => {
  data.customer.validated = data.customer.email.includes('@');
};
"""
ADD = """export const condition = { customer: { validated: true, crmId: null } };
export const content = async () => {
  const contact = await connectors.crm.createContact({ email: data.customer.email, name: 'x' });
  data.customer.crmId = contact.id;
  task.complete({ crmId: contact.id });
};
"""
BROKEN = """export const condition = { a: String };
export const content = async () => {
  data.a = ;
};
"""
WORKSPACE = """version: 1
steps: steps
secrets: [CRM_TOKEN]
connectors:
  crm:
    type: remote
    config: {url: "${CRM_URL}", secret: CRM_TOKEN}
webhooks:
  signup:
    keep_headers: [X-Source]
schedules:
  nightly: {cron: "0 3 * * *", timezone: Europe/Berlin, data: {report: sales}}
settings:
  egress_allow: ["127.0.0.1", "::1"]
  limits: {cpu_time_ms: 2000}
seed_tasks:
  first customer:
    name: onboarding
    data: {customer: {email: "ada@example.com"}}
"""

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def workspace(server: Server) -> Workspace:
    return server.workspace("deploy")


@pytest.fixture
def aloma(server: Server, workspace: Workspace, tmp_path: Path) -> Run:
    """The CLI in `tmp_path`, with the workspace's key and CRM_URL pointing at the stand-in CRM."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALOMA_")}
        env |= {"ALOMA_URL": server.url, "ALOMA_API_KEY": workspace.key, "COLUMNS": "200"}
        env["CRM_URL"] = f"{server.url}/examples/crm"
        return subprocess.run(
            [sys.executable, "-m", "aloma_core.cli.main", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def project(root: Path, **steps: str) -> Path:
    (root / "steps").mkdir(exist_ok=True)
    for name, source in steps.items():
        (root / "steps" / f"{name.replace('_', ' ')}.js").write_text(source)
    (root / "workspace.yaml").write_text(WORKSPACE)
    return root / "workspace.yaml"


def get(workspace: Workspace, path: str) -> Any:
    answer = workspace.client.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_workspace_applied_changed_diffed_reapplied_pruned_and_pulled(
    aloma: Run, workspace: Workspace, tmp_path: Path
) -> None:
    file = project(tmp_path, validate_email=VALIDATE, add_contact=ADD)

    missing = aloma("deploy")
    assert missing.returncode == 1
    assert "lacks 1 secret(s) the deploy file needs: CRM_TOKEN" in missing.stderr
    assert "nothing was changed" in missing.stderr
    assert get(workspace, "/v1/steps")["steps"] == []

    workspace.put_secret("CRM_TOKEN", "dev-crm-token")
    first = ok(aloma("deploy"))
    assert "created step validate email" in first and "created connector crm" in first
    assert "webhook signup: POST JSON to http" in first
    assert "Applied 7 changes." in first
    (seeded,) = workspace.list_tasks()
    assert workspace.settle(seeded["id"])["state"] == "done"

    again = ok(aloma("deploy"))
    assert "No changes: the workspace already matches workspace.yaml." in again
    assert len(workspace.list_tasks()) == 1

    (tmp_path / "steps" / "validate email.js").write_text(VALIDATE.replace("'@'", "'@example'"))
    file.write_text(
        WORKSPACE.replace("report: sales", "report: costs").replace(
            "webhooks:\n  signup:\n    keep_headers: [X-Source]\n", "webhooks: {}\n"
        )
    )
    dry = ok(aloma("deploy", "--dry-run"))
    assert (
        "~ validate email" in dry
        and "+  data.customer.validated = data.customer.email.includes('@example');" in dry
    )
    assert 'data.report: "sales" -> "costs"' in dry
    assert "? signup (not in the file: --prune would delete it)" in dry
    assert "Dry run: nothing was changed." in dry
    assert get(workspace, "/v1/steps/validate email")["version"] == 1
    plan = json.loads(ok(aloma("deploy", "--dry-run", "--json")))["plan"]
    assert plan["changes"] == 2

    applied = ok(aloma("deploy"))
    assert "changed step validate email" in applied and "changed schedule nightly" in applied
    assert [w["name"] for w in get(workspace, "/v1/webhooks")["webhooks"]] == ["signup"]
    pruned = ok(aloma("deploy", "--prune"))
    assert "deleted webhook signup" in pruned
    assert get(workspace, "/v1/webhooks")["webhooks"] == []
    assert "No changes" in ok(aloma("deploy", "--prune"))

    pulled = ok(aloma("pull", "copy/workspace.yaml"))
    assert "pulled into copy/workspace.yaml" in pulled
    assert (tmp_path / "copy" / "steps" / "add contact.js").read_text() == ADD
    assert "No changes: the workspace already matches copy/workspace.yaml." in ok(
        aloma("deploy", "copy/workspace.yaml", "--prune")
    )


def test_a_failure_part_way_reports_what_was_applied_and_what_was_not(
    aloma: Run, workspace: Workspace, tmp_path: Path
) -> None:
    project(tmp_path, a_good=VALIDATE, b_broken=BROKEN)
    workspace.put_secret("CRM_TOKEN", "dev-crm-token")

    failed = aloma("deploy")

    assert failed.returncode == 1
    assert "created step a good" in failed.stdout
    assert "FAILED create step b broken: line 3" in failed.stdout
    assert (
        "not applied: create webhook signup, create schedule nightly, create seed first customer"
        in failed.stdout
    )
    assert "the deploy stopped part way at step b broken" in failed.stderr
    assert get(workspace, "/v1/schedules")["schedules"] == []

    (tmp_path / "steps" / "b broken.js").write_text(VALIDATE.replace("customer", "client"))
    finished = ok(aloma("deploy"))
    assert "created step b broken" in finished and "created schedule nightly" in finished
    assert "a good" not in finished.split("Plan:")[1]


def test_an_aloma_deploy_yaml_is_accepted_as_it_is(
    aloma: Run, server: Server, workspace: Workspace, tmp_path: Path
) -> None:
    shutil.copytree(ALOMA_EXAMPLE, tmp_path / "waitlist")
    workspace.put_secret("CRM_TOKEN", "dev-crm-token")
    workspace.put_secret("SLACK_CHANNEL", "C123")
    answer = workspace.client.patch(
        "/v1/workspace", json={"settings": {"egress_allow": ["127.0.0.1", "::1"]}}
    )
    assert answer.status_code == 200, answer.text

    first = ok(aloma("deploy", "waitlist/deploy.yaml"))

    assert "created library text" in first
    assert "created step Post to slack when new contact" in first
    assert "created webhook Webform" in first and "created seed test waitlist" in first
    (task,) = workspace.list_tasks()
    done = workspace.settle(task["id"])
    assert done["state"] == "done", done
    assert done["data"]["signup"]["email"] == "ada@example.com"
    assert any(c.get("email") == "ada@example.com" for c in server.examples.contacts.values())
    assert "No changes" in ok(aloma("deploy", "waitlist/deploy.yaml"))

    ok(aloma("pull", "pulled/workspace.yaml"))
    assert (tmp_path / "pulled" / "steps" / "lib" / "text.js").read_text() == (
        ALOMA_EXAMPLE / "lib" / "text.js"
    ).read_text()
    assert "No changes" in ok(aloma("deploy", "pulled/workspace.yaml", "--prune"))


def test_an_aloma_catalog_connector_must_be_configured_by_hand_first(
    aloma: Run, workspace: Workspace, tmp_path: Path
) -> None:
    """ALOMA's examples name catalog connectors alone (`connectorName: "github.com"`): the file is
    accepted as it is, and the deploy waits until the namespace ALOMA's steps use is configured."""
    shutil.copytree(ALOMA_EXAMPLE, tmp_path / "waitlist")
    file = tmp_path / "waitlist" / "deploy.yaml"
    catalog = '      - connectorName: "github.com"\n        config:\n          apiToken: "********"\n'
    file.write_text(file.read_text().replace("    connectors:\n", "    connectors:\n" + catalog))
    workspace.put_secret("CRM_TOKEN", "dev-crm-token")
    workspace.put_secret("SLACK_CHANNEL", "C123")

    waiting = aloma("deploy", "waitlist/deploy.yaml")

    assert waiting.returncode == 1
    assert "lacks 1 connector(s) the deploy file expects to be configured: githubCom" in waiting.stderr
    assert get(workspace, "/v1/steps")["steps"] == []

    github = {"url": "https://api.github.example/aloma"}
    ok(aloma("connector", "set", "githubCom", "--type", "remote", "--config", json.dumps(github)))
    assert "created step Post to slack when new contact" in ok(aloma("deploy", "waitlist/deploy.yaml"))
    assert "No changes" in ok(aloma("deploy", "waitlist/deploy.yaml", "--prune"))
    assert get(workspace, "/v1/connectors/githubCom")["config"] == github


STEP_FILE = """export const condition = { customer: { email: String, crmId: null } };
export const content = async () => {
  console.log('adding', data.customer.email);
  const contact = await connectors.crm.createContact({ email: data.customer.email });
  data.customer.crmId = contact.id;
};
"""


def test_step_test_runs_a_step_locally_with_a_mock_and_refuses_an_unmocked_call(
    aloma: Run, tmp_path: Path
) -> None:
    (tmp_path / "add contact.js").write_text(STEP_FILE)
    (tmp_path / "crm.json").write_text('{"createContact": {"returns": {"id": "c-1"}}}')
    (tmp_path / "data.json").write_text('{"customer": {"email": "ada@example.com"}}')

    passing = ok(
        aloma("step", "test", "add contact.js", "--data", "@data.json", "--connector-mock", "crm=crm.json")
    )
    unmocked = aloma(
        "step", "test", "add contact.js", "-d", '{"customer": {"email": "ada@example.com"}}', "--json"
    )
    unmatched = ok(aloma("step", "test", "add contact.js", "-d", '{"customer": {}}'))

    assert "condition: matches" in passing and '+ customer.crmId = "c-1"' in passing
    assert "[log] adding ada@example.com" in passing
    assert 'crm.createContact({"email": "ada@example.com"}) -> {"id": "c-1"} [mocked]' in passing
    assert unmocked.returncode == 1
    report = json.loads(unmocked.stdout)
    assert (
        report["error"]["line"] == 4
        and "connectors.crm.createContact is not mocked" in report["error"]["message"]
    )
    assert report["calls"][0]["mocked"] is False
    assert "does not match" in unmatched and "not met: customer.email" in unmatched


def test_step_test_of_a_failing_step_exits_1_with_the_line(aloma: Run, tmp_path: Path) -> None:
    (tmp_path / "count.js").write_text(
        "export const condition = { order: Object };\nexport const content = async () => {\n"
        "  data.count = data.order.items.length;\n};\n"
    )
    (tmp_path / "broken.js").write_text(BROKEN)

    threw = aloma("step", "test", "count.js", "-d", '{"order": {}}')
    refused = aloma("step", "test", "broken.js", "-d", '{"a": "x"}')

    assert threw.returncode == 1 and "error at line 3: TypeError" in threw.stdout
    assert refused.returncode == 1 and "refused at upload" in refused.stdout and "line 3" in refused.stdout
