"""How a connector configuration is kept: secret fields as references, values only in the secret store.

Stored form of a secret field: `{"secret": "NAME"}` (a plain `"NAME"` for a secret-name field).
A literal given in a PUT is stored as the workspace secret `connector.<namespace>.<field>`. The
values come back only when a run builds an instance, and never appear in an answer.
"""

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInput
from ..json_types import JsonObject, JsonValue
from .base import Connector
from .errors import ConnectorError

MASK = "***"
Type = type[Connector[Any]]


def reference(value: JsonValue) -> str | None:
    """NAME if `value` is `{"secret": NAME}`."""
    if isinstance(value, dict) and value.keys() == {"secret"} and isinstance(value["secret"], str):
        return value["secret"] or None
    return None


def separate(connector_type: Type, namespace: str, config: JsonObject) -> tuple[JsonObject, dict[str, str]]:
    """The stored form of a PUT's `config`, and the literal secrets it carried (name -> value)."""
    stored = dict(config)
    moved: dict[str, str] = {}
    for field in connector_type.secret_fields:
        value = config.get(field)
        if value is None or reference(value) is not None:
            continue
        if not isinstance(value, str) or not value:
            raise InvalidInput(
                f'config.{field}: a secret, given as a non-empty string or {{"secret": "NAME"}}'
            )
        name = f"connector.{namespace}.{field}"
        moved[name] = value
        stored[field] = {"secret": name}
    for field in connector_type.secret_name_fields:
        value = config.get(field)
        if value is not None and (not isinstance(value, str) or not value):
            raise InvalidInput(f"config.{field}: the name of a workspace secret")
    return stored, moved


def secret_names(connector_type: Type, stored: JsonObject) -> list[str]:
    """Every workspace secret a stored configuration refers to."""
    names = [reference(stored.get(field)) for field in connector_type.secret_fields]
    names += [
        value for field in connector_type.secret_name_fields if isinstance(value := stored.get(field), str)
    ]
    return [name for name in names if name]


def owned_secrets(namespace: str, stored: JsonObject) -> list[str]:
    """The secrets `separate` stored for this namespace that `stored` refers to: they go with it."""
    prefix = f"connector.{namespace}."
    names = [reference(value) for value in stored.values()]
    return [name for name in names if name is not None and name.startswith(prefix)]


def masked(connector_type: Type, stored: JsonObject) -> JsonObject:
    """The form to answer with: references and names as stored, anything else in a secret field masked."""
    answer = dict(stored)
    for field in connector_type.secret_fields:
        value = stored.get(field)
        if value is not None and reference(value) is None:
            answer[field] = MASK
    return answer


def with_placeholders(connector_type: Type, stored: JsonObject) -> JsonObject:
    """`stored` with a stand-in for each secret, to validate the rest of it before any value is known."""
    fields = (*connector_type.secret_fields, *connector_type.secret_name_fields)
    return {key: MASK if key in fields and value is not None else value for key, value in stored.items()}


def resolve(connector_type: Type, stored: JsonObject, secrets: Mapping[str, str]) -> JsonObject:
    """`stored` with each secret field holding its value, ready for the type's config model."""
    resolved = dict(stored)
    for field in (*connector_type.secret_fields, *connector_type.secret_name_fields):
        value = stored.get(field)
        if value is None:
            continue
        name = value if field in connector_type.secret_name_fields else reference(value)
        if not isinstance(name, str) or not name:
            raise ConnectorError(f"its config field {field} does not name a workspace secret")
        if name not in secrets:
            raise ConnectorError(f"its config field {field} names the secret {name}, which is not set")
        resolved[field] = secrets[name]
    return resolved
