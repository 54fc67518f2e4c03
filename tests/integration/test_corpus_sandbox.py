"""The sandbox-abuse corpus: hostile step code run through the real worker pool, as `aloma dev` runs it.

Every case is contained: the run ends in an error naming the limit it hit (semantics.md section 7)
or a clear JavaScript error, the worker process survives it, and the next run on that worker
succeeds and sees clean globals. The limits are small so that the corpus stays fast.
"""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aloma_core.json_types import JsonObject, JsonValue
from aloma_core.limits import CPU_TIME, KIB, LOG, MEMORY, MIB, STACK, WALL_TIME, Limits
from aloma_core.sandbox.pool import ProcessSandbox
from aloma_core.sandbox.run import STALLED
from aloma_core.sandbox.types import ConnectorCall, RunInput, RunResult

pytestmark = pytest.mark.corpus

SMALL = Limits(
    cpu_time_ms=200, wall_time_ms=1_000, memory_bytes=16 * MIB, stack_bytes=256 * KIB, log_bytes=4 * KIB
)
# The largest stack the limits allow: JavaScript then nests values deeper than Python reads JSON.
DEEP_STACK = SMALL.model_copy(update={"stack_bytes": 4 * MIB})
# A storm needs the default memory and CPU time: 10,000 pending calls do not fit in SMALL.
STORM_LIMITS = Limits(wall_time_ms=1_000, log_bytes=4 * KIB)
STORM = (
    "const calls = [];\nfor (let i = 0; i < 10000; i++) calls.push(connectors.{namespace}.echo({{ i }}));\n"
    "data.answers = (await Promise.all(calls)).length;"
)
# QuickJS looks at its clock every few thousand operations, and the sandbox's setup is charged too.
CPU_MARGIN_MS = 100


@dataclass(frozen=True)
class CorpusHost:
    """Pickled into the worker: `probe.pid` answers the worker's pid, `slow.*` takes 50 ms, the rest echo.

    Every call is counted as one line in `ledger`, so the test can see how many calls were made.
    """

    ledger: str

    def call(self, call: ConnectorCall) -> JsonValue:
        with open(self.ledger, "a", encoding="utf-8") as ledger:
            ledger.write(f"{call.namespace}.{call.method}\n")
        if call.namespace == "probe":
            return os.getpid()
        if call.namespace == "slow":
            time.sleep(0.05)
        return {"args": call.args}

    def count(self) -> int:
        path = Path(self.ledger)
        return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


@dataclass(frozen=True)
class Abuse:
    """Hostile content, and how its run must end: `limit` names the limit, `message` is part of the error."""

    body: str
    message: str
    limit: str | None = None
    limits: Limits = field(default=SMALL)


def run_input(body: str, limits: Limits = SMALL) -> RunInput:
    source = f"export const condition = {{}};\nexport const content = async () => {{\n{body}\n}};\n"
    return RunInput(source, {"seed": 1}, "task-1", None, (), "abuse", "claim-1", limits=limits)


# What the next run on the worker checks: the builtins and globals an earlier run may have broken.
PROBE = """
data.pid = await connectors.probe.pid();
data.clean = {
  polluted: typeof ({}).polluted,
  map: [1, 2].map((n) => n * 2),
  leftover: typeof leftover,
  json: JSON.stringify({ a: [1] }),
  log: typeof console.log,
};
console.log('probe');
"""
CLEAN: JsonObject = {
    "polluted": "undefined",
    "map": [2, 4],
    "leftover": "undefined",
    "json": '{"a":[1]}',
    "log": "function",
}

