"""Connector mocks for `aloma step test`: canned answers per method, and a record of every call.

A mock file is a JSON object for one namespace: each key is a method name (`""` answers a call
of the namespace itself, `connectors.fetch(...)`), each value one outcome or a list of outcomes
used in turn (the last one repeats). An outcome is `{"returns": VALUE}` or `{"throws": "message"}`.
A call no mock answers is refused, so a dry run never reaches a real service.
"""

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..json_types import JsonObject, JsonValue
from ..sandbox.types import ConnectorCall, ConnectorFailed
from .errors import UsageProblem


@dataclass(frozen=True)
class Outcome:
    returns: JsonValue = None
    throws: str | None = None


@dataclass(frozen=True)
class RecordedCall:
    """One call as the step made it; `answer` is what it got, `failure` why it was rejected."""

    key: str
    namespace: str
    method: str
    args: JsonValue
    mocked: bool
    answer: JsonValue = None
    failure: str | None = None

    def to_json(self) -> JsonObject:
        return {
            "namespace": self.namespace,
            "method": self.method,
            "args": self.args,
            "mocked": self.mocked,
            "returned": self.answer,
            "error": self.failure,
        }


Mocks = dict[str, dict[str, list[Outcome]]]


def parse_mock(namespace: str, value: JsonValue, where: str) -> dict[str, list[Outcome]]:
    """One namespace's mock file contents; anything outside the format is a usage error naming where."""
    if not isinstance(value, dict):
        raise UsageProblem(f"{where}: a mock file is a JSON object of method name -> outcome(s)")
    methods: dict[str, list[Outcome]] = {}
    for method, raw in value.items():
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            raise UsageProblem(f"{where}: {namespace}.{method}: an empty list answers nothing")
        methods[method] = [_outcome(item, f"{where}: {namespace}.{method}") for item in items]
    return methods


def _outcome(raw: JsonValue, where: str) -> Outcome:
    if not isinstance(raw, dict) or len(raw) != 1 or not raw.keys() <= {"returns", "throws"}:
        raise UsageProblem(f'{where}: an outcome is {{"returns": VALUE}} or {{"throws": "message"}}')
    if "throws" in raw:
        message = raw["throws"]
        if not isinstance(message, str) or not message:
            raise UsageProblem(f"{where}: throws takes a non-empty message")
        return Outcome(throws=message)
    return Outcome(returns=raw["returns"])


def load_mock_option(option: str) -> tuple[str, dict[str, list[Outcome]]]:
    """`NS=FILE` from the command line."""
    namespace, sep, file = option.partition("=")
    if not sep or not namespace or not file:
        raise UsageProblem(f"--connector-mock {option!r}: expected NS=FILE, e.g. crm=crm-mock.json")
    try:
        value = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"cannot read the mock file {file}: {error}") from None
    except ValueError as error:
        raise UsageProblem(f"the mock file {file} is not valid JSON: {error}") from None
    return namespace, parse_mock(namespace, value, file)


class MockConnectorHost:
    """A ConnectorHost that answers from mocks. Calls arrive on the sandbox's threads, hence the lock."""

    def __init__(self, mocks: Mapping[str, Mapping[str, list[Outcome]]]) -> None:
        self._mocks = {ns: dict(methods) for ns, methods in mocks.items()}
        self._used: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self.calls: list[RecordedCall] = []

    def call(self, call: ConnectorCall) -> JsonValue:
        label = f"connectors.{call.namespace}" + (f".{call.method}" if call.method else "")
        outcomes = self._mocks.get(call.namespace, {}).get(call.method)
        with self._lock:
            if outcomes is None:
                entry = call.method or '""'
                hint = f"give --connector-mock {call.namespace}=FILE with a {entry} entry"
                failure = f"{label} is not mocked; a step test never calls real services ({hint})"
                self._record(call, False, failure=failure)
                raise ConnectorFailed(failure)
            used = self._used.get((call.namespace, call.method), 0)
            self._used[(call.namespace, call.method)] = used + 1
            outcome = outcomes[min(used, len(outcomes) - 1)]
            if outcome.throws is not None:
                self._record(call, True, failure=outcome.throws)
                raise ConnectorFailed(outcome.throws)
            self._record(call, True, answer=outcome.returns)
            return outcome.returns

    def _record(
        self, call: ConnectorCall, mocked: bool, *, answer: JsonValue = None, failure: str | None = None
    ) -> None:
        self.calls.append(
            RecordedCall(
                call.idempotency_key, call.namespace, call.method, call.args, mocked, answer, failure
            )
        )
