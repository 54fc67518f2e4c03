"""Who is calling: the dependencies every route declares.

A workspace key yields its workspace and nothing else; the admin token only opens the admin
routes. Anything else (no header, another scheme, an unknown key, the wrong kind of credential
for the route) is the same 401, so a caller learns nothing about keys it does not hold.
"""

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..admin_token import AdminToken
from ..errors import Unauthorized
from ..model import Workspace
from ..services import Platform


@dataclass(frozen=True)
class ApiContext:
    """What `create_app` was given, kept on `app.state` so that several apps can coexist."""

    platform: Platform
    admin_token: AdminToken


def context_of(request: Request) -> ApiContext:
    return cast(ApiContext, request.app.state.aloma)


# The dependencies are coroutines although they do not await: FastAPI runs a plain function
# dependency on its thread pool, a hop per dependency per request; these only read memory or one
# indexed row (the key's hash), which does not hold the event loop up.


async def _platform(request: Request) -> Platform:
    return context_of(request).platform


_workspace_key = HTTPBearer(auto_error=False, scheme_name="WorkspaceKey", description="a workspace API key")
_admin_token = HTTPBearer(auto_error=False, scheme_name="AdminToken", description="the admin token")

Credentials = HTTPAuthorizationCredentials | None


async def _current_workspace(
    request: Request, credentials: Annotated[Credentials, Depends(_workspace_key)]
) -> Workspace:
    return context_of(request).platform.authenticate(credentials.credentials if credentials else "")


async def _require_admin(
    request: Request, credentials: Annotated[Credentials, Depends(_admin_token)]
) -> None:
    given = credentials.credentials if credentials else ""
    if not context_of(request).admin_token.matches(given):
        raise Unauthorized("missing or wrong admin token")


PlatformDep = Annotated[Platform, Depends(_platform)]
WorkspaceDep = Annotated[Workspace, Depends(_current_workspace)]
AdminOnly = Depends(_require_admin)
