"""Where the server is and which key to use: the environment, else what `aloma dev` left behind.

`aloma dev` writes `.aloma/dev.json` (`{"url", "api_key", "workspace"}`) in the directory it runs
in, so a person who just started it can use the CLI there without exporting anything.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageProblem

DEFAULT_URL = "http://127.0.0.1:8000"
STATE_DIR_NAME = ".aloma"
DEV_FILE_NAME = "dev.json"


@dataclass(frozen=True)
class Connection:
    url: str
    api_key: str


@dataclass(frozen=True)
class DevInfo:
    url: str
    api_key: str


def state_dir(cwd: Path) -> Path:
    """The local home of `aloma dev` for a project directory: database, logs and dev.json."""
    return cwd / STATE_DIR_NAME


def read_dev_info(cwd: Path) -> DevInfo | None:
    path = state_dir(cwd) / DEV_FILE_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise UsageProblem(f"cannot read {path}: {error}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("api_key"), str):
        raise UsageProblem(f"cannot read {path}: no api_key in it")
    url = raw.get("url")
    return DevInfo(url if isinstance(url, str) and url else DEFAULT_URL, raw["api_key"])


def resolve_connection(env: Mapping[str, str], cwd: Path) -> Connection:
    """`ALOMA_URL` / `ALOMA_API_KEY` win; the dev key is only used for the dev server's own URL,
    so a local key is never sent to a server it does not belong to."""
    url = env.get("ALOMA_URL") or None
    key = env.get("ALOMA_API_KEY") or None
    if key is None:
        dev = read_dev_info(cwd)
        if dev is not None and (url is None or _same_url(url, dev.url)):
            key = dev.api_key
            url = url or dev.url
    url = url or DEFAULT_URL
    if not url.startswith(("http://", "https://")):
        raise UsageProblem(f"ALOMA_URL must start with http:// or https://, not {url!r}")
    if key is None:
        raise UsageProblem(
            "no API key: set ALOMA_API_KEY, or run this in the directory where `aloma dev` is running"
        )
    return Connection(url, key)


def resolve_admin_connection(env: Mapping[str, str], cwd: Path) -> Connection:
    """The admin token is only ever taken from `ALOMA_ADMIN_TOKEN`: nothing on disk holds it."""
    token = env.get("ALOMA_ADMIN_TOKEN") or None
    if token is None:
        raise UsageProblem("no admin token: set ALOMA_ADMIN_TOKEN")
    dev = read_dev_info(cwd)
    url = env.get("ALOMA_URL") or (dev.url if dev is not None else DEFAULT_URL)
    if not url.startswith(("http://", "https://")):
        raise UsageProblem(f"ALOMA_URL must start with http:// or https://, not {url!r}")
    return Connection(url, token)


def replace_dev_key(cwd: Path, old_key: str, new_key: str) -> bool:
    """Write `new_key` into `.aloma/dev.json` if that file held `old_key`, so the CLI and the next
    `aloma dev` keep working after a rotation; False when the file is absent or names another key."""
    dev = read_dev_info(cwd)
    if dev is None or dev.api_key != old_key:
        return False
    path = state_dir(cwd) / DEV_FILE_NAME
    saved = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**saved, "api_key": new_key}, indent=2), encoding="utf-8")
    path.chmod(0o600)
    return True


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")
