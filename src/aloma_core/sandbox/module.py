"""`load_step_module`: a step file evaluated once at upload, to read `condition` and check `content`.

The module runs in a fresh sandbox with the same globals and limits as a run, so a file that
cannot load (a syntax error, an import, a throw or an endless loop at top level) is refused at
upload with its line, never discovered on a live task (semantics.md section 2).
"""

from dataclasses import dataclass

from ..conditions.jsbridge import CONDITION_TO_WIRE_JS
from ..errors import StepFileError
from ..json_types import JsonValue
from ..limits import Limits
from .bridge import Bridge
from .calls import CallIdentity, ConnectorCalls
from .datatext import DataText
from .engine import EXCLUSIVE, Engine, LimitBreach, ScriptError
from .frames import line_count, script_error_line, step_line
from .loop import EventLoop, Stalled
from .run import module_load_error
from .source_scan import NUL_REFUSED, SourceScan, nul_line, scan
from .types import ConnectorCall, ConnectorFailed, RunInput

_EXAMPLES = {
    "content": "export const content = async () => { ... }",
    "condition": "export const condition = { customer: { email: String } }",
}


@dataclass(frozen=True)
class StepModule:
    """`condition` in its wire form (semantics.md section 3) and the text of the `content` function."""

    condition: JsonValue
    content: str


class _NoConnectorsAtUpload:
    def call(self, call: ConnectorCall) -> JsonValue:
        raise ConnectorFailed("connectors cannot be called while a step file is uploaded, only in content")


def load_step_module(source: str, limits: Limits | None = None) -> StepModule:
    """Raises StepFileError with the line in the step file where there is one."""
    nul = nul_line(source)
    if nul is not None:
        raise StepFileError(NUL_REFUSED, nul)
    found = scan(source)
    refused = module_load_error(found)
    if refused is not None:
        raise StepFileError(*refused)
    with EXCLUSIVE:
        return _Loader(source, found, limits or Limits()).load()


class _Loader:
    def __init__(self, source: str, found: SourceScan, limits: Limits) -> None:
        self._source = source
        self._found = found
        self._limits = limits
        self._lines = line_count(source)
        self._engine = Engine(limits, self._lines)
        self._bridge = Bridge(self._engine)

    def load(self) -> StepModule:
        calls = ConnectorCalls(_NoConnectorsAtUpload(), CallIdentity("", "", ""))
        inp = RunInput(self._source, {}, "", None, (), "", "", limits=self._limits)
        try:
            self._bridge.start(inp, DataText({}), self._found.exports, run_content=False)
            EventLoop(self._engine, self._bridge, calls).run()
            failure = self._bridge.failure(include_unhandled=True)
            if failure is not None:
                line = step_line(failure.stack, self._lines)
                raise StepFileError(f"the step file threw while loading: {failure.text}", line)
            self._check_exports()
            return StepModule(self._condition(), self._bridge.content_text())
        except LimitBreach as breach:
            raise StepFileError(f"the step file could not load: {breach.message}", breach.line) from None
        except ScriptError as exc:
            raise StepFileError(exc.headline, script_error_line(exc.text, self._lines)) from None
        except Stalled:
            raise StepFileError("the step file never finished loading: it awaits a promise forever") from None
        finally:
            calls.close(0)

    def _line_of(self, name: str) -> int | None:
        export = self._found.exports.get(name)
        return None if export is None else export.line

    def _check_exports(self) -> None:
        problem = self._bridge.exports_problem()
        if not problem:
            return
        if problem not in self._found.exports:
            raise StepFileError(f"a step file must export `{problem}`, like: {_EXAMPLES[problem]}")
        kind = "a function" if problem == "content" else "a plain object"
        raise StepFileError(f"`{problem}` must be {kind}, like: {_EXAMPLES[problem]}", self._line_of(problem))

    def _condition(self) -> JsonValue:
        try:
            return self._bridge.condition_wire(CONDITION_TO_WIRE_JS)
        except ScriptError as exc:
            message = exc.headline.removeprefix("TypeError: ")
            raise StepFileError(message, self._line_of("condition")) from None
