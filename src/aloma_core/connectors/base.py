"""The contract of a connector type: what a package implements to add `connectors.NS.METHOD()`.

A type is a `Connector` subclass registered under the entry-point group `aloma.connectors`:

- `config_model`: a pydantic model of its configuration (what `PUT /v1/connectors/NS` carries);
- `secret_fields`: config fields holding a secret. The workspace gives each either as a literal
  string, which the platform moves to the secret store, or as `{"secret": "NAME"}` naming a
  workspace secret. The stored configuration only ever holds `{"secret": NAME}`; the instance
  receives the value. Type these fields `SecretStr` so that a repr never shows them;
- `secret_name_fields`: the same, for fields whose plain string is the *name* of a workspace
  secret (the `remote` type's `secret`, as api.md defines it);
- methods marked `@connector_method`, each `(self, args, call) -> JSON`: `args` is the step's
  first argument, `call` carries the idempotency key and the deadline. Only these, and only when
  public, can a step call; `default_method` is the one `connectors.NS(args)` reaches.

An instance serves one run of one task and may be called from several threads at once.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ..json_types import JsonValue
from .call import Call
from .egress import EgressPolicy
from .errors import ConnectorError, UnknownMethod
from .limits import HttpLimits

if TYPE_CHECKING:
    from .http import HttpClient

ConfigT = TypeVar("ConfigT", bound=BaseModel)
ModelT = TypeVar("ModelT", bound=BaseModel)
MethodT = TypeVar("MethodT", bound=Callable[..., JsonValue])

_DECLARED = "__aloma_connector_method__"


@dataclass(frozen=True)
class ConnectorContext:
    """Where an instance runs, and how it reaches the network.

    `own_machine` is set by the local home only: there a configured in-house service may be the
    laptop itself, while on AWS loopback is where the Lambda runtime API listens.
    """

    workspace_id: str
    task_id: str
    egress_allow: tuple[str, ...] = ()
    http_limits: HttpLimits = field(default_factory=HttpLimits)
    own_machine: bool = False

    def http(self, *, private_network: bool = False) -> "HttpClient":
        """The shared outbound client, guarded by the workspace's allow list.

        `private_network` lets it reach private addresses too (and loopback with `own_machine`;
        never link-local or the cloud metadata ones): only for URLs the workspace configured,
        never for URLs a step chose.
        """
        from .http import HttpClient  # noqa: PLC0415 - httpx on the first call, not at import

        policy = EgressPolicy.of(
            self.egress_allow,
            private_network=private_network,
            own_machine=private_network and self.own_machine,
            dns_timeout_s=self.http_limits.dns_timeout_s,
        )
        return HttpClient(policy, self.http_limits)


def connector_method(method: MethodT) -> MethodT:
    """Declare `method` callable from steps as `connectors.NS.<its name>(args)`."""
    setattr(method, _DECLARED, True)
    return method


class Connector(Generic[ConfigT]):
    config_model: type[ConfigT]
    secret_fields: ClassVar[tuple[str, ...]] = ()
    secret_name_fields: ClassVar[tuple[str, ...]] = ()
    default_method: ClassVar[str | None] = None
    methods: ClassVar[frozenset[str]] = frozenset()
    """Filled in for each subclass from its `@connector_method`s."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = {name for name in dir(cls) if getattr(inspect.getattr_static(cls, name), _DECLARED, False)}
        hidden = sorted(name for name in declared if name.startswith("_"))
        if hidden:
            raise TypeError(f"{cls.__qualname__}: connector methods must be public, not {', '.join(hidden)}")
        cls.methods = frozenset(declared)

    def __init__(self, config: ConfigT, context: ConnectorContext) -> None:
        self.config = config
        self.context = context

    def call_method(self, method: str, args: JsonValue, call: Call) -> JsonValue:
        """Run a declared method; override to accept any method name (the `remote` type does)."""
        name = method or self.default_method
        if name is None or name not in self.methods:
            raise UnknownMethod(method, self.methods)
        declared: Callable[[JsonValue, Call], JsonValue] = getattr(self, name)
        return declared(args, call)


def validation_message(error: ValidationError) -> str:
    """`field.sub: what is wrong; ...` without the input values, which may hold secrets."""
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    return "; ".join(
        f"{'.'.join(map(str, problem['loc'])) or 'value'}: {problem['msg']}" for problem in problems
    )


def parse_args(model: type[ModelT], args: JsonValue) -> ModelT:
    """A method's arguments validated by `model`, or a ConnectorError saying what is wrong."""
    if not isinstance(args, dict):
        raise ConnectorError(f"the argument must be an object, not {_json_kind(args)}")
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        raise ConnectorError(f"bad arguments: {validation_message(exc)}") from None


def _json_kind(value: JsonValue) -> str:
    kinds: dict[type, str] = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "an array",
    }
    return "null" if value is None else kinds[type(value)]
