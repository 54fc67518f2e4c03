"""Which server and key the CLI uses: the environment first, then what `aloma dev` wrote."""

import json
from pathlib import Path

import pytest

from aloma_core.cli.config import (
    DEFAULT_URL,
    Connection,
    replace_dev_key,
    resolve_admin_connection,
    resolve_connection,
)
from aloma_core.cli.errors import UsageProblem


def write_dev_file(cwd: Path, **content: str) -> None:
    (cwd / ".aloma").mkdir()
    (cwd / ".aloma" / "dev.json").write_text(json.dumps({"workspace": "dev", **content}))


def test_environment_wins_over_the_dev_file(tmp_path: Path) -> None:
    write_dev_file(tmp_path, url="http://127.0.0.1:9000", api_key="dev-key")

    connection = resolve_connection(
        {"ALOMA_API_KEY": "env-key", "ALOMA_URL": "https://aloma.example"}, tmp_path
    )

    assert connection == Connection("https://aloma.example", "env-key")


def test_url_defaults_to_localhost_8000(tmp_path: Path) -> None:
    assert resolve_connection({"ALOMA_API_KEY": "k"}, tmp_path) == Connection(DEFAULT_URL, "k")


def test_without_a_key_the_dev_file_gives_key_and_url(tmp_path: Path) -> None:
    write_dev_file(tmp_path, url="http://127.0.0.1:9000", api_key="dev-key")

    assert resolve_connection({}, tmp_path) == Connection("http://127.0.0.1:9000", "dev-key")


def test_an_empty_key_variable_counts_as_unset(tmp_path: Path) -> None:
    write_dev_file(tmp_path, url="http://127.0.0.1:9000", api_key="dev-key")

    assert resolve_connection({"ALOMA_API_KEY": ""}, tmp_path).api_key == "dev-key"


def test_the_dev_key_is_used_for_the_dev_url_written_either_way(tmp_path: Path) -> None:
    write_dev_file(tmp_path, url="http://127.0.0.1:9000/", api_key="dev-key")

    connection = resolve_connection({"ALOMA_URL": "http://127.0.0.1:9000"}, tmp_path)

    assert connection == Connection("http://127.0.0.1:9000", "dev-key")


def test_the_dev_key_is_never_sent_to_another_server(tmp_path: Path) -> None:
    write_dev_file(tmp_path, url="http://127.0.0.1:9000", api_key="dev-key")

    with pytest.raises(UsageProblem, match="no API key"):
        resolve_connection({"ALOMA_URL": "https://aloma.example"}, tmp_path)


def test_a_dev_file_without_url_means_the_default_url(tmp_path: Path) -> None:
    write_dev_file(tmp_path, api_key="dev-key")

    assert resolve_connection({}, tmp_path) == Connection(DEFAULT_URL, "dev-key")


@pytest.mark.parametrize("content", ["{broken", "[]", '{"url": "http://x"}'])
def test_an_unreadable_dev_file_is_a_usage_problem(tmp_path: Path, content: str) -> None:
    (tmp_path / ".aloma").mkdir()
    (tmp_path / ".aloma" / "dev.json").write_text(content)

    with pytest.raises(UsageProblem, match=r"dev\.json"):
        resolve_connection({}, tmp_path)


def test_no_key_anywhere_is_a_usage_problem(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem) as caught:
        resolve_connection({}, tmp_path)

    assert caught.value.exit_code == 2


def test_the_admin_connection_takes_the_token_from_the_environment_and_the_dev_url(tmp_path: Path) -> None:
    write_dev_file(tmp_path, url="http://127.0.0.1:9000", api_key="dev-key")

    connection = resolve_admin_connection({"ALOMA_ADMIN_TOKEN": "admin"}, tmp_path)

    assert connection == Connection("http://127.0.0.1:9000", "admin")
    elsewhere = {"ALOMA_ADMIN_TOKEN": "t", "ALOMA_URL": "https://a.example"}
    assert resolve_admin_connection(elsewhere, tmp_path) == Connection("https://a.example", "t")


def test_the_admin_connection_never_falls_back_to_a_workspace_key(tmp_path: Path) -> None:
    write_dev_file(tmp_path, url="http://127.0.0.1:9000", api_key="dev-key")
    with pytest.raises(UsageProblem, match="ALOMA_ADMIN_TOKEN"):
        resolve_admin_connection({"ALOMA_API_KEY": "k", "ALOMA_ADMIN_TOKEN": ""}, tmp_path)


def test_a_rotated_key_replaces_the_dev_file_s_key_and_keeps_the_rest(tmp_path: Path) -> None:
    write_dev_file(tmp_path, url="http://127.0.0.1:9000", api_key="old")

    assert replace_dev_key(tmp_path, "old", "new")

    saved = json.loads((tmp_path / ".aloma" / "dev.json").read_text())
    assert saved == {"workspace": "dev", "url": "http://127.0.0.1:9000", "api_key": "new"}


def test_a_rotated_key_of_another_workspace_leaves_the_dev_file_alone(tmp_path: Path) -> None:
    write_dev_file(tmp_path, url="http://127.0.0.1:9000", api_key="dev-key")

    assert not replace_dev_key(tmp_path, "other", "new")
    assert not replace_dev_key(tmp_path / "nowhere", "dev-key", "new")
    assert json.loads((tmp_path / ".aloma" / "dev.json").read_text())["api_key"] == "dev-key"
