"""What both deploy file shapes share: checked reads of YAML values, each error naming its place,
and the normal forms of connectors, webhooks and schedules the planner compares."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ...connectors.registry import ConnectorTypeError, connector_type
from ...connectors.stored import reference
from ...errors import InvalidInput
from ...json_types import JsonObject, JsonValue
from ...model import SigningScheme
from ...webhooks import definition
from ..errors import UsageProblem
from ..sync import STEP_SUFFIX, step_files


class DeployFileError(UsageProblem):
    """The deploy file is wrong; the message names the file and the place in it (exit 2)."""


def mapping(value: JsonValue, where: str) -> JsonObject:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DeployFileError(f"{where}: expected a mapping, not {_kind(value)}")
    return value


def items(value: JsonValue, where: str) -> list[JsonValue]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DeployFileError(f"{where}: expected a list, not {_kind(value)}")
    return value


def text(value: JsonValue, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise DeployFileError(f"{where}: expected a non-empty string, not {_kind(value)}")
    return value


def only_keys(found: JsonObject, allowed: Iterable[str], where: str) -> None:
    """An unknown key is an error, never ignored: a typo must not silently deploy less."""
    known = list(allowed)
    strays = [key for key in found if key not in known]
    if strays:
        keys = ", ".join(repr(key) for key in strays)
        raise DeployFileError(f"{where}: unknown key {keys}; known keys: {', '.join(known)}")


def _kind(value: JsonValue) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "nothing"}
    return names.get(type(value), "a number")


def read_source(path: Path, where: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DeployFileError(f"{where}: cannot read {path}: {error}") from None


def folder_sources(base: Path, folder: str, where: str) -> dict[str, str]:
    """Every `NAME.js` directly in the folder, by NAME: the same files `aloma step sync` reads."""
    directory = base / folder
    if not directory.is_dir():
        raise DeployFileError(f"{where}: {directory} is not a directory")
    return {file.name: read_source(file.path, where) for file in step_files(directory)}


def file_name(path: str) -> str:
    return Path(path).name.removesuffix(STEP_SUFFIX)


def connector(raw: JsonValue, where: str) -> JsonObject:
    """`{type, config}`; a literal in a secret field is refused, since it could never be compared
    with the workspace (which shows only references) and so never be deployed idempotently."""
    entry = mapping(raw, where)
    only_keys(entry, ("type", "config"), where)
    type_name = text(entry.get("type"), f"{where}.type")
    config = mapping(entry.get("config"), f"{where}.config")
    for field in _secret_fields(type_name):
        value = config.get(field)
        if value is not None and reference(value) is None:
            raise DeployFileError(
                f'{where}.config.{field}: a secret field: write {{"secret": NAME}} and list NAME under '
                "secrets (its value is set with `aloma secret set NAME -`, never kept in the file)"
            )
    return {"type": type_name, "config": config}


def _secret_fields(type_name: str) -> tuple[str, ...]:
    try:
        return tuple(connector_type(type_name).secret_fields)
    except ConnectorTypeError:
        return ()  # a type only the server knows: the server checks it


def connector_secrets(connectors: dict[str, JsonObject]) -> set[str]:
    """The workspace secrets the connectors refer to, so a missing one stops the deploy up front."""
    names: set[str] = set()
    for entry in connectors.values():
        config = entry["config"]
        assert isinstance(config, dict)
        names |= {name for value in config.values() if (name := reference(value))}
        type_name = entry["type"]
        assert isinstance(type_name, str)
        try:
            name_fields = connector_type(type_name).secret_name_fields
        except ConnectorTypeError:
            continue
        names |= {value for field in name_fields if isinstance(value := config.get(field), str)}
    return names


def signing_secrets(webhooks: dict[str, JsonObject]) -> set[str]:
    names: set[str] = set()
    for spec in webhooks.values():
        signing = spec.get("signing")
        if isinstance(signing, dict) and isinstance(signing.get("secret"), str):
            names.add(str(signing["secret"]))
    return names


def webhook(raw: JsonValue, where: str) -> JsonObject:
    """A webhook in the form the API lists it, defaults filled in the way the server fills them."""
    entry = mapping(raw, where)
    only_keys(entry, ("signing", "keep_headers", "rate_limit_per_minute"), where)
    try:
        signing: JsonObject | None = None
        if entry.get("signing") is not None:
            given = mapping(entry["signing"], f"{where}.signing")
            only_keys(given, ("scheme", "secret", "header"), f"{where}.signing")
            header = given.get("header")
            signed = definition.signing(
                SigningScheme(text(given.get("scheme"), f"{where}.signing.scheme")),
                text(given.get("secret"), f"{where}.signing.secret"),
                None if header is None else text(header, f"{where}.signing.header"),
            )
            signing = {"scheme": signed.scheme.value, "secret": signed.secret, "header": signed.header}
        kept = [text(name, f"{where}.keep_headers") for name in items(entry.get("keep_headers"), where)]
        rate = entry.get("rate_limit_per_minute")
        if rate is not None and (not isinstance(rate, int) or isinstance(rate, bool)):
            raise DeployFileError(f"{where}.rate_limit_per_minute: expected a whole number")
        return {
            "signing": signing,
            "keep_headers": list(definition.kept_headers(kept)),
            "rate_limit_per_minute": definition.rate_limit(rate),
        }
    except (InvalidInput, ValueError) as error:
        raise DeployFileError(f"{where}: {error}") from None


def webhook_body(name: str, spec: JsonObject) -> JsonObject:
    body: JsonObject = {"name": name, **spec}
    if body.get("signing") is None:
        body.pop("signing", None)
    return body


def schedule(name: str, raw: JsonValue, where: str) -> JsonObject:
    entry = mapping(raw, where)
    only_keys(entry, ("cron", "timezone", "data", "task_name"), where)
    return {
        "cron": text(entry.get("cron"), f"{where}.cron"),
        "timezone": text(entry.get("timezone", "UTC"), f"{where}.timezone"),
        "data": mapping(entry.get("data"), f"{where}.data"),
        "task_name": text(entry.get("task_name", name), f"{where}.task_name"),
    }


def schedule_body(spec: JsonObject) -> JsonObject:
    return {
        "cron": spec["cron"],
        "timezone": spec["timezone"],
        "data": spec["data"],
        "name": spec["task_name"],
    }


def seed(name: str, task_name: JsonValue, data: JsonValue, where: str) -> JsonObject:
    if not 0 < len(name) <= 200:
        raise DeployFileError(f"{where}: a seed name is 1-200 characters")
    body: JsonObject = {"data": mapping(data, f"{where}.data")}
    if task_name is not None:
        body["name"] = text(task_name, f"{where}.name")
    return body


def json_value(value: Any, where: str) -> JsonValue:
    """YAML may hold dates, binary and non-string keys; a deploy file holds JSON values only."""
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise DeployFileError(f"{where}: the key {key!r} is not a string; quote it")
        return {key: json_value(item, f"{where}.{key}" if where else key) for key, item in value.items()}
    if isinstance(value, list):
        return [json_value(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise DeployFileError(f"{where}: {value!r} is not a JSON value (a date?); quote it")
