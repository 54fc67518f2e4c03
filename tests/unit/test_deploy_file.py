"""Reading deploy files: our shape, ALOMA's deploy.yaml, `${ENV}` substitution, refused keys."""

from pathlib import Path

import pytest

from aloma_core.cli.deploy.alomashape import aloma_namespace
from aloma_core.cli.deploy.envsub import substitute
from aloma_core.cli.deploy.fields import DeployFileError
from aloma_core.cli.deploy.fileformat import load_deploy_file
from aloma_core.cli.errors import UsageProblem

STEP = "export const condition = { a: String };\nexport const content = async () => {};\n"
OURS = """version: 1
steps: steps
secrets: [SHOP_TOKEN]
connectors:
  crm:
    type: remote
    config: {url: "${CRM_URL}/aloma", secret: CRM_TOKEN}
  shop:
    type: http
    config: {base_url: "https://shop.example", auth: bearer, token: {secret: SHOP_TOKEN}}
webhooks:
  github:
    signing: {scheme: github, secret: GITHUB_WEBHOOK_SECRET}
    keep_headers: [X-GitHub-Event]
  plain:
schedules:
  nightly: {cron: "0 3 * * *", timezone: Europe/Berlin, data: {report: sales}}
settings:
  execution: sequential
  limits: {cpu_time_ms: 2000}
seed_tasks:
  first import: {name: import, data: {batch: 1}}
"""


def project(tmp_path: Path, text: str, name: str = "workspace.yaml") -> Path:
    steps = tmp_path / "steps"
    steps.mkdir(exist_ok=True)
    (steps / "validate email.js").write_text(STEP)
    file = tmp_path / name
    file.write_text(text)
    return file


def test_our_shape_reads_every_kind(tmp_path: Path) -> None:
    desired = load_deploy_file(project(tmp_path, OURS), {"CRM_URL": "https://crm.example"})

    assert desired.steps == {"validate email": STEP}
    assert desired.libraries is None
    assert desired.connectors is not None
    assert desired.connectors["crm"] == {
        "type": "remote",
        "config": {"url": "https://crm.example/aloma", "secret": "CRM_TOKEN"},
    }
    assert desired.webhooks == {
        "github": {
            "signing": {
                "scheme": "github",
                "secret": "GITHUB_WEBHOOK_SECRET",
                "header": "X-Hub-Signature-256",
            },
            "keep_headers": ["X-GitHub-Event"],
            "rate_limit_per_minute": 600,
        },
        "plain": {"signing": None, "keep_headers": [], "rate_limit_per_minute": 600},
    }
    assert desired.schedules == {
        "nightly": {
            "cron": "0 3 * * *",
            "timezone": "Europe/Berlin",
            "data": {"report": "sales"},
            "task_name": "nightly",
        }
    }
    assert desired.settings == {"execution": "sequential", "limits": {"cpu_time_ms": 2000}}
    assert desired.seeds == {"first import": {"name": "import", "data": {"batch": 1}}}
    assert desired.secrets == ("CRM_TOKEN", "GITHUB_WEBHOOK_SECRET", "SHOP_TOKEN")


def test_a_missing_environment_variable_is_an_error_naming_it_and_where(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match=r"CRM_URL \(at connectors\.crm\.config\.url\)"):
        load_deploy_file(project(tmp_path, OURS), {})


def test_substitution_escapes_and_refuses_malformed_references() -> None:
    assert substitute({"a": ["x${A}y", "$${A}"]}, {"A": "1"}) == {"a": ["x1y", "${A}"]}
    with pytest.raises(UsageProblem, match="not a variable"):
        substitute("${not-a-name}", {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stepz: steps\n", "unknown key 'stepz'"),
        ("version: 2\n", "version 1"),
        (
            "connectors: {crm: {type: remote, config: {url: x}, extra: 1}}\n",
            "connectors.crm: unknown key 'extra'",
        ),
        (
            "connectors: {shop: {type: http, config: {token: literal}}}\n",
            "connectors.shop.config.token: a secret",
        ),
        ("webhooks: {gh: {signing: {scheme: nope, secret: S}}}\n", "webhooks.gh"),
        ("schedules: {n: {timezone: UTC}}\n", "schedules.n.cron"),
        ("settings: {execution: fast}\n", "settings.execution"),
        ("settings: {colour: red}\n", "settings: unknown key 'colour'"),
        ("seed_tasks: {s: {data: [1]}}\n", "seed_tasks.s.data: expected a mapping"),
        ("steps: nowhere\n", "nowhere is not a directory"),
        ("when: 2024-01-01\n", "quote it"),
        ("- a list\n", "expected a mapping"),
    ],
)
def test_a_bad_file_is_refused_with_the_place_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DeployFileError, match=message):
        load_deploy_file(project(tmp_path, text), {})


def test_invalid_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DeployFileError, match="not valid YAML"):
        load_deploy_file(project(tmp_path, "a: [\n"), {})


def test_a_lib_folder_in_the_steps_folder_is_the_libraries_unless_named(tmp_path: Path) -> None:
    file = project(tmp_path, "steps: steps\n")
    (tmp_path / "steps" / "lib").mkdir()
    (tmp_path / "steps" / "lib" / "text.js").write_text("export const up = (s) => s.toUpperCase();\n")

    assert load_deploy_file(file, {}).libraries == {"text": "export const up = (s) => s.toUpperCase();\n"}
    assert load_deploy_file(project(tmp_path, "connectors: {}\n"), {}).libraries is None


