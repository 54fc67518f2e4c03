"""`aloma workspace rotate-key` as a user runs it against a real server: with the workspace's own
key, from the directory of `aloma dev` (whose saved key follows the rotation), and as the admin."""

import json
from pathlib import Path

import httpx
from e2e_support import ADMIN_TOKEN, Server
from test_cli_e2e import Cli, error_line


def new_workspace(server: Server) -> tuple[str, str]:
    with server.admin() as admin:
        created = admin.post("/v1/workspaces", json={"name": "rotating"}).json()
    return created["id"], created["api_key"]


def status_with(server: Server, key: str) -> int:
    return httpx.get(f"{server.url}/v1/workspace", headers={"Authorization": f"Bearer {key}"}).status_code


def test_rotate_key_prints_the_new_key_and_the_old_one_stops_working(server: Server, tmp_path: Path) -> None:
    workspace_id, old_key = new_workspace(server)

    result = Cli(server.url, old_key, tmp_path)("workspace", "rotate-key")

    assert result.returncode == 0, result.stderr
    new_key = result.stdout.strip()
    assert new_key.startswith("alk_") and new_key != old_key
    assert workspace_id in result.stderr
    assert status_with(server, old_key) == 401
    assert status_with(server, new_key) == 200
    assert "error: " in error_line(Cli(server.url, old_key, tmp_path)("workspace", "rotate-key"))


def test_rotate_key_in_the_dev_directory_saves_the_new_key(server: Server, tmp_path: Path) -> None:
    _, old_key = new_workspace(server)
    dev_file = tmp_path / ".aloma" / "dev.json"
    dev_file.parent.mkdir()
    dev_file.write_text(json.dumps({"url": server.url, "api_key": old_key, "workspace": "w"}))
    cli = Cli(None, None, tmp_path)

    answer = cli.json("workspace", "rotate-key")

    saved = json.loads(dev_file.read_text())
    assert saved == {"url": server.url, "api_key": answer["api_key"], "workspace": "w"}
    assert dev_file.stat().st_mode & 0o777 == 0o600
    assert cli.json("secret", "list") == {"secrets": []}


def test_a_key_from_the_environment_leaves_dev_json_alone(server: Server, tmp_path: Path) -> None:
    _, dev_key = new_workspace(server)
    _, env_key = new_workspace(server)
    dev_file = tmp_path / ".aloma" / "dev.json"
    dev_file.parent.mkdir()
    dev_file.write_text(json.dumps({"url": server.url, "api_key": dev_key}))

    Cli(server.url, env_key, tmp_path).ok("workspace", "rotate-key")

    assert json.loads(dev_file.read_text())["api_key"] == dev_key
    assert status_with(server, dev_key) == 200


def test_the_admin_rotates_a_lost_key(server: Server, tmp_path: Path) -> None:
    workspace_id, old_key = new_workspace(server)
    admin = Cli(server.url, None, tmp_path, admin_token=ADMIN_TOKEN)

    new_key = admin.ok("workspace", "rotate-key", "--workspace", workspace_id).strip()

    assert status_with(server, old_key) == 401
    assert status_with(server, new_key) == 200


def test_admin_rotation_without_the_token_is_a_usage_error(server: Server, tmp_path: Path) -> None:
    workspace_id, key = new_workspace(server)
    result = Cli(server.url, key, tmp_path)("workspace", "rotate-key", "--workspace", workspace_id)
    assert result.returncode == 2
    assert "ALOMA_ADMIN_TOKEN" in error_line(result)
    assert status_with(server, key) == 200


def test_admin_rotation_of_an_unknown_workspace_exits_1(server: Server, tmp_path: Path) -> None:
    admin = Cli(server.url, None, tmp_path, admin_token=ADMIN_TOKEN)
    result = admin("workspace", "rotate-key", "--workspace", "ws_unknown")
    assert result.returncode == 1
    assert "not found" in error_line(result)
