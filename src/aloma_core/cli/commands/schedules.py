"""`aloma schedule ...`: tasks created at the times of a cron expression."""

from pathlib import Path
from typing import Annotated

import typer

from ...json_types import JsonObject
from ..client import api_path, objects
from ..errors import UsageProblem
from ..output import print_json, show
from ..render import schedule_view, schedules_table
from ..times import format_time
from .common import JsonFlag, json_object_argument, open_client, read_text_argument

app = typer.Typer(help="Set, list, show and remove schedules.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="The schedule's name, unique in the workspace.")]


@app.command("set")
def set_schedule(
    name: NameArgument,
    cron: Annotated[
        str, typer.Option("--cron", help="Five fields: minute hour day-of-month month day-of-week.")
    ],
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="IANA time zone the expression is read in (UTC by default)."),
    ] = None,
    data: Annotated[
        str | None, typer.Option("--data", "-d", help="The data of each task, a JSON object ({} by default).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="A file holding the tasks' data; - reads stdin.", allow_dash=True),
    ] = None,
    task_name: Annotated[
        str | None, typer.Option("--task-name", help="The name of its tasks (the schedule's by default).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Create or replace a schedule and say when it fires next."""
    if data is not None and file is not None:
        raise UsageProblem("give the tasks' data with either -d JSON or -f FILE, not both")
    task_data: JsonObject = {}
    if data is not None:
        task_data = json_object_argument(data, "-d")
    elif file is not None:
        task_data = json_object_argument(read_text_argument(file, "task data file"), f"the data in {file}")
    body: JsonObject = {"cron": cron, "data": task_data}
    if timezone is not None:
        body["timezone"] = timezone
    if task_name is not None:
        body["name"] = task_name
    with open_client() as client:
        schedule = client.put(api_path("schedules", name), body).object()
    if json_output:
        print_json(schedule)
    else:
        typer.echo(f"schedule {name} set; next firing {format_time(schedule.get('next_fire_at'))}")


@app.command("list")
def list_schedules(json_output: JsonFlag = False) -> None:
    """List the workspace's schedules with their next and last firings."""
    with open_client() as client:
        answer = client.get(api_path("schedules"))
    if json_output:
        print_json(answer)
    else:
        show(schedules_table(objects(answer, "schedules")))


@app.command("show")
def show_schedule(name: NameArgument, json_output: JsonFlag = False) -> None:
    """Show a schedule: its expression, firings and the data of its tasks."""
    with open_client() as client:
        schedule = client.get(api_path("schedules", name))
    if json_output:
        print_json(schedule)
    else:
        show(schedule_view(schedule))


@app.command("rm")
def remove_schedule(name: NameArgument) -> None:
    """Remove a schedule: it creates no more tasks (those it created stay)."""
    with open_client() as client:
        client.delete(api_path("schedules", name))
    typer.echo(f"schedule {name} removed")
