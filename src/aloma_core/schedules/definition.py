"""What a schedule may be set with, besides its cron expression and time zone (see `cron`)."""

import re

from ..errors import InvalidInput

MAX_SCHEDULES = 100
"""Per workspace: each is read on every tick that finds it due, and a person lists them all."""
MAX_TASK_NAME = 200

# The rule of webhook names: a schedule's name is a path segment of the API.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def check_name(name: str) -> None:
    """The schedule's own name (in the path); the body's `name` is the name of its tasks."""
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            "schedule name: 1-64 letters, digits, '_', '.', '-', starting with a letter or digit"
        )


def check_task_name(task_name: str | None) -> None:
    """None names the tasks after the schedule."""
    if task_name is not None and not 1 <= len(task_name) <= MAX_TASK_NAME:
        raise InvalidInput(f"name: the name of the tasks it creates, 1-{MAX_TASK_NAME} characters")
