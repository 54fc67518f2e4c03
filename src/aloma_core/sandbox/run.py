"""`run_content`: one run of a step's content in a fresh QuickJS context (semantics.md section 4).

One run at a time per process: QuickJS's CPU limit reads the process CPU clock, so two runs in
one process would drain each other's budget. Runs (and uploads) in one process are therefore
serialised by `engine.EXCLUSIVE`; callers who want runs in parallel use `ProcessSandbox` (pool.py).
The calling thread's C stack must be larger than the run's stack limit: the main thread and
pool workers are.
"""

import time
from collections.abc import Sequence

from ..changes import Change
from ..json_types import JsonObject
from ..limits import LOG, TASK_SIZE
from .bridge import Bridge, Failure
from .calls import CallIdentity, ConnectorCalls
from .datatext import DataText
from .delta import run_changes
from .engine import EXCLUSIVE, Engine, LimitBreach, ScriptError, limit_behind
from .frames import line_count, script_error_line, step_line
from .layout import SourceLayout
from .logs import clip_audit, clip_logs
from .loop import EventLoop, Stalled
from .nesting import NestedTooDeeply, within_nesting
from .record import EMPTY, Record, parse_record
from .redact import Redactor
from .source_scan import SourceScan, scan
from .types import CallRecord, ConnectorHost, LogLine, RunError, RunInput, RunResult, TaskActions
from .wellformed import well_formed

CALL_MESSAGE_CHARS = 300
"""How much of a failed connector call's message the run's history keeps."""
STALLED = "the content never finished: it awaits a promise that nothing settles (no call or timer is pending)"


def run_content(inp: RunInput, host: ConnectorHost) -> RunResult:
    """Run `inp.source`'s content on `inp.data`; every outcome, failures included, is a RunResult."""
    with EXCLUSIVE:
        return _Run(inp, host).execute()


def module_load_error(found: SourceScan) -> tuple[str, int] | None:
    """Steps have no module loader: an `import` is refused with its line, at upload and at run."""
    if not found.loads:
        return None
    first = found.loads[0]
    return f"{first.what} is not available in steps: the sandbox has no modules; use connectors", first.line