ALOMA = """# List of workspaces to create and configure
workspaces:
  - name: "Waitlist automation"
    steps:
      - syncPath: "steps/"
      - name: "Add to sheet"
        file: "extra/add_to_sheet.js"
    libraries:
      - syncPath: "lib/"
    connectors:
      - connectorName: "CRM (in-house)"
        namespace: crm
        type: remote
        config:
          url: "https://crm.example/aloma"
          secret: CRM_TOKEN
    secrets:
      - name: "SLACK_CHANNEL"
        value: "********"
        description: "Slack channel ID"
        encrypted: false
    webhooks:
      - name: "Webform"
    tasks:
      - name: "test waitlist"
        file: "task/test_waitlist.yaml"
      - name: "inline"
        data: {"getCompanies": true}
"""


def aloma_project(tmp_path: Path, text: str = ALOMA) -> Path:
    file = project(tmp_path, text, "deploy.yaml")
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "add_to_sheet.js").write_text(STEP)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "text.js").write_text("export const x = 1;\n")
    (tmp_path / "task").mkdir()
    (tmp_path / "task" / "test_waitlist.yaml").write_text("email: ada@example.com\nname: Ada\n")
    return file


def test_aloma_shape_maps_steps_libraries_connectors_secrets_webhooks_and_tasks(tmp_path: Path) -> None:
    desired = load_deploy_file(aloma_project(tmp_path), {})

    assert desired.steps == {"validate email": STEP, "Add to sheet": STEP}
    assert desired.libraries == {"text": "export const x = 1;\n"}
    assert desired.connectors == {
        "crm": {"type": "remote", "config": {"url": "https://crm.example/aloma", "secret": "CRM_TOKEN"}}
    }
    assert desired.webhooks == {
        "Webform": {"signing": None, "keep_headers": [], "rate_limit_per_minute": 600}
    }
    assert desired.seeds == {
        "test waitlist": {"name": "test waitlist", "data": {"email": "ada@example.com", "name": "Ada"}},
        "inline": {"name": "inline", "data": {"getCompanies": True}},
    }
    assert desired.secrets == ("CRM_TOKEN", "SLACK_CHANNEL")
    assert desired.schedules is None and desired.settings is None


def test_an_aloma_catalog_connector_is_required_under_alomas_namespace_not_created(tmp_path: Path) -> None:
    """ALOMA's examples name catalog connectors alone (`connectorName: "github.com"`), with masked
    credentials: the deploy expects them configured by hand, under the namespace ALOMA steps use."""
    catalog = (
        '      - connectorName: "github.com"\n'
        '      - connectorName: "hubspot.com (private)"\n'
        "        config:\n"
        '          apiToken: "********"\n'
    )
    text = ALOMA.replace("    connectors:\n", "    connectors:\n" + catalog)

    desired = load_deploy_file(aloma_project(tmp_path, text), {})

    assert desired.required_connectors == {
        "githubCom": "github.com",
        "hubspotComPrivate": "hubspot.com (private)",
    }
    assert list(desired.connectors or {}) == ["crm"]


@pytest.mark.parametrize(
    ("name", "namespace"),
    [("github.com", "githubCom"), ("kubernetes", "kubernetes"), ("Google Sheets", "googleSheets")],
)
def test_alomas_namespace_of_a_connector_name(name: str, namespace: str) -> None:
    assert aloma_namespace(name) == namespace


def test_a_connector_name_without_letters_or_digits_is_refused() -> None:
    with pytest.raises(DeployFileError, match="no letters or digits"):
        aloma_namespace("(*)")


def test_an_explicit_namespace_names_a_required_catalog_connector(tmp_path: Path) -> None:
    catalog = '      - connectorName: "github.com"\n        namespace: gh\n'
    text = ALOMA.replace("    connectors:\n", "    connectors:\n" + catalog)

    assert load_deploy_file(aloma_project(tmp_path, text), {}).required_connectors == {"gh": "github.com"}


def test_a_catalog_connector_named_twice_is_refused(tmp_path: Path) -> None:
    catalog = '      - connectorName: "github.com"\n      - connectorName: "GitHub com"\n'
    text = ALOMA.replace("    connectors:\n", "    connectors:\n" + catalog)

    with pytest.raises(DeployFileError, match="namespace 'githubCom' twice"):
        load_deploy_file(aloma_project(tmp_path, text), {})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("        namespace: crm\n        type: remote\n", ""), "cannot create ALOMA's catalog connectors"),
        (('        value: "********"', '        value: "hunter2"'), "never deployed from a file"),
        (
            ('    webhooks:\n      - name: "Webform"', '    webhooks:\n      - name: "W"\n        url: x'),
            "'url'",
        ),
        (('  - name: "Waitlist automation"', "  - name: x\n    agents: []"), "unknown key 'agents'"),
        (("workspaces:\n", "workspaces:\n  - name: other\n"), "exactly one"),
        (('        data: {"getCompanies": true}', ""), "either as `data` or as `file`"),
    ],
)
def test_aloma_keys_without_a_counterpart_are_refused_by_name(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    assert change[0] in ALOMA
    with pytest.raises(DeployFileError, match=message):
        load_deploy_file(aloma_project(tmp_path, ALOMA.replace(*change)), {})
