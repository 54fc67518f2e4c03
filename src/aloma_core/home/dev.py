"""`aloma dev`: the local home behind uvicorn, a workspace made on first start, step files synced.

Steps are synced through the server's own HTTP API (the code of `aloma step sync`), so a file the
dev server accepts is exactly a file a deployed workspace accepts.
"""

import json
import logging
import os
import signal
import threading
from pathlib import Path
from types import FrameType

import watchfiles

from ..api import create_app
from ..cli.client import ApiClient
from ..cli.libsync import sync_directory
from ..cli.sync import Outcome, SyncReport
from ..errors import Unauthorized
from ..services import Platform
from ..settings import Settings
from .devsetup import DevSetup, apply_setup, load_setup
from .example_services import ExampleServices
from .local import LocalHome
from .logs import configure_local_logging
from .serving import ServerDidNotStart, serving

logger = logging.getLogger("aloma.dev")

DEV_FILE = "dev.json"
MANAGED_CONNECTORS = "connectors_set_by_aloma_dev"


def run_dev(directory: Path | None, host: str, port: int, state_dir: Path) -> None:
    """Serve until Ctrl-C or SIGTERM; work left unfinished by a previous run is resumed first."""
    settings = Settings()
    url = f"http://{_reachable(host)}:{port}"
    setup = load_setup(directory, url)
    log_path = configure_local_logging(state_dir)
    home = LocalHome(state_dir)
    try:
        key = _dev_workspace_key(home.platform, state_dir, url)
        app = create_app(
            home.platform, admin_token=settings.admin_token, max_body_bytes=settings.max_body_bytes
        )
        if setup.example_services:
            app.include_router(ExampleServices().router)
        try:
            with serving(app, host, port):
                client = ApiClient(url, key)
                _apply_setup(client, setup, state_dir)
                recovered = home.recover()
                _banner(url, key, state_dir, log_path, recovered, setup.example_services)
                stop = _stop_on_signals()
                if directory is None:
                    stop.wait()
                else:
                    _sync_and_watch(client, directory, stop)
        except ServerDidNotStart:
            raise SystemExit(
                f"error: the API could not start on {url} (is the port already in use?)"
            ) from None
    finally:
        home.close()


def _reachable(host: str) -> str:
    """The address a client on this machine uses for a server listening on `host`."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _dev_workspace_key(platform: Platform, state_dir: Path, url: str) -> str:
    """The key saved in `.aloma/dev.json`, or a new workspace's when there is none that works."""
    path = state_dir / DEV_FILE
    if path.is_file():
        saved = json.loads(path.read_text(encoding="utf-8"))
        try:
            platform.authenticate(str(saved.get("api_key", "")))
        except Unauthorized:
            pass
        else:
            _write_dev_file(path, {**saved, "url": url})
            return str(saved["api_key"])
    workspace, key = platform.create_workspace("dev")
    _write_dev_file(path, {"url": url, "api_key": key, "workspace": workspace.id})
    return key


def _write_dev_file(path: Path, content: dict[str, object]) -> None:
    """Whole or not at all, readable by this user only: the CLI (and anyone scripting against
    `aloma dev`) reads the key from this file while the server may be rewriting it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(content, file, indent=2)
    os.replace(partial, path)


def _apply_setup(client: ApiClient, setup: DevSetup, state_dir: Path) -> None:
    """The connectors aloma dev set are remembered in `.aloma/dev.json`, with the workspace's key."""
    path = state_dir / DEV_FILE
    saved = json.loads(path.read_text(encoding="utf-8"))
    managed = saved.get(MANAGED_CONNECTORS)
    earlier = {str(k): str(v) for k, v in managed.items()} if isinstance(managed, dict) else {}
    now_managed = apply_setup(client, setup, earlier)
    _write_dev_file(path, {**saved, MANAGED_CONNECTORS: now_managed})


def _banner(url: str, key: str, state_dir: Path, log_path: Path, recovered: int, examples: bool) -> None:
    lines = [
        f"aloma dev is serving {url}  (API docs: {url}/docs)",
        f"  workspace key: {key}",
        f"  state: {state_dir}   logs: {log_path}",
        "  the aloma CLI in this directory uses this server and key; elsewhere:",
        f"    export ALOMA_URL={url} ALOMA_API_KEY={key}",
    ]
    if examples:
        lines.append(
            f"  example CRM and Slack stand-ins: {url}/examples/crm/contacts, {url}/examples/slack/messages"
        )
    if recovered:
        lines.append(f"  resumed {recovered} unfinished task(s) from the previous run")
    print("\n".join(lines), flush=True)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop


def _sync_and_watch(client: ApiClient, directory: Path, stop: threading.Event) -> None:
    _report(sync_directory(client, directory, prune=False))
    for _changes in watchfiles.watch(directory, stop_event=stop, raise_interrupt=False):
        _report(sync_directory(client, directory, prune=False))


def _report(report: SyncReport) -> None:
    for library in report.libraries:
        if library.outcome is Outcome.REFUSED:
            logger.error("library %r refused: %s", library.name, library.message)
        elif library.outcome is not Outcome.UNCHANGED:
            logger.info("library %r %s (version %s)", library.name, library.outcome.value, library.version)
    for result in report.results:
        if result.outcome is Outcome.REFUSED:
            logger.error("step %r refused: %s", result.name, result.message)
        elif result.outcome is not Outcome.UNCHANGED:
            logger.info("step %r %s (version %s)", result.name, result.outcome.value, result.version)