class _Run:
    def __init__(self, inp: RunInput, host: ConnectorHost) -> None:
        self._inp = inp
        self._limits = inp.limits
        self._lines = line_count(inp.source)
        self._layout = SourceLayout(self._lines, inp.libraries)
        self._started = time.perf_counter()
        self._engine = Engine(inp.limits, self._lines)
        self._bridge = Bridge(self._engine)
        self._calls = ConnectorCalls(host, CallIdentity(inp.task_id, inp.step_name, inp.claim_id))
        self._redact = Redactor(inp.config.values())
        self._data_text = DataText(inp.data)

    def execute(self) -> RunResult:
        error = self._run()
        record, record_error = self._record()
        logs, clipped = clip_logs(
            [LogLine(line.level, self._clean(line.message)) for line in record.logs], self._limits.log_bytes
        )
        audit_lines = [self._clean(line) for line in record.audit]
        audit, audit_clipped = clip_audit(audit_lines, self._limits.log_bytes)
        error = self._log_error(record, clipped or audit_clipped) or error or record_error
        outcome = self._data() if error is None else error
        if isinstance(outcome, RunError):
            masked = RunError(self._clean(outcome.message), outcome.line, outcome.limit, outcome.file)
            return self._result(logs, audit, error=masked)
        after, changes = outcome
        actions, redo = record.actions, record.redo
        return self._result(logs, audit, after=after, changes=changes, actions=actions, redo=redo)

    def _clean(self, text: str) -> str:
        """Text out of the run, as it may be shown and stored: config values masked, encodable."""
        return well_formed(self._redact(text))

    def _run(self) -> RunError | None:
        found = scan(self._inp.source)
        refused = module_load_error(found)
        if refused is not None:
            return RunError(*refused)
        try:
            exports = found.exports
            self._bridge.start(self._inp, self._data_text, exports, run_content=True, layout=self._layout)
            EventLoop(self._engine, self._bridge, self._calls).run()
            failure = self._bridge.failure(include_unhandled=True)
            return None if failure is None else self._failure_error(failure)
        except LimitBreach as breach:
            return RunError(breach.message, breach.line, breach.limit)
        except ScriptError as exc:
            return RunError(exc.headline, script_error_line(exc.text, self._lines))
        except Stalled:
            return RunError(STALLED)
        finally:
            self._calls.close(self._engine.wall_left_s())

    def _failure_error(self, failure: Failure) -> RunError:
        """A failure inside a library names the library's file and line, in the message too."""
        where = self._layout.locate(failure.stack)
        line = None if where is None else where.line
        limit = limit_behind(failure.name, failure.message)
        if limit is not None:
            file = None if where is None else where.file
            return RunError(LimitBreach.of(limit, self._limits).message, line, limit, file)
        if where is not None and where.file is not None:
            return RunError(f"{failure.text} (at {where.label()})", line, file=where.file)
        return RunError(failure.text, line)

    def _record(self) -> tuple[Record, RunError | None]:
        try:
            return within_nesting(
                lambda: parse_record(self._bridge.record()), "what the run asked of `task`"
            ), None
        except NestedTooDeeply as exc:
            return EMPTY, RunError(exc.headline)
        except (ScriptError, ValueError) as exc:
            message = f"the sandbox could not read the run's log and actions (a built-in changed?): {exc}"
            return EMPTY, RunError(message)

    def _log_error(self, record: Record, clipped: bool) -> RunError | None:
        """Too much log fails the run even when the step caught the error console.log threw at the limit."""
        if not (record.log_breached or record.audit_breached or clipped):
            return None
        message = f"{LOG} exceeded: the run wrote more than {self._limits.log_bytes} bytes of log"
        return RunError(message, step_line(record.log_breach_stack, self._lines), LOG)

    def _data(self) -> tuple[JsonObject, list[Change]] | RunError:
        """`data` as the step left it, and the changes that make it from the data the run started with."""
        try:
            text = self._bridge.data_text()
        except LimitBreach as breach:
            return RunError(breach.message, breach.line, breach.limit)
        except ScriptError as exc:
            return RunError(exc.headline)
        size = len(text.encode("utf-8"))
        if size > self._limits.task_data_bytes:
            limit = self._limits.task_data_bytes
            message = f"{TASK_SIZE} exceeded: the data is {size} bytes as JSON, at most {limit}"
            return RunError(message, None, TASK_SIZE)

        def read() -> tuple[JsonObject, list[Change]] | RunError:
            after = self._data_text.read(text)
            if not isinstance(after, dict):
                return RunError("`data` must stay a JSON object")
            return after, run_changes(self._inp.data, after, (self._data_text.text, text))

        try:
            return within_nesting(read, "`data`")
        except NestedTooDeeply as exc:
            return RunError(exc.headline)

    def _result(
        self,
        logs: list[LogLine],
        audit: list[str],
        *,
        error: RunError | None = None,
        after: JsonObject | None = None,
        changes: Sequence[Change] = (),
        actions: TaskActions | None = None,
        redo: bool = False,
    ) -> RunResult:
        """A failed run has no data, changes or actions; its log and audit lines are kept."""
        return RunResult(
            data=after,
            changes=list(changes),
            logs=logs,
            actions=actions or TaskActions(),
            redo=redo,
            audit=audit,
            error=error,
            cpu_ms=self._engine.cpu_used_s * 1000,
            wall_ms=(time.perf_counter() - self._started) * 1000,
            calls=[self._redacted(call) for call in self._calls.records()],
        )

    def _redacted(self, call: CallRecord) -> CallRecord:
        """A failure's message can quote a secret the connector was given; history must not. It is
        also cut short: the step saw it whole, the history keeps what says why."""
        if call.message is None:
            return call
        message = self._redact(call.message)
        if len(message) > CALL_MESSAGE_CHARS:
            message = message[:CALL_MESSAGE_CHARS] + "…"
        return CallRecord(call.connector, call.method, call.status, call.ms, message)
