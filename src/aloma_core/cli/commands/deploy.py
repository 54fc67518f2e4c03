"""`aloma deploy` and `aloma pull`: a workspace kept as a file in git, applied with one command."""

import os
from pathlib import Path
from typing import Annotated

import typer

from ..deploy.apply import apply_plan
from ..deploy.fileformat import LIBRARY_FOLDER, load_deploy_file
from ..deploy.live import read_live
from ..deploy.plan import Plan, make_plan
from ..deploy.pull import pull_workspace
from ..deploy.render import plan_text, report_text
from ..errors import CliError
from ..output import print_error, print_json
from .common import JsonFlag, open_client

DEFAULT_FILE = Path("workspace.yaml")


class MissingPrerequisites(CliError):
    """Secrets and hand-configured connectors are never deployed from a file: they must be there."""

    def __init__(self, plan: Plan) -> None:
        lacks = []
        if plan.missing_secrets:
            names = ", ".join(plan.missing_secrets)
            lacks.append(
                f"{len(plan.missing_secrets)} secret(s) the deploy file needs: {names} "
                "(set each with `aloma secret set NAME -`)"
            )
        if plan.missing_connectors:
            names = ", ".join(plan.missing_connectors)
            lacks.append(
                f"{len(plan.missing_connectors)} connector(s) the deploy file expects to be configured: "
                f"{names} (set each with `aloma connector set NAMESPACE --type TYPE --config JSON`)"
            )
        super().__init__(f"the workspace lacks {'; and '.join(lacks)}; nothing was changed")


def deploy(
    file: Annotated[
        Path, typer.Argument(help="The deploy file (ours or ALOMA's deploy.yaml).")
    ] = DEFAULT_FILE,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Also delete what the file no longer names.")
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """Make the workspace match a deploy file: steps, libraries, connectors, webhooks, schedules,
    settings, seed tasks. Idempotent; a second run changes nothing."""
    desired = load_deploy_file(file, os.environ)
    with open_client() as client:
        plan = make_plan(desired, read_live(client), prune=prune)
        if dry_run or plan.blocked or not plan.changes:
            _print_plan(plan, file, json_output, dry_run=dry_run)
            if plan.blocked:
                raise MissingPrerequisites(plan)
            return
        report = apply_plan(client, plan)
    if json_output:
        print_json({"dry_run": False, "plan": plan.to_json(), "report": report.to_json()})
    else:
        typer.echo(plan_text(plan, str(file)))
        typer.echo(report_text(report))
    if not report.ok:
        print_error(
            f"the deploy stopped part way at {report.failed and report.failed.label}: {report.failure}"
        )
        raise typer.Exit(1)


def _print_plan(plan: Plan, file: Path, json_output: bool, *, dry_run: bool) -> None:
    if json_output:
        print_json({"dry_run": dry_run, "plan": plan.to_json(), "report": None})
    else:
        typer.echo(plan_text(plan, str(file)))
        if dry_run and plan.changes:
            typer.echo("Dry run: nothing was changed.")


def pull(
    file: Annotated[Path, typer.Argument(help="The deploy file to write.")] = DEFAULT_FILE,
    steps_dir: Annotated[
        Path | None, typer.Option("--steps-dir", help="Where step files go (default: steps/ beside FILE).")
    ] = None,
    libraries_dir: Annotated[
        Path | None,
        typer.Option("--libraries-dir", help="Where library files go (lib/ in the steps folder)."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Write a deploy file, step files and library files from the live workspace; deploying them
    right after changes nothing."""
    with open_client() as client:
        live = read_live(client)
    steps = steps_dir or file.parent / "steps"
    report = pull_workspace(live, file, steps, libraries_dir or steps / LIBRARY_FOLDER)
    if json_output:
        print_json(
            {
                "file": str(report.file),
                "written": [str(p) for p in report.written],
                "unchanged": [str(p) for p in report.unchanged],
                "not_in_workspace": [str(p) for p in report.strays],
            }
        )
        return
    typer.echo(f"pulled into {file}: {len(report.written)} files written, {len(report.unchanged)} unchanged")
    for stray in report.strays:
        print_error(f"{stray} is not in the workspace: delete it, or the next deploy creates it")
