"""The `aloma` command: assembles the command groups and turns every CliError into one stderr
line and an exit code (0 ok, 1 server or runtime error, 2 usage), never a traceback."""

from typing import Any

import typer
from typer.core import TyperGroup

from .commands import (
    connectors,
    deploy,
    dev,
    libraries,
    logs,
    schedules,
    secrets,
    steps,
    tasks,
    webhooks,
    workspaces,
)
from .errors import CliError
from .output import print_error


class _ReportingGroup(TyperGroup):
    """The root group wraps every subcommand's invocation, so one handler covers them all."""

    def invoke(self, ctx: Any) -> Any:  # Typer's context class lives in a private module.
        try:
            return super().invoke(ctx)
        except CliError as error:
            print_error(str(error))
            raise typer.Exit(error.exit_code) from None


app = typer.Typer(
    cls=_ReportingGroup,
    name="aloma",
    help="Code-first workflow automation: steps as files, tasks as JSON. "
    "Talks to ALOMA_URL (default http://127.0.0.1:8000) with ALOMA_API_KEY.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(steps.app, name="step")
app.add_typer(tasks.app, name="task")
app.add_typer(secrets.app, name="secret")
app.add_typer(connectors.app, name="connector")
app.add_typer(webhooks.app, name="webhook")
app.add_typer(schedules.app, name="schedule")
app.add_typer(libraries.app, name="lib")
app.add_typer(workspaces.app, name="workspace")
app.command("logs")(logs.logs)
app.command("dev")(dev.dev)
app.command("deploy")(deploy.deploy)
app.command("pull")(deploy.pull)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
