"""Sandbox overhead per run: a trivial step and one over 100 KB of data, against bare QuickJS.

The baseline is the least any sandbox must do: a fresh QuickJS context evaluating one
expression. The ratio says what the step runtime (globals, module evaluation, limits, JSON in
and out, change detection) costs on top.
"""

import json
import time
from collections.abc import Callable

import quickjs

from aloma_core.sandbox.run import run_content
from aloma_core.sandbox.types import ConnectorCall, ConnectorFailed, RunInput

TRIVIAL = "export const condition = {a: 1};\nexport const content = async () => { data.b = data.a + 1; };\n"
ROUNDS = 200


class _Offline:
    def call(self, call: ConnectorCall) -> None:
        raise ConnectorFailed(f"benchmarks make no calls ({call.namespace})")


def _per_run_ms(run: Callable[[], object], rounds: int) -> float:
    run()
    start = time.perf_counter()
    for _ in range(rounds):
        run()
    return (time.perf_counter() - start) / rounds * 1000


def _bare_quickjs(data_json: str) -> Callable[[], object]:
    def run() -> object:
        context = quickjs.Context()
        context.set("__in", data_json)
        return context.eval("JSON.stringify(Object.assign(JSON.parse(__in), {b: 2}))")

    return run


def _step_run(data: dict[str, object]) -> Callable[[], object]:
    run = RunInput(TRIVIAL, data, "task", None, (), "bench", "claim")
    return lambda: run_content(run, _Offline())


def large_data() -> dict[str, object]:
    rows = [
        {"id": i, "name": f"customer {i}", "email": f"c{i}@example.com", "tags": ["a", "b"]}
        for i in range(1190)
    ]
    data: dict[str, object] = {"a": 1, "rows": rows}
    assert 95_000 < len(json.dumps(data)) < 110_000
    return data


def run() -> list[tuple[str, str, str, str]]:
    rows = []
    for label, data in (("trivial step", {"a": 1}), ("100 KB of data", large_data())):
        step = _per_run_ms(_step_run(data), ROUNDS)
        bare = _per_run_ms(_bare_quickjs(json.dumps(data)), ROUNDS)
        rows.append((label, f"{step:.2f} ms", f"{bare:.2f} ms", f"{step / bare:.1f}x"))
    return rows
