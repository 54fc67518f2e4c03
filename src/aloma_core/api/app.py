"""The FastAPI app of api.md over a `Platform`; the same app serves Lambda (Mangum) and `aloma dev`."""

from fastapi import FastAPI

from ..limits import MIB
from ..services import Platform
from ..ui import routes as dashboard
from . import errors
from .auth import ApiContext
from .bodylimit import BodyLimitMiddleware
from .requestid import RequestIdMiddleware
from .routes import connectors, health, libraries, schedules, secrets, steps, tasks, webhooks, workspaces


def create_app(platform: Platform, *, admin_token: str | None, max_body_bytes: int = 1 * MIB) -> FastAPI:
    """`admin_token` None disables the admin routes (they answer 401 to everyone)."""
    app = FastAPI(
        title="aloma",
        summary="Code-first workflow automation: JavaScript steps that react to task data.",
        version="1",
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.aloma = ApiContext(platform, admin_token)
    errors.install_error_handlers(app)
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
        app.include_router(router)
    dashboard.mount(app)
    return app
