"""ALOMA's own `deploy.yaml`, read as it is: `workspaces:` with one entry of `steps`, `libraries`,
`connectors`, `secrets`, `webhooks` and `tasks` lists. What has a counterpart here is mapped;
anything else is an error that names the key, never silently dropped (docs/workspace-as-code.md)."""

import re
from pathlib import Path

import yaml

from ...json_types import JsonObject, JsonValue
from .fields import (
    DeployFileError,
    connector,
    connector_secrets,
    file_name,
    folder_sources,
    items,
    json_value,
    mapping,
    only_keys,
    read_source,
    seed,
    signing_secrets,
    text,
    webhook,
)
from .state import Desired

WORKSPACE_KEYS = ("name", "steps", "libraries", "connectors", "secrets", "webhooks", "tasks")
# Our extension of an ALOMA connector entry: `type` (and `namespace`) make aloma create it.
CONNECTOR_KEYS = ("connectorName", "namespace", "type", "config")
_NAME_WORDS = re.compile(r"[A-Za-z0-9]+")


def read_aloma_shape(top: JsonObject, base: Path) -> Desired:
    only_keys(top, ("workspaces",), "the top level (ALOMA shape)")
    workspaces = items(top["workspaces"], "workspaces")
    if len(workspaces) != 1:
        raise DeployFileError(
            f"workspaces: {len(workspaces)} entries; aloma deploys into the one workspace of its API key, "
            "so the file must list exactly one (split it into one file per workspace)"
        )
    where = "workspaces[0]"
    entry = mapping(workspaces[0], where)
    only_keys(entry, WORKSPACE_KEYS, where)
    connectors, required = _connectors(entry, where)
    webhooks = _webhooks(entry, where)
    secrets = _secrets(entry.get("secrets"), f"{where}.secrets") | signing_secrets(webhooks or {})
    return Desired(
        steps=_sources(entry, "steps", base, where),
        libraries=_sources(entry, "libraries", base, where),
        connectors=connectors,
        webhooks=webhooks,
        seeds=_tasks(entry.get("tasks"), base, f"{where}.tasks"),
        secrets=tuple(sorted(secrets | connector_secrets(connectors or {}))),
        required_connectors=required,
    )


def _sources(entry: JsonObject, key: str, base: Path, where: str) -> dict[str, str] | None:
    """`- syncPath: dir/` adds every `NAME.js` in dir; `- name: N, file: f.js` adds one file as N."""
    if key not in entry:
        return None
    found: dict[str, str] = {}
    for index, raw in enumerate(items(entry[key], f"{where}.{key}")):
        place = f"{where}.{key}[{index}]"
        item = mapping(raw, place)
        if "syncPath" in item:
            only_keys(item, ("syncPath",), place)
            additions = folder_sources(base, text(item["syncPath"], f"{place}.syncPath"), place)
        else:
            only_keys(item, ("name", "file"), place)
            path = text(item.get("file"), f"{place}.file")
            name = text(item.get("name", file_name(path)), f"{place}.name")
            additions = {name: read_source(base / path, place)}
        for name, source in additions.items():
            if name in found:
                raise DeployFileError(f"{place}: {key[:-1] if key == 'steps' else 'library'} {name!r} twice")
            found[name] = source
    return found


def _connectors(entry: JsonObject, where: str) -> tuple[dict[str, JsonObject] | None, dict[str, str]]:
    """Entries with a `type` are created and kept in step (`found`). An entry of ALOMA's catalog
    (`connectorName` alone) has no counterpart to create: its namespace must be configured by hand
    (`required`), which the deploy checks before it changes anything, like a required secret."""
    if "connectors" not in entry:
        return None, {}
    found: dict[str, JsonObject] = {}
    required: dict[str, str] = {}
    for index, raw in enumerate(items(entry["connectors"], f"{where}.connectors")):
        place = f"{where}.connectors[{index}]"
        item = mapping(raw, place)
        only_keys(item, CONNECTOR_KEYS, place)
        label = text(item.get("connectorName", item.get("namespace")), f"{place}.connectorName")
        namespace = (
            text(item["namespace"], f"{place}.namespace") if "namespace" in item else aloma_namespace(label)
        )
        if namespace in found or namespace in required:
            raise DeployFileError(f"{place}: namespace {namespace!r} twice")
        if "type" in item:
            found[namespace] = connector({"type": item["type"], "config": item.get("config")}, place)
            continue
        _only_placeholders(item.get("config"), f"{place}.config", namespace)
        required[namespace] = label
    return found, required


