"""Steps, addressed by name (the step file's name, spaces allowed: `validate email`)."""

from fastapi import APIRouter, Response

from ..auth import PlatformDep, WorkspaceDep
from ..errors import documented
from ..schemas import DataIn, StepList, StepMatch, StepMatches, StepOut, StepPut

router = APIRouter(prefix="/v1/steps", tags=["steps"], responses=documented(401))


@router.put(
    "/{name}",
    summary="Create or replace a step",
    description="200 when an existing step was replaced (or re-put unchanged), 201 when it was created.",
    responses={201: {"model": StepOut, "description": "created"}, **documented(422)},
)
def put_step(
    name: str, body: StepPut, response: Response, platform: PlatformDep, workspace: WorkspaceDep
) -> StepOut:
    step, created = platform.put_step(
        workspace,
        name,
        source=body.source,
        condition=body.condition,
        content=body.content,
        enabled=body.enabled,
    )
    response.status_code = 201 if created else 200
    return StepOut.of(step)


@router.get("", summary="List steps")
def list_steps(platform: PlatformDep, workspace: WorkspaceDep) -> StepList:
    return StepList(steps=[StepOut.of(step) for step in platform.list_steps(workspace)])


@router.post(
    "/match",
    summary="Which steps match this data",
    description=(
        "The enabled steps whose condition matches `data`, most specific first (the order sequential "
        "mode runs them in), then the disabled ones that would match, flagged `enabled: false`. "
        "Whether a step already ran on some task is not considered."
    ),
    responses=documented(422),
)
def match_steps(body: DataIn, platform: PlatformDep, workspace: WorkspaceDep) -> StepMatches:
    return StepMatches(
        steps=[
            StepMatch(name=step.name, version=step.version, enabled=step.enabled)
            for step in platform.matching_steps(workspace, body.data)
        ]
    )


@router.get("/{name}", summary="Show a step", responses=documented(404, 422))
def get_step(name: str, platform: PlatformDep, workspace: WorkspaceDep) -> StepOut:
    return StepOut.of(platform.get_step(workspace, name))


@router.delete("/{name}", status_code=204, summary="Delete a step", responses=documented(404, 422))
def delete_step(name: str, platform: PlatformDep, workspace: WorkspaceDep) -> None:
    platform.delete_step(workspace, name)
