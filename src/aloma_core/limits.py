"""Per-workspace limits (semantics.md section 7). Errors caused by a limit name it with `LIMIT_NAMES`."""

from pydantic import BaseModel, ConfigDict, Field

KIB = 1024
MIB = 1024 * KIB
MAX_SAFE_INTEGER = 2**53 - 1
"""The bound of every integer the API reads (times, sequence numbers): JavaScript reads it exactly,
and SQLite and DynamoDB can compare with it, where a larger one would be a server error."""


SUBTASKS_PER_RUN_CAP = 25
"""A run's subtasks are stored with it in one DynamoDB transaction (100 items, 4 MB): two items
each (the task and its first event), with room left for the parent and its events."""
SUBTASK_DATA_PER_RUN = 1 * MIB
"""The data of one run's subtasks together, stored twice (task and `created` event) in that transaction."""


class Limits(BaseModel):
    """Defaults of semantics.md section 7; a workspace overrides any of them through its settings.

    `subtask_depth` (how deep subtasks of subtasks go), `subtasks_per_task` and `subtasks_per_run`
    are not in the contract's table either: they stop a fan-out from running away like the loop
    guard stops a redo.

    `stack_bytes` is not in the contract's table: QuickJS spends about 1.7 KB of C stack per JS
    frame, so 1 MiB allows some 600 nested calls; the cap keeps well inside a thread's 8 MB stack.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_data_bytes: int = Field(256 * KIB, ge=1 * KIB, le=16 * MIB)
    cpu_time_ms: int = Field(5_000, ge=10, le=900_000)
    wall_time_ms: int = Field(30_000, ge=10, le=900_000)
    memory_bytes: int = Field(64 * MIB, ge=4 * MIB, le=1024 * MIB)
    stack_bytes: int = Field(1 * MIB, ge=64 * KIB, le=4 * MIB)
    log_bytes: int = Field(64 * KIB, ge=1 * KIB, le=16 * MIB)
    subtask_depth: int = Field(5, ge=0, le=50)
    subtasks_per_task: int = Field(100, ge=0, le=10_000)
    subtasks_per_run: int = Field(10, ge=0, le=SUBTASKS_PER_RUN_CAP)


CPU_TIME = "CPU time limit"
WALL_TIME = "wall time limit"
MEMORY = "memory limit"
STACK = "stack limit"
LOG = "log limit"
STEP_RUNS = "step run limit"
TASK_SIZE = "task size limit"
SUBTASKS = "subtask limit"
