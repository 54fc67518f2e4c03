"""Step files <-> workspace steps: one `<name>.js` per step (semantics.md section 2).

`sync_steps` is shared by `aloma step sync` and `aloma dev`. A refused file does not stop the
others: each file's outcome is reported and the caller decides the exit code.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..json_types import JsonObject
from .client import ApiClient, api_path, objects
from .errors import ApiError, CliError, UsageProblem

STEP_SUFFIX = ".js"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    DELETED = "deleted"
    WRITTEN = "written"


@dataclass(frozen=True)
class StepFile:
    name: str
    path: Path


@dataclass(frozen=True)
class StepOutcome:
    name: str
    outcome: Outcome
    version: int | None = None
    message: str | None = None
    path: Path | None = None

    def to_json(self) -> JsonObject:
        return {
            "name": self.name,
            "outcome": self.outcome.value,
            "version": self.version,
            "message": self.message,
            "path": None if self.path is None else str(self.path),
        }


@dataclass
class SyncReport:
    results: list[StepOutcome] = field(default_factory=list)
    libraries: list[StepOutcome] = field(default_factory=list)
    """Outcomes of the directory's `lib/*.js` files (libsync.py), named by library."""

    @property
    def ok(self) -> bool:
        return all(result.outcome is not Outcome.REFUSED for result in [*self.libraries, *self.results])

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)

    def to_json(self) -> JsonObject:
        shown: JsonObject = {"ok": self.ok, "steps": [result.to_json() for result in self.results]}
        if self.libraries:
            shown["libraries"] = [result.to_json() for result in self.libraries]
        return shown


def step_files(directory: Path) -> list[StepFile]:
    """Every regular `*.js` file directly in `directory`, by name; the stem is the step name."""
    if not directory.is_dir():
        raise UsageProblem(f"{directory} is not a directory")
    files = [path for path in directory.iterdir() if path.name.endswith(STEP_SUFFIX) and path.is_file()]
    return [StepFile(path.name[: -len(STEP_SUFFIX)], path) for path in sorted(files)]


def step_file_path(directory: Path, name: str) -> Path:
    """Where `pull` writes a step; a name that would leave `directory` is refused."""
    if not name or "/" in name or "\\" in name or "\x00" in name or name in (".", ".."):
        raise UsageProblem(f"step name {name!r} cannot be a file name")
    return directory / (name + STEP_SUFFIX)


def workspace_steps(client: ApiClient) -> dict[str, JsonObject]:
    return {str(step.get("name")): step for step in objects(client.get(api_path("steps")), "steps")}


def sync_steps(client: ApiClient, directory: Path, prune: bool) -> SyncReport:
    files = step_files(directory)
    if prune and not files:
        raise UsageProblem(f"{directory} has no step files; refusing to --prune every step of the workspace")
    existing = workspace_steps(client)
    report = SyncReport([upload_step(client, file, _version(existing.get(file.name))) for file in files])
    if prune:
        kept = {file.name for file in files}
        for name in sorted(existing.keys() - kept):
            client.delete(api_path("steps", name))
            report.results.append(StepOutcome(name, Outcome.DELETED))
    return report


def upload_step(client: ApiClient, file: StepFile, previous_version: int | None) -> StepOutcome:
    """PUT one step file. The server keeps the version of an identical upload, which is how
    `unchanged` is told apart from `updated` without the CLI re-implementing step comparison."""
    try:
        source = file.path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return StepOutcome(
            file.name, Outcome.REFUSED, message=f"cannot read the file: {error}", path=file.path
        )
    try:
        reply = client.put(api_path("steps", file.name), {"source": source})
    except ApiError as error:
        return StepOutcome(file.name, Outcome.REFUSED, message=str(error), path=file.path)
    version = _version(reply.object())
    if reply.status == 201 or previous_version is None:
        outcome = Outcome.CREATED
    elif version == previous_version:
        outcome = Outcome.UNCHANGED
    else:
        outcome = Outcome.UPDATED
    return StepOutcome(file.name, outcome, version, path=file.path)


def pull_steps(client: ApiClient, directory: Path) -> SyncReport:
    """Write every step's `source` byte for byte, so pull then sync reports everything unchanged."""
    steps = workspace_steps(client)
    targets = {name: step_file_path(directory, name) for name in sorted(steps)}
    report = SyncReport()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, path in targets.items():
            written = _write_if_changed(path, _source(client, name, steps[name]).encode("utf-8"))
            outcome = Outcome.WRITTEN if written else Outcome.UNCHANGED
            report.results.append(StepOutcome(name, outcome, _version(steps[name]), path=path))
    except OSError as error:
        raise CliError(f"cannot write step files in {directory}: {error}") from None
    return report


def _source(client: ApiClient, name: str, step: JsonObject) -> str:
    """The listing normally carries `source`; fetch the step alone if a server trims listings."""
    source = step.get("source")
    if not isinstance(source, str):
        source = client.get(api_path("steps", name)).get("source")
    if not isinstance(source, str):
        raise ApiError(200, "bad_answer", f"step {name!r} came without its source")
    return source


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def _version(step: JsonObject | None) -> int | None:
    version = None if step is None else step.get("version")
    return version if isinstance(version, int) else None
