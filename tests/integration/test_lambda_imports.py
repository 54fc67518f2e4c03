"""The three Lambda handlers import without the packages the Lambda build leaves out (Makefile's
LAMBDA_EXCLUDED): a module of theirs that imported one would only fail once deployed."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
# quickjs-ng is left out of the build because the QuickJS layer provides it at run time.
PROVIDED_BY_LAYER = {"quickjs-ng"}


def excluded_modules() -> list[str]:
    found = re.search(r"^LAMBDA_EXCLUDED\s*:?=\s*(.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, "the Makefile no longer defines LAMBDA_EXCLUDED"
    return [name.replace("-", "_") for name in found.group(1).split() if name not in PROVIDED_BY_LAYER]


@pytest.mark.parametrize("handler", sorted(ROOT.glob("functions/*/app.py")), ids=lambda p: p.parent.name)
def test_a_handler_imports_without_the_packages_left_out_of_the_build(handler: Path) -> None:
    script = (
        "import runpy, sys\n"
        f"for name in {excluded_modules()!r}:\n"
        "    sys.modules[name] = None\n"
        f"runpy.run_path({str(handler)!r})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("handler", sorted(ROOT.glob("functions/*/app.py")), ids=lambda p: p.parent.name)
def test_a_handler_loads_the_http_stack_only_when_a_connector_calls_out(handler: Path) -> None:
    script = f"import runpy, sys\nrunpy.run_path({str(handler)!r})\nprint('httpx' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_connector_packages_still_reach_the_http_client_from_the_package() -> None:
    from aloma_core import connectors
    from aloma_core.connectors.http import HttpClient, HttpResponse

    assert connectors.HttpClient is HttpClient
    assert connectors.HttpResponse is HttpResponse
    with pytest.raises(AttributeError, match="no attribute 'HttpClients'"):
        _ = connectors.HttpClients
