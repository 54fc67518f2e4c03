"""`aloma task ...`: start tasks and follow what happened to them."""

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ...json_types import JsonObject
from ...model import TaskState
from ..client import ApiClient, api_path, objects
from ..errors import UsageProblem
from ..output import print_json, show
from ..render import STATE_STYLE, task_view, tasks_table
from ..timeline import timeline_table
from .common import JsonFlag, json_object_argument, open_client, read_text_argument

app = typer.Typer(help="Create, list and inspect tasks.", no_args_is_help=True)

PAGE_SIZE = 100
IdArgument = Annotated[str, typer.Argument(help="Task id.")]


@app.command()
def new(
    name: Annotated[str | None, typer.Argument(help="Task name (optional).")] = None,
    data: Annotated[str | None, typer.Option("--data", "-d", help="The task data, a JSON object.")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="A file holding the task data; - reads stdin.", allow_dash=True),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Create a task and print its id."""
    if data is not None and file is None:
        task_data = json_object_argument(data, "-d")
    elif file is not None and data is None:
        task_data = json_object_argument(read_text_argument(file, "task data file"), f"the data in {file}")
    else:
        raise UsageProblem("give the task data with either -d JSON or -f FILE")
    body: JsonObject = {"data": task_data}
    if name is not None:
        body["name"] = name
    with open_client() as client:
        task = client.post(api_path("tasks"), body).object()
    if json_output:
        print_json(task)
    else:
        typer.echo(str(task.get("id")))


@app.command("list")
def list_tasks(
    state: Annotated[TaskState | None, typer.Option("--state", help="Only tasks in this state.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many tasks, newest first.")] = 20,
    json_output: JsonFlag = False,
) -> None:
    """List tasks, newest first."""
    with open_client() as client:
        tasks, cursor = fetch_tasks(client, state, limit)
    if json_output:
        print_json({"tasks": list(tasks), "next": cursor})
    else:
        show(tasks_table(tasks))


def fetch_tasks(
    client: ApiClient, state: TaskState | None, limit: int
) -> tuple[list[JsonObject], str | None]:
    """Follow `next` only until `limit` tasks are in hand; return the cursor for the rest."""
    tasks: list[JsonObject] = []
    cursor: str | None = None
    while len(tasks) < limit:
        params: dict[str, str | int] = {"limit": min(limit - len(tasks), PAGE_SIZE)}
        if state is not None:
            params["state"] = state.value
        if cursor is not None:
            params["cursor"] = cursor
        answer = client.get(api_path("tasks"), params)
        page = objects(answer, "tasks")
        tasks += page
        following = answer.get("next")
        cursor = following if isinstance(following, str) and following else None
        if cursor is None or not page:
            break
    return tasks[:limit], cursor


@app.command("show")
def show_task(task_id: IdArgument, json_output: JsonFlag = False) -> None:
    """Show a task: state, error, data and result."""
    with open_client() as client:
        task = client.get(api_path("tasks", task_id))
    if json_output:
        print_json(task)
    else:
        show(task_view(task))


@app.command()
def log(
    task_id: IdArgument,
    changes: Annotated[bool, typer.Option("--changes", help="Show the changes of each run.")] = False,
    logs: Annotated[bool, typer.Option("--logs", help="Show the log lines of each run.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Show a task's history as a timeline, oldest first."""
    with open_client() as client:
        answer = client.get(api_path("tasks", task_id, "history"))
    if json_output:
        print_json(answer)
    else:
        show(timeline_table(objects(answer, "events"), changes=changes, logs=logs))


@app.command()
def resume(task_id: IdArgument, json_output: JsonFlag = False) -> None:
    """Re-match an incomplete or failed task against the current steps."""
    with open_client() as client:
        task = client.post(api_path("tasks", task_id, "resume")).object()
    if json_output:
        print_json(task)
    else:
        state = str(task.get("state"))
        show(Text.assemble(f"task {task.get('id')} resumed, now ", (state, STATE_STYLE.get(state, ""))))


@app.command()
def cancel(task_id: IdArgument, json_output: JsonFlag = False) -> None:
    """End an open, waiting or parked task as cancelled: nothing more runs on it, its timers and the
    subtasks it waits for are cancelled too."""
    with open_client() as client:
        task = client.post(api_path("tasks", task_id, "cancel")).object()
    if json_output:
        print_json(task)
    else:
        show(Text.assemble(f"task {task.get('id')} ", ("cancelled", STATE_STYLE["cancelled"])))
