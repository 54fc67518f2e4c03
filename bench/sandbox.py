"""Sandbox overhead per run: a trivial step and one over 100 KB of data, against bare QuickJS,
and the trivial step against spawning `node` for every run.

The baseline is the least any sandbox must do: a fresh QuickJS context evaluating one
expression. The ratio says what the step runtime (globals, module evaluation, limits, JSON in
and out, change detection) costs on top. `node` per run is what a sandbox built on processes
would pay instead. Each figure is the best of a few interleaved batches, so that other load on
the machine skews both sides of a ratio alike rather than one of them.
"""

import json
import shutil
import subprocess
import time
from collections.abc import Callable

import quickjs

from aloma_core.sandbox.run import run_content
from aloma_core.sandbox.types import ConnectorCall, ConnectorFailed, RunInput

TRIVIAL = "export const condition = {a: 1};\nexport const content = async () => { data.b = data.a + 1; };\n"
ROUNDS = 200
BATCHES = 5
NODE_ROUNDS = 10
NODE_SCRIPT = "const d = JSON.parse(process.argv[1]); d.b = d.a + 1; console.log(JSON.stringify(d));"

Row = tuple[str, str, str, str]


class _Offline:
    def call(self, call: ConnectorCall) -> None:
        raise ConnectorFailed(f"benchmarks make no calls ({call.namespace})")


def _best_ms(runs: list[Callable[[], object]], rounds: int) -> list[float]:
    """Milliseconds per call of each of `runs`, the best of BATCHES batches taken in turn."""
    for run in runs:
        run()
    best = [float("inf")] * len(runs)
    for _ in range(BATCHES):
        for index, run in enumerate(runs):
            start = time.perf_counter()
            for _ in range(rounds):
                run()
            best[index] = min(best[index], (time.perf_counter() - start) / rounds * 1000)
    return best


def _bare_quickjs(data_json: str) -> Callable[[], object]:
    def run() -> object:
        context = quickjs.Context()
        context.set("__in", data_json)
        return context.eval("JSON.stringify(Object.assign(JSON.parse(__in), {b: 2}))")

    return run


def _step_run(data: dict[str, object]) -> Callable[[], object]:
    run = RunInput(TRIVIAL, data, "task", None, (), "bench", "claim")
    return lambda: run_content(run, _Offline())


def _node_run(node: str) -> Callable[[], object]:
    def run() -> object:
        done = subprocess.run([node, "-e", NODE_SCRIPT, '{"a": 1}'], capture_output=True, check=True)
        return done.stdout

    return run


def large_data() -> dict[str, object]:
    rows = [
        {"id": i, "name": f"customer {i}", "email": f"c{i}@example.com", "tags": ["a", "b"]}
        for i in range(1190)
    ]
    data: dict[str, object] = {"a": 1, "rows": rows}
    assert 95_000 < len(json.dumps(data)) < 110_000
    return data


def _node_row(step_ms: float) -> Row:
    label = "trivial step vs `node` per run"
    node = shutil.which("node")
    if node is None:
        return (label, f"{step_ms:.2f} ms", "node not found", "-")
    (node_ms,) = _best_ms([_node_run(node)], NODE_ROUNDS)
    return (label, f"{step_ms:.2f} ms", f"node {node_ms:.1f} ms", f"{node_ms / step_ms:.0f}x faster")


def _versus_bare(label: str, data: dict[str, object], rounds: int) -> tuple[Row, float]:
    step, bare = _best_ms([_step_run(data), _bare_quickjs(json.dumps(data))], rounds)
    return (label, f"{step:.2f} ms", f"{bare:.2f} ms", f"{step / bare:.1f}x"), step


def run() -> list[Row]:
    trivial, trivial_ms = _versus_bare("trivial step", {"a": 1}, ROUNDS)
    large, _ = _versus_bare("100 KB of data", large_data(), ROUNDS // 4)
    return [trivial, large, _node_row(trivial_ms)]
