"""`aloma task ...`: start tasks and follow what happened to them."""

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ...json_types import JsonObject
from ...model import TaskState
from ..bulk import run_bulk
from ..client import ApiClient, api_path, objects
from ..errors import UsageProblem
from ..output import print_json, show
from ..render import STATE_STYLE, task_view, tasks_table
from ..task_counts import counts_table
from ..task_filters import (
    Filters,
    NameOption,
    SearchOption,
    SinceOption,
    StepOption,
    TagOption,
    UntilOption,
)
from ..timeline import timeline_table
from .common import JsonFlag, json_object_argument, open_client, read_text_argument

app = typer.Typer(help="Create, list and inspect tasks.", no_args_is_help=True)

PAGE_SIZE = 100
IdArgument = Annotated[str, typer.Argument(help="Task id.")]
OptionalId = Annotated[str | None, typer.Argument(help="Task id; without it, the filters select the tasks.")]
BulkState = Annotated[TaskState | None, typer.Option("--state", help="Only tasks in this state.")]


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
    name: NameOption = None,
    tag: TagOption = None,
    step: StepOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    search: SearchOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many tasks, newest first.")] = 20,
    json_output: JsonFlag = False,
) -> None:
    """List tasks, newest first; the filters combine."""
    filters = Filters(name, tag, step, since, until, search)
    with open_client() as client:
        tasks, cursor = fetch_tasks(client, state, limit, filters.params())
    if json_output:
        print_json({"tasks": list(tasks), "next": cursor})
    else:
        show(tasks_table(tasks))


@app.command()
def counts(
    name: NameOption = None,
    tag: TagOption = None,
    step: StepOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    search: SearchOption = None,
    json_output: JsonFlag = False,
) -> None:
    """How many tasks are in each state (the list filters, but not --state)."""
    with open_client() as client:
        answer = client.get(
            api_path("tasks", "counts"), Filters(name, tag, step, since, until, search).params()
        )
    if json_output:
        print_json(answer)
    else:
        show(counts_table(answer))


def fetch_tasks(
    client: ApiClient, state: TaskState | None, limit: int, filters: dict[str, str | int] | None = None
) -> tuple[list[JsonObject], str | None]:
    """Follow `next` only until `limit` tasks are in hand; return the cursor for the rest. A filtered
    page may come back short (the server examines a bounded number of tasks per page)."""
    tasks: list[JsonObject] = []
    cursor: str | None = None
    while len(tasks) < limit:
        params: dict[str, str | int] = {**(filters or {}), "limit": min(limit - len(tasks), PAGE_SIZE)}
        if state is not None:
            params["state"] = state.value
        if cursor is not None:
            params["cursor"] = cursor
        answer = client.get(api_path("tasks"), params)
        page = objects(answer, "tasks")
        tasks += page
        following = answer.get("next")
        cursor = following if isinstance(following, str) and following else None
        if cursor is None:
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
    logs: Annotated[bool, typer.Option("--logs", help="Show each run's logs and calls.")] = False,
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
def resume(
    task_id: OptionalId = None,
    state: BulkState = None,
    name: NameOption = None,
    tag: TagOption = None,
    step: StepOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    search: SearchOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Re-match an incomplete or failed task against the current steps; without ID, every task the
    filters select, a page at a time."""
    filters = Filters(name, tag, step, since, until, search)
    if task_id is None:
        _bulk("resume", state, filters, json_output)
        return
    _single_task_only(state, filters)
    with open_client() as client:
        task = client.post(api_path("tasks", task_id, "resume")).object()
    if json_output:
        print_json(task)
    else:
        _now_state(task, "resumed")


@app.command()
def rerun(
    task_id: OptionalId = None,
    from_seq: Annotated[
        int | None,
        typer.Option(
            "--from", min=1, metavar="SEQ", help="The seq of a run in `aloma task log`; default: start."
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Start from the data in this file (an edited copy); - reads stdin.",
            allow_dash=True,
        ),
    ] = None,
    state: BulkState = None,
    name: NameOption = None,
    tag: TagOption = None,
    step: StepOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    search: SearchOption = None,
    json_output: JsonFlag = False,
) -> None:
    """Run a failed or incomplete task again from one of its runs: its data as that run started,
    that step and every later one run again. Without ID, every task the filters select, each from
    its first run of --step (or from the start)."""
    filters = Filters(name, tag, step, since, until, search)
    if task_id is None:
        if from_seq is not None or data_file is not None:
            raise UsageProblem("--from and --data rerun one task: give its ID")
        _bulk("rerun", state, filters, json_output)
        return
    _single_task_only(state, filters)
    body: JsonObject = {"from": from_seq}
    if data_file is not None:
        body["data"] = json_object_argument(
            read_text_argument(data_file, "data file"), f"the data in {data_file}"
        )
    with open_client() as client:
        task = client.post(api_path("tasks", task_id, "rerun"), body).object()
    if json_output:
        print_json(task)
    else:
        _now_state(task, "rerun")


@app.command()
def clone(
    task_id: IdArgument,
    data_file: Annotated[
        Path | None,
        typer.Option("--data", help="The new task's data, from this file; - reads stdin.", allow_dash=True),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The new task's name (default: the same).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Start a new task from a task (any state): its current data unless --data, its name unless --name."""
    body: JsonObject = {"name": name}
    if data_file is not None:
        body["data"] = json_object_argument(
            read_text_argument(data_file, "data file"), f"the data in {data_file}"
        )
    with open_client() as client:
        task = client.post(api_path("tasks", task_id, "clone"), body).object()
    if json_output:
        print_json(task)
    else:
        typer.echo(str(task.get("id")))


def _single_task_only(state: TaskState | None, filters: Filters) -> None:
    if state is not None or filters.given:
        raise UsageProblem("give either a task ID or filters (--state, --step, ...), not both")


def _now_state(task: JsonObject, verb: str) -> None:
    state = str(task.get("state"))
    show(Text.assemble(f"task {task.get('id')} {verb}, now ", (state, STATE_STYLE.get(state, ""))))


def _bulk(action: str, state: TaskState | None, filters: Filters, json_output: bool) -> None:
    if state is None and not filters.given:
        raise UsageProblem(f"give a task ID, or filters such as --state error to {action} many tasks")
    where: JsonObject = {**filters.params()}
    if state is not None:
        where["state"] = state.value
    with open_client() as client:
        done = run_bulk(client, action, where, progress=None if json_output else _progress)
    if json_output:
        print_json({"changed": list(done.changed), "skipped": [dict(skip) for skip in done.skipped]})
        return
    for skip in done.skipped:
        typer.echo(f"skipped {skip['id']}: {skip['reason']}", err=True)
    typer.echo(done.summary(action))


def _progress(line: str) -> None:
    typer.echo(line, err=True)


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
