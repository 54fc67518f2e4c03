"""Reading a deploy file: YAML, then our shape or ALOMA's (`workspaces:` at the top), into `Desired`.

Our shape (docs/workspace-as-code.md) names each kind once at the top level. Paths are relative
to the file's directory. `${NAME}` in values comes from the environment (envsub.py).
"""

from collections.abc import Callable, Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError

from ...json_types import JsonObject, JsonValue
from ...model import WorkspaceSettings
from .alomashape import read_aloma_shape
from .envsub import substitute
from .fields import (
    DeployFileError,
    connector,
    connector_secrets,
    folder_sources,
    items,
    json_value,
    mapping,
    only_keys,
    schedule,
    seed,
    signing_secrets,
    text,
    webhook,
)
from .state import Desired

FORMAT_VERSION = 1
LIBRARY_FOLDER = "lib"
TOP_KEYS = (
    "version",
    "steps",
    "libraries",
    "secrets",
    "connectors",
    "webhooks",
    "schedules",
    "settings",
    "seed_tasks",
)


def load_deploy_file(path: Path, env: Mapping[str, str]) -> Desired:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DeployFileError(f"cannot read the deploy file {path}: {error}") from None
    except yaml.YAMLError as error:
        raise DeployFileError(f"{path} is not valid YAML: {error}") from None
    top = mapping(json_value(raw, ""), str(path))
    values = substitute(top, env)
    assert isinstance(values, dict)
    base = path.parent
    try:
        if "workspaces" in values:
            return read_aloma_shape(values, base)
        return read_our_shape(values, base)
    except DeployFileError as error:
        raise DeployFileError(f"{path}: {error}") from None


def read_our_shape(top: JsonObject, base: Path) -> Desired:
    only_keys(top, TOP_KEYS, "the top level")
    version = top.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise DeployFileError(
            f"version: this aloma reads deploy files of version {FORMAT_VERSION}, not {version!r}"
        )
    connectors = _each(top, "connectors", _connector)
    webhooks = _each(top, "webhooks", _webhook)
    declared = {text(name, "secrets") for name in items(top.get("secrets"), "secrets")}
    return Desired(
        steps=_folder(top, "steps", base),
        libraries=_libraries(top, base),
        connectors=connectors,
        webhooks=webhooks,
        schedules=_each(top, "schedules", schedule),
        settings=None if "settings" not in top else settings(top["settings"], "settings"),
        seeds=_each(top, "seed_tasks", _seed) or {},
        secrets=tuple(
            sorted(declared | connector_secrets(connectors or {}) | signing_secrets(webhooks or {}))
        ),
    )


Reader = Callable[[str, JsonValue, str], JsonObject]


def _each(top: JsonObject, key: str, read: Reader) -> dict[str, JsonObject] | None:
    if key not in top:
        return None
    section = mapping(top[key], key)
    return {name: read(name, raw, f"{key}.{name}") for name, raw in section.items()}


def _folder(top: JsonObject, key: str, base: Path) -> dict[str, str] | None:
    if top.get(key) is None:
        return None
    return folder_sources(base, text(top[key], key), key)


def _libraries(top: JsonObject, base: Path) -> dict[str, str] | None:
    """Named, or else the steps folder's `lib/` when it exists: where `aloma step sync` finds them."""
    if top.get("libraries") is not None or top.get("steps") is None:
        return _folder(top, "libraries", base)
    beside = base / text(top["steps"], "steps") / LIBRARY_FOLDER
    return folder_sources(base, str(beside.relative_to(base)), "libraries") if beside.is_dir() else None


def _connector(name: str, raw: JsonValue, where: str) -> JsonObject:
    return connector(raw, where)


def _webhook(name: str, raw: JsonValue, where: str) -> JsonObject:
    return webhook(raw, where)


def _seed(name: str, raw: JsonValue, where: str) -> JsonObject:
    entry = mapping(raw, where)
    only_keys(entry, ("name", "data"), where)
    return seed(name, entry.get("name"), entry.get("data"), where)


def settings(raw: JsonValue, where: str) -> JsonObject:
    """Checked against the settings model here, so a typo fails before anything is applied."""
    given = mapping(raw, where)
    only_keys(given, WorkspaceSettings.model_fields, where)
    try:
        WorkspaceSettings.model_validate(given)
    except ValidationError as error:
        problem = error.errors()[0]
        path = ".".join(str(part) for part in problem["loc"])
        raise DeployFileError(f"{where}.{path}: {problem['msg']}") from None
    return given
