"""Helpers for the sandbox tests: a fake connector host and short ways to run a step's content."""

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aloma_core.json_types import JsonObject, JsonValue
from aloma_core.limits import Limits
from aloma_core.sandbox.run import run_content
from aloma_core.sandbox.types import ConnectorCall, ConnectorFailed, RunInput, RunResult

# Small enough that runaway-code tests stay fast, large enough for a normal step.
FAST = Limits(cpu_time_ms=300, wall_time_ms=2_000)


@dataclass
class FakeHost:
    """Answers `NS.METHOD` from `results` (else echoes the call), fails from `failures`, waits `delays`."""

    results: dict[str, JsonValue] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    calls: list[ConnectorCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, call: ConnectorCall) -> JsonValue:
        name = f"{call.namespace}.{call.method}"
        with self._lock:
            self.calls.append(call)
        time.sleep(self.delays.get(name, 0))
        if name in self.failures:
            raise ConnectorFailed(self.failures[name])
        if name in self.results:
            return self.results[name]
        return {"namespace": call.namespace, "method": call.method, "args": call.args}


# A step file's first lines when the test is about what comes after them (line 3 onwards).
HEAD = "export const condition = {};\nexport const content = async () => {};\n"


def step_file(body: str, condition: str = "{}") -> str:
    """A step file whose content body starts on line 3."""
    return f"export const condition = {condition};\nexport const content = async () => {{\n{body}\n}};\n"


def run_source(
    source: str,
    data: JsonObject | None = None,
    *,
    host: FakeHost | None = None,
    limits: Limits = FAST,
    config: Mapping[str, str] | None = None,
    claim_id: str = "claim-1",
    tags: tuple[str, ...] = ("new",),
) -> RunResult:
    inp = RunInput(
        source=source,
        data={} if data is None else data,
        task_id="task-1",
        task_name="onboarding",
        tags=tags,
        step_name="validate email",
        claim_id=claim_id,
        config=config or {},
        limits=limits,
    )
    return run_content(inp, host or FakeHost())


def run_body(body: str, data: JsonObject | None = None, **options: Any) -> RunResult:
    return run_source(step_file(body), data, **options)


def ok(result: RunResult) -> RunResult:
    assert result.error is None, result.error
    return result


def messages(result: RunResult) -> list[str]:
    return [line.message for line in result.logs]