def aloma_namespace(connector_name: str) -> str:
    """How ALOMA steps name a catalog connector: its words in camel case (`github.com` is
    `connectors.githubCom`, `hubspot.com (private)` is `connectors.hubspotComPrivate`)."""
    words: list[str] = _NAME_WORDS.findall(connector_name)
    if not words:
        raise DeployFileError(f"connectorName {connector_name!r}: no letters or digits to name it by")
    return words[0].lower() + "".join(word[:1].upper() + word[1:].lower() for word in words[1:])


def _only_placeholders(config: JsonValue, where: str, namespace: str) -> None:
    """ALOMA files show a catalog connector's credentials masked (`****`); a real value would be
    deployed nowhere, so it is refused rather than dropped."""
    if config is None:
        return
    values = mapping(config, where).values()
    if not all(isinstance(value, str) and set(value) <= {"*"} for value in values):
        raise DeployFileError(
            f"{where}: aloma cannot create ALOMA's catalog connectors, so this config would not be "
            f"applied; configure the connector {namespace!r} by hand (`aloma connector set`) and leave "
            "only '****' placeholders here, or add `type:` to have the deploy create it"
        )


def _secrets(raw: JsonValue, where: str) -> set[str]:
    """Names are required secrets. ALOMA files carry `value` placeholders (`****`), accepted and
    ignored; a real value is refused: values never live in a deploy file here."""
    names: set[str] = set()
    for index, item_raw in enumerate(items(raw, where)):
        place = f"{where}[{index}]"
        item = mapping(item_raw, place)
        only_keys(item, ("name", "value", "description", "encrypted"), place)
        value = item.get("value")
        if value is not None and not (isinstance(value, str) and set(value) <= {"*"}):
            raise DeployFileError(
                f"{place}.value: a secret's value is never deployed from a file; leave the placeholder "
                f"('****') and set it with `aloma secret set {item.get('name')} -`"
            )
        names.add(text(item.get("name"), f"{place}.name"))
    return names


def _webhooks(entry: JsonObject, where: str) -> dict[str, JsonObject] | None:
    if "webhooks" not in entry:
        return None
    found: dict[str, JsonObject] = {}
    for index, raw in enumerate(items(entry["webhooks"], f"{where}.webhooks")):
        place = f"{where}.webhooks[{index}]"
        item = mapping(raw, place)
        only_keys(item, ("name",), place)
        found[text(item.get("name"), f"{place}.name")] = webhook({}, place)
    return found


def _tasks(raw: JsonValue, base: Path, where: str) -> dict[str, JsonObject]:
    """Each task is a seed named after it: created by the first deploy, not by later ones."""
    found: dict[str, JsonObject] = {}
    for index, item_raw in enumerate(items(raw, where)):
        place = f"{where}[{index}]"
        item = mapping(item_raw, place)
        only_keys(item, ("name", "data", "file"), place)
        name = text(item.get("name"), f"{place}.name")
        if ("data" in item) == ("file" in item):
            raise DeployFileError(f"{place}: give the task's data either as `data` or as `file`")
        data = (
            item.get("data")
            if "data" in item
            else _task_file(base, text(item["file"], f"{place}.file"), place)
        )
        if name in found:
            raise DeployFileError(f"{place}: task {name!r} twice")
        found[name] = seed(name, name, data, place)
    return found


def _task_file(base: Path, path: str, where: str) -> JsonValue:
    try:
        return json_value(yaml.safe_load(read_source(base / path, where)), where)
    except yaml.YAMLError as error:
        raise DeployFileError(f"{where}: {path} is not valid YAML or JSON: {error}") from None
