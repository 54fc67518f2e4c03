"""Connector types by name, found through the entry-point group `aloma.connectors`.

Entry points are listed once per process and a type is imported only when first used, so a
broken third-party package breaks its own type, not the others.
"""

import functools
import re
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InvalidInput
from ..json_types import JsonObject, JsonValue
from .base import Connector, validation_message
from .errors import ConnectorError
from .stored import MASK, masked, reference, secret_names, separate, with_placeholders

GROUP = "aloma.connectors"
BUILT_IN_NAMESPACE = "fetch"

ConnectorType = type[Connector[Any]]

_NAMESPACE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# Names the sandbox's `connectors` object never turns into a namespace (promise and JSON probes).
_UNREACHABLE = frozenset({"then", "catch", "finally", "toJSON", "constructor", "valueOf", "toString"})


class ConnectorTypeError(ConnectorError):
    """An unknown type, or one whose package does not keep the contract."""


@functools.cache
def _registered() -> dict[str, list[EntryPoint]]:
    found: dict[str, list[EntryPoint]] = {}
    for point in entry_points(group=GROUP):
        found.setdefault(point.name, []).append(point)
    return found


def refresh() -> None:
    """Forget what was found: for a process that installs a connector package while running."""
    _registered.cache_clear()
    connector_type.cache_clear()


def known_types() -> list[str]:
    return sorted(_registered())


@functools.cache
def connector_type(name: str) -> ConnectorType:
    """The class registered under `name`, imported and checked against the contract."""
    points = _registered().get(name)
    if not points:
        raise ConnectorTypeError(f"unknown connector type {name!r}; known types: {', '.join(known_types())}")
    if len(points) > 1:
        sources = ", ".join(point.value for point in points)
        raise ConnectorTypeError(f"connector type {name!r} is registered more than once: {sources}")
    try:
        loaded = points[0].load()
    except Exception as exc:  # a third-party package that fails to import
        raise ConnectorTypeError(
            f"connector type {name!r} cannot be loaded: {type(exc).__name__}: {exc}"
        ) from None
    return _checked(name, loaded)


def _checked(name: str, loaded: object) -> ConnectorType:
    if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
        raise ConnectorTypeError(f"connector type {name!r} is not a Connector subclass")
    model = getattr(loaded, "config_model", None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise ConnectorTypeError(f"connector type {name!r} has no pydantic config_model")
    strays = [
        field
        for field in (*loaded.secret_fields, *loaded.secret_name_fields)
        if field not in model.model_fields
    ]
    if strays:
        raise ConnectorTypeError(f"connector type {name!r} declares secret fields its config lacks: {strays}")
    if loaded.default_method is not None and loaded.default_method not in loaded.methods:
        raise ConnectorTypeError(f"connector type {name!r} has a default_method it does not declare")
    return loaded


@dataclass(frozen=True)
class PreparedConfig:
    """A `PUT /v1/connectors/NS` made ready to store.

    `stored` holds references instead of secret values; write `new_secrets` (the literals the PUT
    carried) to the secret store with it. Every name in `secret_names` must then exist there.
    """

    stored: JsonObject
    answer: JsonObject
    new_secrets: dict[str, str]
    secret_names: list[str]


def check_namespace(namespace: str) -> None:
    if not _NAMESPACE.fullmatch(namespace):
        raise InvalidInput("namespace: letters, digits and '_', starting with a letter or '_', at most 64")
    if namespace in _UNREACHABLE:
        raise InvalidInput(f"namespace: {namespace!r} cannot be reached as connectors.{namespace} in a step")
    if namespace == BUILT_IN_NAMESPACE:
        raise InvalidInput("namespace: fetch is built in and always present; choose another namespace")


def prepare(namespace: str, type_name: str, config: JsonValue) -> PreparedConfig:
    """Validate a PUT (422 `InvalidInput` saying what is wrong) and split its secrets out."""
    check_namespace(namespace)
    try:
        connector = connector_type(type_name)
    except ConnectorTypeError as exc:
        raise InvalidInput(f"type: {exc}") from None
    if not isinstance(config, dict):
        raise InvalidInput("config: an object")
    stored, new_secrets = separate(connector, namespace, config)
    try:
        connector.config_model.model_validate(with_placeholders(connector, stored))
    except ValidationError as exc:
        raise InvalidInput(f"config: {validation_message(exc)}") from None
    return PreparedConfig(stored, masked(connector, stored), new_secrets, secret_names(connector, stored))


def answer(type_name: str, stored: JsonObject) -> JsonObject:
    """A stored configuration as an answer shows it; if its type is gone, only references stay readable."""
    try:
        connector = connector_type(type_name)
    except ConnectorTypeError:
        return {key: value if reference(value) is not None else MASK for key, value in stored.items()}
    return masked(connector, stored)