ABUSES: dict[str, Abuse] = {
    "sync-loop": Abuse("globalThis.leftover = 1;\nwhile (true) {}", "CPU time limit exceeded", CPU_TIME),
    "loop-in-then-job": Abuse(
        "Promise.resolve().then(() => { for (;;) {} });", "CPU time limit exceeded", CPU_TIME
    ),
    "loop-in-finally-after-caught-interrupt": Abuse(
        "try { while (true) {} } catch (e) { data.caught = String(e); } finally { for (;;) {} }",
        "CPU time limit exceeded",
        CPU_TIME,
    ),
    "getter-on-data-loops": Abuse(
        "Object.defineProperty(data, 'trap', { enumerable: true, get() { for (;;) {} } });",
        "CPU time limit exceeded",
        CPU_TIME,
    ),
    "toJSON-on-data-loops": Abuse(
        "data.toJSON = () => { for (;;) {} };", "CPU time limit exceeded", CPU_TIME
    ),
    # Planted where the sandbox's own code would meet it when it reads the log after the run.
    "toJSON-getter-on-Object.prototype": Abuse(
        "console.log('kept');\nObject.defineProperty(Object.prototype, 'toJSON', { get() { for (;;) {} } });",
        "CPU time limit exceeded",
        CPU_TIME,
    ),
    "catch-the-interrupt-and-loop-again": Abuse(
        "for (let round = 0; ; round++) {\n"
        "  try { while (true) {} } catch (e) { globalThis.leftover = round; }\n}",
        "CPU time limit exceeded",
        CPU_TIME,
    ),
    # Doubling builds a rope that takes little memory, until the string is longer than QuickJS allows.
    "string-doubling": Abuse("let s = 'x';\nfor (;;) s += s;", "InternalError: string too long"),
    "string-repeat-doubling": Abuse(
        "let s = 'x';\nfor (;;) s = s.repeat(2);", "memory limit exceeded", MEMORY
    ),
    "array-push": Abuse(
        "const a = [];\nfor (;;) a.push({ n: a.length, s: 'x' + a.length });", "memory limit exceeded", MEMORY
    ),
    "huge-typed-array": Abuse("data.big = new Uint8Array(1e9).length;", "memory limit exceeded", MEMORY),
    "huge-array-buffer": Abuse(
        "data.big = new ArrayBuffer(2 ** 31).byteLength;", "RangeError: invalid array buffer length"
    ),
    "many-typed-arrays": Abuse(
        "const keep = [];\nfor (;;) keep.push(new Uint8Array(1 << 20));", "memory limit exceeded", MEMORY
    ),
    "unbounded-recursion": Abuse(
        "const down = (n) => down(n + 1) + 1;\ndown(0);", "stack limit exceeded", STACK
    ),
    "log-flood": Abuse("for (let i = 0; i < 1e6; i++) console.log('line', i);", "log limit exceeded", LOG),
    "log-flood-caught": Abuse(
        "for (let i = 0; i < 1e4; i++) {\n"
        "  try { console.log('x'.repeat(100)); } catch (e) {}\n}\ndata.kept = true;",
        "log limit exceeded",
        LOG,
    ),
    "log-flood-of-empty-lines": Abuse(
        "for (let i = 0; i < 1e6; i++) console.log('');", "log limit exceeded", LOG
    ),
    "audit-flood-of-empty-lines": Abuse(
        "for (let i = 0; i < 1e6; i++) audit.log('');", "log limit exceeded", LOG
    ),
    "one-huge-log-line": Abuse("console.log('x'.repeat(5e6));\ndata.kept = true;", "log limit exceeded", LOG),
    "regex-backtracking": Abuse(
        "data.r = /(a+)+$/.test('a'.repeat(40) + 'b');", "CPU time limit exceeded", CPU_TIME
    ),
    "atomics-wait-forever": Abuse(
        "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);",
        "TypeError: cannot block in this thread",
    ),
    "eval-hidden-import": Abuse("await eval('imp' + 'ort(\"os\")');", "could not load module"),
    "function-hidden-import": Abuse(
        "await new Function('return imp' + 'ort(\"std\")')();", "could not load module"
    ),
    "awaited-timer-beyond-the-wall-limit": Abuse(
        "await new Promise((resolve) => setTimeout(resolve, 60_000));", "wall time limit exceeded", WALL_TIME
    ),
    "awaited-timer-of-infinity": Abuse(
        "await new Promise((resolve) => setTimeout(resolve, Infinity));",
        "wall time limit exceeded",
        WALL_TIME,
    ),
    "interval-storm": Abuse(
        "for (let i = 0; i < 10000; i++) setInterval(() => {}, 0);\nawait new Promise(() => {});",
        "CPU time limit exceeded",
        CPU_TIME,
        # Every callback is charged; with time enough on the clock the CPU time runs out first.
        SMALL.model_copy(update={"wall_time_ms": 30_000}),
    ),
    "promise-that-never-resolves": Abuse("await new Promise(() => {});", STALLED),
    "promise-that-never-resolves-with-an-interval": Abuse(
        "setInterval(() => {}, 20);\nawait new Promise(() => {});", "wall time limit exceeded", WALL_TIME
    ),
    # 10,000 calls to a service that takes 50 ms each: the calls queue until the wall-time limit,
    # and the ones not started by then are dropped (see test_a_storm_of_calls_past_the_wall_limit_is_dropped).
    "connector-storm-slow-service": Abuse(
        STORM.format(namespace="slow"), "wall time limit exceeded", WALL_TIME, STORM_LIMITS
    ),
    "deeply-nested-data": Abuse(
        "let o = {};\nfor (let i = 0; i < 100000; i++) o = { o };\ndata.deep = o;",
        "stack limit exceeded",
        STACK,
    ),
    "nested-deeper-than-python-reads": Abuse(
        "let o = [];\nfor (let i = 0; i < 3000; i++) o = [o];\ndata.deep = o;",
        "nested too deeply",
        None,
        DEEP_STACK,
    ),
    "nested-connector-arguments": Abuse(
        "let o = {};\nfor (let i = 0; i < 3000; i++) o = { o };\nawait connectors.svc.save(o);",
        "nested too deeply",
        None,
        DEEP_STACK,
    ),
    "nested-task-result": Abuse(
        "let o = {};\nfor (let i = 0; i < 3000; i++) o = { o };\ntask.complete(o);",
        "nested too deeply",
        None,
        DEEP_STACK,
    ),
}


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessSandbox]:
    """One worker, so that the run after an abuse lands on the worker that suffered it."""
    sandbox = ProcessSandbox(1)
    yield sandbox
    sandbox.close()


