"""`aloma pull`: a live workspace written as a deploy file plus its step and library files, such
that deploying the result changes nothing."""

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ...json_types import JsonObject
from ...model import WorkspaceSettings
from ..errors import CliError
from ..sync import step_file_path
from .state import SEED_MARKER_PREFIX, Live

_OWNED_BY_CONNECTORS = "connector."


@dataclass
class PullReport:
    file: Path
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    strays: list[Path] = field(default_factory=list)


def pull_workspace(live: Live, file: Path, steps_dir: Path, libraries_dir: Path) -> PullReport:
    report = PullReport(file)
    base = file.parent
    document: JsonObject = {"version": 1, "steps": _relative(steps_dir, base)}
    if live.libraries:
        document["libraries"] = _relative(libraries_dir, base)
    names = sorted(n for n in live.secrets if not n.startswith((SEED_MARKER_PREFIX, _OWNED_BY_CONNECTORS)))
    document["secrets"] = list(names)
    document["connectors"] = {ns: dict(entry) for ns, entry in sorted(live.connectors.items())}
    document["webhooks"] = {name: _webhook(spec) for name, spec in sorted(live.webhooks.items())}
    document["schedules"] = {name: dict(spec) for name, spec in sorted(live.schedules.items())}
    changed = _changed_settings(live.settings)
    if changed:
        document["settings"] = changed
    try:
        _write_sources(live.steps, steps_dir, report)
        if live.libraries:
            _write_sources(live.libraries, libraries_dir, report)
        text = "# Written by `aloma pull`; `aloma deploy` applies it.\n" + yaml.safe_dump(
            document, sort_keys=False, allow_unicode=True, width=100
        )
        _write(file, text.encode("utf-8"), report)
    except OSError as error:
        raise CliError(f"cannot write the pulled workspace: {error}") from None
    return report


def _relative(directory: Path, base: Path) -> str:
    return Path(os.path.relpath(directory.resolve(), base.resolve())).as_posix()


def _webhook(spec: JsonObject) -> JsonObject:
    shown: JsonObject = {key: value for key, value in spec.items() if value is not None}
    if not shown.get("keep_headers"):
        shown.pop("keep_headers", None)
    return shown


def _changed_settings(settings: JsonObject) -> JsonObject:
    """Only settings that differ from a new workspace's, so the file says what was chosen."""
    defaults = WorkspaceSettings().model_dump(mode="json")
    changed: JsonObject = {}
    for key, value in settings.items():
        default = defaults.get(key)
        if key == "limits" and isinstance(value, dict) and isinstance(default, dict):
            limits = {name: v for name, v in value.items() if default.get(name) != v}
            if limits:
                changed[key] = limits
        elif value != default:
            changed[key] = value
    return changed


def _write_sources(sources: dict[str, str], directory: Path, report: PullReport) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    targets = {step_file_path(directory, name) for name in sources}
    for name, source in sorted(sources.items()):
        _write(step_file_path(directory, name), source.encode("utf-8"), report)
    report.strays += sorted(p for p in directory.glob("*.js") if p.is_file() and p not in targets)


def _write(path: Path, data: bytes, report: PullReport) -> None:
    if path.is_file() and path.read_bytes() == data:
        report.unchanged.append(path)
        return
    path.write_bytes(data)
    report.written.append(path)
