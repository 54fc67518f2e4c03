"""Library files <-> workspace libraries: `DIR/lib/NAME.js` is the library `NAME` (`lib.NAME`).

`aloma step sync` and `aloma dev` sync a directory's libraries first, then its steps, so a step
changed together with a library it uses is never matched before that library is in place.
Libraries are pruned like steps (only with `--prune`), and only when `DIR/lib` exists.
"""

from pathlib import Path

from .client import ApiClient, api_path, objects
from .errors import ApiError, UsageProblem
from .sync import STEP_SUFFIX, Outcome, StepOutcome, SyncReport, step_files, sync_steps

LIBRARY_DIR = "lib"


def library_files(directory: Path) -> dict[str, Path]:
    """Every regular `*.js` file directly in `directory/lib`, by name (the stem)."""
    folder = directory / LIBRARY_DIR
    if not folder.is_dir():
        return {}
    files = [path for path in folder.iterdir() if path.name.endswith(STEP_SUFFIX) and path.is_file()]
    return {path.name[: -len(STEP_SUFFIX)]: path for path in sorted(files)}


def sync_directory(client: ApiClient, directory: Path, prune: bool) -> SyncReport:
    """Libraries, then steps; the report lists both."""
    files = step_files(directory)
    if prune and not files:
        raise UsageProblem(f"{directory} has no step files; refusing to --prune every step of the workspace")
    libraries = sync_libraries(client, directory, prune)
    report = sync_steps(client, directory, prune)
    report.libraries.extend(libraries)
    return report


def sync_libraries(client: ApiClient, directory: Path, prune: bool) -> list[StepOutcome]:
    files = library_files(directory)
    existing = {
        str(library.get("name")): library.get("version")
        for library in objects(client.get(api_path("libraries")), "libraries")
    }
    results = [upload_library(client, name, path, existing.get(name)) for name, path in files.items()]
    if prune and (directory / LIBRARY_DIR).is_dir():
        for name in sorted(existing.keys() - files.keys()):
            client.delete(api_path("libraries", name))
            results.append(StepOutcome(name, Outcome.DELETED))
    return results


def upload_library(client: ApiClient, name: str, path: Path, previous_version: object) -> StepOutcome:
    """PUT one library file; like steps, an identical upload keeps its version (`unchanged`)."""
    try:
        source = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return StepOutcome(name, Outcome.REFUSED, message=f"cannot read the file: {error}", path=path)
    try:
        reply = client.put(api_path("libraries", name), {"source": source})
    except ApiError as error:
        return StepOutcome(name, Outcome.REFUSED, message=str(error), path=path)
    version = reply.object().get("version")
    number = version if isinstance(version, int) else None
    if reply.status == 201 or not isinstance(previous_version, int):
        outcome = Outcome.CREATED
    elif number == previous_version:
        outcome = Outcome.UNCHANGED
    else:
        outcome = Outcome.UPDATED
    return StepOutcome(name, outcome, number, path=path)