@pytest.fixture
def host(tmp_path: Path) -> CorpusHost:
    return CorpusHost(str(tmp_path / "calls.txt"))


def probe(pool: ProcessSandbox, host: CorpusHost) -> int:
    """Run PROBE and check it succeeded with clean globals; the worker's pid."""
    result = pool.run(run_input(PROBE), host)
    assert result.error is None, result.error
    assert result.data is not None
    assert result.data["clean"] == CLEAN
    assert [line.message for line in result.logs] == ["probe"]
    pid = result.data["pid"]
    assert isinstance(pid, int)
    return pid


def check_contained(result: RunResult, abuse: Abuse) -> None:
    assert result.error is not None, result.data
    assert abuse.message in result.error.message, result.error
    assert result.error.limit == abuse.limit, result.error
    assert result.data is None
    assert result.changes == []


@pytest.mark.parametrize("name", ABUSES)
def test_abuse_is_contained_and_the_worker_runs_the_next_step_clean(
    pool: ProcessSandbox, host: CorpusHost, name: str
) -> None:
    abuse = ABUSES[name]
    before = probe(pool, host)
    result = pool.run(run_input(abuse.body, abuse.limits), host)
    check_contained(result, abuse)
    if abuse.limit == CPU_TIME:
        assert result.cpu_ms < abuse.limits.cpu_time_ms + CPU_MARGIN_MS
    assert probe(pool, host) == before


def test_a_storm_of_calls_past_the_wall_limit_is_dropped(pool: ProcessSandbox, host: CorpusHost) -> None:
    result = pool.run(run_input(STORM.format(namespace="slow"), STORM_LIMITS), host)
    assert result.error is not None and result.error.limit == WALL_TIME, result.error
    # 50 ms calls on the run's 8 threads make at most some 170 in the 1 s limit (none at all when a
    # busy machine spends that second creating them); unless the calls not started by the
    # deadline were dropped, all 10,000 would be made.
    assert host.count() < 1_000


def test_a_storm_of_calls_within_the_limits_is_answered_in_full(
    pool: ProcessSandbox, host: CorpusHost
) -> None:
    result = pool.run(run_input(STORM.format(namespace="fast"), Limits()), host)
    assert result.error is None, result.error
    assert result.data == {"seed": 1, "answers": 10_000}
    assert host.count() == 10_000


