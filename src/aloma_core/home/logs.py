"""Structured logs: the same JSON lines as on Lambda (Powertools' formatter), written to a file
under the local state directory so `aloma logs` can read them back."""

import logging
import sys
from pathlib import Path

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

LOG_FILE = Path("logs") / "aloma.jsonl"


def configure_local_logging(state_dir: Path, level: int = logging.INFO) -> Path:
    """JSON lines to `<state_dir>/logs/aloma.jsonl`, a short human line per event on stderr."""
    path = state_dir / LOG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(LambdaPowertoolsFormatter(service="aloma", use_rfc3339=True))
    to_console = logging.StreamHandler(sys.stderr)
    to_console.setFormatter(_ConsoleFormatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S"))
    root = logging.getLogger("aloma")
    root.handlers = [to_file, to_console]
    root.setLevel(level)
    root.propagate = False
    return path


class _ConsoleFormatter(logging.Formatter):
    """One readable line, naming the step and task a pipeline line is about."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        step, task_id = getattr(record, "step", None), getattr(record, "task_id", None)
        return f"{line}  [{step} @ {task_id}]" if step and task_id else line
