"""The FastAPI app of api.md over a `Platform`; the same app serves Lambda (Mangum) and `aloma dev`."""

from fastapi import FastAPI

from ..admin_token import AdminToken, FixedAdminToken
from ..limits import MIB
from ..services import Platform
from ..ui import routes as dashboard
from . import errors
from .auth import ApiContext
from .bodylimit import BodyLimitMiddleware
from .requestid import RequestIdMiddleware
from .routes import connectors, health, libraries, schedules, secrets, steps, tasks, webhooks, workspaces


def create_app(
    platform: Platform,
    *,
    admin_token: str | AdminToken | None,
    max_body_bytes: int = 1 * MIB,
    is_transient: errors.IsTransient | None = None,
) -> FastAPI:
    """`admin_token` None disables the admin routes (they answer 401 to everyone); a string is a
    fixed token, an `AdminToken` one that may change while the app runs. `is_transient` picks the
    unexpected errors that are a backing service over capacity (answered 503)."""
    app = FastAPI(
        title="aloma",
        summary="Code-first workflow automation: JavaScript steps that react to task data.",
        version="1",
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.aloma = ApiContext(platform, _admin_check(admin_token))
    errors.install_error_handlers(app, is_transient)
    # Added last runs first: the request id must be set before a body is refused.
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    for router in (
        health.router,
        workspaces.admin,
        workspaces.own,
        steps.router,
        tasks.router,
        secrets.router,
        connectors.router,
        webhooks.router,
        webhooks.hooks,
        schedules.router,
        libraries.router,
    ):
        # The body limit applies to every request, so every operation may answer 413.
        app.include_router(router, responses=errors.documented(413))
    dashboard.mount(app)
    return app


def _admin_check(admin_token: str | AdminToken | None) -> AdminToken:
    if admin_token is None or isinstance(admin_token, str):
        return FixedAdminToken(admin_token)
    return admin_token
