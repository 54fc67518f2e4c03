"""The Python side of prelude.js: sets up a step's globals and module, then talks to `__aloma`.

Everything crosses as JSON text (QuickJS objects handed to Python turn integers into floats), and
the run's input, data included, as a single text that JavaScript parses once.
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..json_types import JsonObject, JsonValue
from .datatext import DataText
from .engine import Engine, ScriptError
from .layout import SourceLayout
from .scripts import LIBRARY, LIBRARY_JS, PRELUDE_JS
from .source_scan import Export
from .types import RunInput

_LIBRARY_TEXT = json.dumps(LIBRARY, separators=(",", ":"))


@dataclass(frozen=True)
class Failure:
    """Why the step's code failed, as JavaScript described it (`name` is None for a non-Error throw)."""

    name: str | None
    message: str
    stack: str

    @property
    def text(self) -> str:
        return self.message if self.name is None else f"{self.name}: {self.message}"


@dataclass(frozen=True)
class Status:
    done: bool
    failed: bool
    outbox: list[JsonObject]


def exports_line(exports: Mapping[str, Export]) -> str:
    """The line appended to a step module so that its exports reach the sandbox (QuickJS hides them)."""
    names = ("condition", "content")
    values = ", ".join(f"{name}: {exports[name].local if name in exports else 'undefined'}" for name in names)
    return f"globalThis.__aloma.exports({{{values}}});"


def random_seed() -> str:
    """The key of the run's ChaCha20 generator (crypto.js): fresh host randomness for every run."""
    return os.urandom(32).hex()


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ScriptError(f"the sandbox expected text from JavaScript, got {type(value).__name__}")
    return value


def _object(text: str) -> JsonObject:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ScriptError("the sandbox expected a JSON object from JavaScript")
    return value


class Bridge:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def start(
        self,
        inp: RunInput,
        data: DataText,
        exports: Mapping[str, Export],
        run_content: bool,
        layout: SourceLayout | None = None,
    ) -> None:
        """Define the globals, evaluate the step module and, for a run, call its `content`.

        The input crosses as one text, the data's text (`data`) in it. The sandbox scripts start
        after as many blank lines as the step file has, so none of their frames can be mistaken
        for a line of the step file (frames.py). The workspace's libraries (`layout`) follow the
        sandbox's own files in the library text, each placed at its own lines (layout.py).
        """
        settings: JsonObject = {
            "task": {"id": inp.task_id, "name": inp.task_name, "tags": list(inp.tags)},
            "step": inp.step_name,
            "config": dict(inp.config),
            "seed": random_seed(),
            "logBytes": inp.limits.log_bytes,
            "sourceLines": self._engine.source_lines,
        }
        if layout is not None and layout.index:
            settings["libraries"] = layout.index
        settings_text = json.dumps(settings, separators=(",", ":"))
        text = f'{{"data":{data.text},"lib":{_LIBRARY_TEXT},{settings_text[1:]}'
        self._engine.set_global("__alomaIn", text)
        self._engine.set_global("__alomaLib", LIBRARY_JS if layout is None else LIBRARY_JS + layout.text)
        self._engine.eval("\n" * (self._engine.source_lines + 1) + PRELUDE_JS)
        promise = self._engine.module(f"{inp.source}\n{exports_line(exports)}")
        self._engine.set_global("__alomaModule", promise)
        self._engine.eval(f"__aloma.start({'true' if run_content else 'false'})")

    def poll(self) -> Status:
        raw = _object(_text(self._engine.eval("__aloma.poll()")))
        outbox = raw.get("outbox")
        items = [item for item in outbox if isinstance(item, dict)] if isinstance(outbox, list) else []
        return Status(raw.get("done") is True, raw.get("failed") is True, items)

    def settle(self, outcomes: list[JsonObject]) -> None:
        self._engine.set_global("__alomaSettled", json.dumps(outcomes))
        self._engine.eval('__aloma.load("connectors").settle()')

    def fire(self, timer_id: int) -> None:
        self._engine.eval(f'__aloma.load("timers").fire({int(timer_id)})')

    def failure(self, *, include_unhandled: bool) -> Failure | None:
        """The first failure of the step's code; `include_unhandled` counts failed calls nobody awaited."""
        call = f"__aloma.failure({'true' if include_unhandled else 'false'})"
        raw: JsonValue = json.loads(_text(self._engine.eval(call)))
        if not isinstance(raw, dict):
            return None
        name = raw.get("name")
        message, stack = str(raw.get("message")), str(raw.get("stack"))
        return Failure(name if isinstance(name, str) else None, message, stack)

    def record(self) -> str:
        """Logs, audit lines, task actions and redo, as JSON text (see record.py)."""
        return _text(self._engine.platform_eval("__aloma.record()"))

    def data_text(self) -> str:
        """`data` as JSON text; a step that left it a non-object fails here with a TypeError."""
        return _text(self._engine.eval("__aloma.dataText()"))

    def exports_problem(self) -> str:
        """'content' or 'condition' when that export is missing or of the wrong kind, else ''."""
        return _text(self._engine.eval('__aloma.load("bridge").exportsProblem()'))

    def content_text(self) -> str:
        return _text(self._engine.eval('__aloma.load("bridge").contentText()'))

    def condition_wire(self, converter_js: str) -> JsonValue:
        """The exported condition in its wire form, by the conditions package's converter script."""
        self._engine.eval(converter_js)
        text = _text(self._engine.eval('__alomaConditionToWire(__aloma.load("bridge").exported().condition)'))
        wire: JsonValue = json.loads(text)
        return wire
