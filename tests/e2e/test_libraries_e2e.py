"""Shared libraries on the local home: the scenarios of tests/library_scenarios.py over HTTP, and
the CLI that uploads them (`aloma step sync` with DIR/lib, `aloma lib ...`)."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_support import Server, Workspace

import library_scenarios
from library_scenarios import CRM, ENRICH, TEXT


@pytest.mark.parametrize("scenario", library_scenarios.SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_libraries(scenario: Callable[[Workspace], None], server: Server) -> None:
    scenario(server.workspace())


def aloma(ws: Workspace, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALOMA_")} | {
        "COLUMNS": "200",
        "ALOMA_URL": str(ws.client.base_url).rstrip("/"),
        "ALOMA_API_KEY": ws.key,
    }
    return subprocess.run(
        [sys.executable, "-m", "aloma_core.cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def project(root: Path, libraries: dict[str, str]) -> Path:
    steps = root / "steps"
    (steps / "lib").mkdir(parents=True, exist_ok=True)
    (steps / "enrich.js").write_text(ENRICH, encoding="utf-8")
    for name, source in libraries.items():
        (steps / "lib" / f"{name}.js").write_text(source, encoding="utf-8")
    return steps


def test_step_sync_uploads_the_libraries_and_the_step_then_runs_it(server: Server, tmp_path: Path) -> None:
    ws = server.workspace()
    project(tmp_path, {"crm": CRM, "text": TEXT})

    synced = aloma(ws, tmp_path, "step", "sync", "steps")

    assert synced.returncode == 0, synced.stderr
    assert "created   lib/crm.js (v1)" in synced.stdout
    assert "2 libraries: 2 created" in synced.stdout
    assert "1 step: 1 created" in synced.stdout
    task = ws.settle(ws.new_task({"customer": {"first": "Ada", "last": "Lovelace"}}))
    assert task["result"] == {"greeting": "Hello Ada LOVELACE"}
    again = aloma(ws, tmp_path, "step", "sync", "steps")
    assert "2 libraries: 2 unchanged" in again.stdout


def test_a_refused_library_fails_the_sync_naming_its_file_and_line(server: Server, tmp_path: Path) -> None:
    ws = server.workspace()
    project(tmp_path, {"crm": "export const a = 1;\nexport const b = ;\n", "text": TEXT})

    synced = aloma(ws, tmp_path, "step", "sync", "steps")

    assert synced.returncode == 1
    assert "lib/crm.js line 2: SyntaxError" in synced.stderr
    assert "1 libraries" not in synced.stdout and "created   lib/text.js (v1)" in synced.stdout


def test_sync_deletes_libraries_without_a_file_only_with_prune(server: Server, tmp_path: Path) -> None:
    ws = server.workspace()
    steps = project(tmp_path, {"crm": CRM, "text": TEXT, "old": "export const x = 1;\n"})
    assert aloma(ws, tmp_path, "step", "sync", "steps").returncode == 0
    (steps / "lib" / "old.js").unlink()

    kept = aloma(ws, tmp_path, "step", "sync", "steps")
    pruned = aloma(ws, tmp_path, "step", "sync", "steps", "--prune")

    assert "deleted" not in kept.stdout
    assert "deleted   lib/old.js" in pruned.stdout
    names = [library["name"] for library in ws.client.get("/v1/libraries").json()["libraries"]]
    assert names == ["crm", "text"]


def test_lib_push_list_show_and_rm(server: Server, tmp_path: Path) -> None:
    ws = server.workspace()
    (tmp_path / "text.js").write_text(TEXT, encoding="utf-8")
    (tmp_path / "broken.js").write_text("export const = 1;\n", encoding="utf-8")

    pushed = aloma(ws, tmp_path, "lib", "push", "text.js")
    refused = aloma(ws, tmp_path, "lib", "push", "broken.js")
    listed = aloma(ws, tmp_path, "lib", "list")
    shown = aloma(ws, tmp_path, "lib", "show", "text")
    removed = aloma(ws, tmp_path, "lib", "rm", "text")
    missing = aloma(ws, tmp_path, "lib", "show", "text")

    assert (pushed.returncode, pushed.stdout.strip()) == (0, "lib/text.js created (v1)")
    assert refused.returncode == 1 and "lib/broken.js line 1" in refused.stderr
    assert "text" in listed.stdout and "broken" not in listed.stdout
    assert "lib/text.js" in shown.stdout and "toUpperCase" in shown.stdout
    assert removed.returncode == 0
    assert missing.returncode == 1 and "not found" in missing.stderr
