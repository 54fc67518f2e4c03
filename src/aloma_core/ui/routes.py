"""The dashboard's routes: page shells (no data, no auth) and the fragments that fill them.

A shell only loads the scripts that ask for the workspace key; every fragment requires the key
through the same dependency as `/v1`, so the dashboard can show nothing the API would not.
Fragments are never cached: they hold workspace data.
"""

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..api.auth import PlatformDep, WorkspaceDep
from ..errors import NotFound
from ..limits import MAX_SAFE_INTEGER
from ..model import ENDED_STATES, RESUMABLE_STATES, TIMED_STATES, TaskState
from ..task_filter import TaskFilter
from . import queries, timeline
from .filters import FilterForm
from .render import STATIC, environment, source_css

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
_SECURITY = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_STATIC_FILES = {path.name: path for path in STATIC.iterdir() if path.suffix in _STATIC_TYPES}

pages = APIRouter(prefix="/ui", include_in_schema=False)
fragments = APIRouter(prefix="/ui/f", include_in_schema=False)

TASK_STATES = [state.value for state in TaskState]


def mount(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(fragments)


def _html(request: Request, template: str, *, fragment: bool = True, **context: Any) -> HTMLResponse:
    body = environment().get_template(template).render(base=request.scope.get("root_path", ""), **context)
    headers = {**_SECURITY, "Cache-Control": "no-store" if fragment else "no-cache"}
    return HTMLResponse(body, headers=headers)


# Shells


@pages.get("")
def tasks_page(request: Request) -> HTMLResponse:
    form = FilterForm.of(request)
    return _html(request, "tasks.html", fragment=False, flt=form, states=TASK_STATES, page="tasks")


@pages.get("/tasks/{task_id}")
def task_page(request: Request, task_id: str) -> HTMLResponse:
    return _html(request, "task.html", fragment=False, task_id=task_id, page="tasks")


@pages.get("/steps")
def steps_page(request: Request) -> HTMLResponse:
    return _html(request, "steps.html", fragment=False, page="steps")


@pages.get("/bulk")
def bulk_page(request: Request) -> HTMLResponse:
    form = FilterForm.of(request)
    return _html(request, "bulk.html", fragment=False, flt=form, states=TASK_STATES, page="bulk")


@pages.get("/static/source.css")
def source_stylesheet() -> Response:
    return Response(source_css(), media_type=_STATIC_TYPES[".css"], headers=_static_headers())


@pages.get("/static/{name}")
def static_file(name: str) -> Response:
    path = _STATIC_FILES.get(name)
    if path is None:
        return Response(status_code=404)
    return Response(path.read_bytes(), media_type=_STATIC_TYPES[path.suffix], headers=_static_headers())


def _static_headers() -> dict[str, str]:
    return {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}


# Fragments


@fragments.get("/whoami")
def whoami(request: Request, workspace: WorkspaceDep) -> HTMLResponse:
    return _html(request, "f/whoami.html", workspace=workspace)


@fragments.get("/tasks")
def task_list(
    request: Request,
    platform: PlatformDep,
    workspace: WorkspaceDep,
    cursor: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    form = FilterForm.of(request)
    tasks, after = queries.task_page(platform, workspace, form, cursor or None)
    return _html(request, "f/task_list.html", tasks=tasks, next=after, cursor=cursor)


@fragments.get("/counts")
def counts(request: Request, platform: PlatformDep, workspace: WorkspaceDep) -> HTMLResponse:
    found, exact = queries.state_counts(platform, workspace, FilterForm.of(request).where())
    return _html(request, "f/counts.html", counts=found, exact=exact, states=TASK_STATES)


@fragments.get("/tasks/{task_id}")
def task_head(request: Request, task_id: str, platform: PlatformDep, workspace: WorkspaceDep) -> HTMLResponse:
    task = platform.get_task(workspace, task_id)
    return _html(
        request,
        "f/task_head.html",
        task=task,
        live=task.state not in ENDED_STATES and task.state is not TaskState.ERROR,
        resumable=task.state in RESUMABLE_STATES,
        cancellable=task.state in TIMED_STATES,
    )


@fragments.get("/tasks/{task_id}/timeline")
def task_timeline(
    request: Request, task_id: str, platform: PlatformDep, workspace: WorkspaceDep
) -> HTMLResponse:
    task = platform.get_task(workspace, task_id)
    events = platform.history(workspace, task_id)
    sources = {step.name: step for step in platform.list_steps(workspace)}
    libraries = {f"lib/{lib.name}.js": lib for lib in platform.list_libraries(workspace)}
    return _html(
        request,
        "f/timeline.html",
        task=task,
        entries=timeline.build(events),
        steps=sources,
        libraries=libraries,
        count=len(events),
        rerunnable=task.state in RESUMABLE_STATES,
    )


@fragments.get("/tasks/{task_id}/data")
def task_data(
    request: Request,
    task_id: str,
    platform: PlatformDep,
    workspace: WorkspaceDep,
    at: Annotated[int, Query(ge=0, le=MAX_SAFE_INTEGER)],
) -> HTMLResponse:
    data = platform.task_data_at(workspace, task_id, at)
    return _html(request, "f/data.html", task_id=task_id, seq=at, data=data)


@fragments.get("/tasks/{task_id}/value")
def task_value(
    request: Request,
    task_id: str,
    platform: PlatformDep,
    workspace: WorkspaceDep,
    at: Annotated[int, Query(ge=0, le=MAX_SAFE_INTEGER)],
    path: Annotated[str, Query()],
) -> HTMLResponse:
    data = platform.task_data_at(workspace, task_id, at)
    return _html(request, "f/value.html", value=timeline.value_at(data, path))


@fragments.get("/tasks/{task_id}/rerun")
def rerun_form(
    request: Request,
    task_id: str,
    platform: PlatformDep,
    workspace: WorkspaceDep,
    run: Annotated[int, Query(ge=1, le=MAX_SAFE_INTEGER)],
) -> HTMLResponse:
    """The data the run was dispatched with (what a rerun from it starts from), to edit first."""
    events = platform.history(workspace, task_id)
    dispatch = timeline.dispatch_of(events, run)
    if dispatch is None:
        raise NotFound(f"event {run} of this task is not a run with a recorded dispatch")
    step = next(e.detail.get("step") for e in events if e.seq == run)
    data = platform.task_data_at(workspace, task_id, dispatch)
    return _html(request, "f/rerun.html", task_id=task_id, run=run, step=step, data=data)


@fragments.get("/steps")
def step_list(request: Request, platform: PlatformDep, workspace: WorkspaceDep) -> HTMLResponse:
    steps = platform.list_steps(workspace)
    usage = {s.name: queries.state_counts(platform, workspace, TaskFilter(step=s.name))[0] for s in steps}
    failed = {s.name: queries.failed_in(platform, workspace, s.name) for s in steps}
    return _html(request, "f/steps.html", steps=steps, usage=usage, failed=failed)


@fragments.get("/bulk")
def bulk_preview(request: Request, platform: PlatformDep, workspace: WorkspaceDep) -> HTMLResponse:
    form = FilterForm.of(request)
    tasks, after = queries.task_page(platform, workspace, form, None, limit=20)
    found, exact = queries.state_counts(platform, workspace, form.where())
    matched = queries.matched(found, form.task_state)
    return _html(request, "f/bulk.html", tasks=tasks, more=after is not None, matched=matched, exact=exact)
