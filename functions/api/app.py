"""API Lambda: the same FastAPI app as `aloma dev`, behind Mangum."""

from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from aloma_core.adapters.aws.throttling import is_over_capacity
from aloma_core.api import create_app
from aloma_core.home.lambdas import home, logger, tracer


@cache
def _asgi() -> Mangum:
    aws = home()
    app = create_app(
        aws.platform,
        admin_token=aws.admin_token(),
        max_body_bytes=aws.settings.max_body_bytes,
        is_transient=is_over_capacity,
    )
    return Mangum(app, lifespan="off")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = _asgi()(event, context)
    return response