def test_builtins_broken_in_one_run_are_clean_in_the_next(pool: ProcessSandbox, host: CorpusHost) -> None:
    before = probe(pool, host)
    body = (
        "Object.prototype.polluted = 1;\nArray.prototype.map = () => 'hijacked';\nglobalThis.leftover = 1;\n"
        "JSON.stringify = () => 'broken';\nconsole.log = () => {};\ndata.mapped = [1].map((n) => n);"
    )
    result = pool.run(run_input(body), host)
    assert result.error is None, result.error
    assert result.data == {"seed": 1, "mapped": "hijacked"}
    assert probe(pool, host) == before


# The standard ECMAScript globals QuickJS defines, and those the sandbox adds (semantics.md section 4).
ECMASCRIPT = {
    *[
        "AggregateError",
        "Array",
        "ArrayBuffer",
        "AsyncDisposableStack",
        "Atomics",
        "BigInt",
        "BigInt64Array",
        "BigUint64Array",
    ],
    *[
        "Boolean",
        "DOMException",
        "DataView",
        "Date",
        "DisposableStack",
        "Error",
        "EvalError",
        "FinalizationRegistry",
    ],
    *[
        "Float16Array",
        "Float32Array",
        "Float64Array",
        "Function",
        "Infinity",
        "Int16Array",
        "Int32Array",
        "Int8Array",
    ],
    *[
        "InternalError",
        "Iterator",
        "JSON",
        "Map",
        "Math",
        "NaN",
        "Number",
        "Object",
        "Promise",
        "Proxy",
        "RangeError",
        "ReferenceError",
    ],
    *[
        "Reflect",
        "RegExp",
        "Set",
        "SharedArrayBuffer",
        "String",
        "SuppressedError",
        "Symbol",
        "SyntaxError",
        "TypeError",
        "URIError",
    ],
    *[
        "Uint16Array",
        "Uint32Array",
        "Uint8Array",
        "Uint8ClampedArray",
        "WeakMap",
        "WeakRef",
        "WeakSet",
        "decodeURI",
    ],
    *[
        "decodeURIComponent",
        "encodeURI",
        "encodeURIComponent",
        "escape",
        "eval",
        "globalThis",
        "isFinite",
        "isNaN",
    ],
    *["parseFloat", "parseInt", "performance", "queueMicrotask", "undefined", "unescape"],
}
SANDBOX = {
    *[
        "data",
        "task",
        "step",
        "console",
        "audit",
        "connectors",
        "lib",
        "setTimeout",
        "setInterval",
        "clearTimeout",
        "clearInterval",
    ],
    *["URL", "URLSearchParams", "TextEncoder", "TextDecoder", "atob", "btoa", "crypto", "__aloma"],
}


def test_the_global_object_reaches_nothing_of_the_host(pool: ProcessSandbox, host: CorpusHost) -> None:
    body = """
const reached = [Function('return this')(), new Function('return this')(), (0, eval)('this'), globalThis];
data.same = reached.every((g) => g === globalThis);
data.names = Object.getOwnPropertyNames(globalThis);
data.host = ['std', 'os', 'require', 'process', 'module', 'Deno', 'Bun', 'python', 'scriptArgs', 'print']
  .filter((name) => reached.some((g) => name in g));
data.frozen = Object.isFrozen(__aloma);
"""
    result = pool.run(run_input(body), host)
    assert result.error is None, result.error
    assert result.data is not None
    assert result.data["same"] is True
    assert result.data["host"] == []
    assert result.data["frozen"] is True
    names = result.data["names"]
    assert isinstance(names, list)
    assert set(names) - ECMASCRIPT == SANDBOX


def test_a_timer_that_never_fires_is_dropped_when_the_content_returns(
    pool: ProcessSandbox, host: CorpusHost
) -> None:
    body = (
        "setTimeout(() => { data.late = true; }, 60_000);\n"
        "setInterval(() => { data.ticks = 1; }, 60_000);\ndata.early = true;"
    )
    result = pool.run(run_input(body), host)
    assert result.error is None, result.error
    assert result.data == {"seed": 1, "early": True}
