"""The one place where failures become HTTP answers, all with the same body:
`{"error": {"code": "<snake_case>", "message": "<for a person>"}}`.

Domain exceptions are mapped by class (the nearest mapped base wins), FastAPI's own validation
and routing errors are rewritten into the same shape, and anything unexpected is logged and
answered as a bare 500 so that no traceback or internal detail leaves the process, unless the home
says it is a passing overload of a service it relies on (DynamoDB throttling): that is a 503 with
`Retry-After`, so clients retry instead of reporting a bug.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import (
    AlomaError,
    BadSignature,
    ConflictingState,
    InvalidInput,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthorized,
)
from .requestid import REQUEST_ID_HEADER, request_id_of
from .schemas import ErrorBody

logger = logging.getLogger(__name__)

_STATUS: Mapping[type[AlomaError], int] = {
    Unauthorized: 401,
    NotFound: 404,
    ConflictingState: 409,
    TooLarge: 413,
    InvalidInput: 422,
    RateLimited: 429,
}

_DESCRIPTIONS: Mapping[int, str] = {
    401: "missing or bad API key",
    404: "unknown, or belongs to another workspace",
    409: "the object's current state does not allow this",
    413: "request body or task data too large",
    422: "invalid input; the message says what and where",
    429: "over a rate limit",
}


IsTransient = Callable[[Exception], bool]
"""Whether an unexpected error is a backing service over capacity for a moment; each home knows its own."""

UNAVAILABLE_RETRY_AFTER_S = 1


def _never_transient(_error: Exception) -> bool:
    return False


def status_of(error: AlomaError) -> int:
    for cls in type(error).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 400


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = ErrorBody.model_validate({"error": {"code": code, "message": message}})
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, all with the error body."""
    return {status: {"model": ErrorBody, "description": _DESCRIPTIONS[status]} for status in statuses}


def install_error_handlers(app: FastAPI, is_transient: IsTransient | None = None) -> None:
    app.add_exception_handler(AlomaError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error_handler(is_transient or _never_transient))


async def _domain_error(_request: Request, error: AlomaError) -> JSONResponse:
    return error_response(status_of(error), error.code, error.message, _headers(error))


def _headers(error: AlomaError) -> dict[str, str] | None:
    """A bad webhook signature is no invitation to send a bearer key: only API keys get the challenge."""
    if isinstance(error, Unauthorized) and not isinstance(error, BadSignature):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RateLimited):
        return {"Retry-After": str(error.retry_after_s)}
    return None


async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    problems = error.errors()
    if any(problem["type"] == "json_invalid" for problem in problems):
        return error_response(422, "invalid_json", _json_problem(problems, error.body))
    return error_response(422, "invalid_input", "; ".join(_describe(problem) for problem in problems))


def _describe(problem: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in problem["loc"])
    if where == "body":
        # A missing or non-JSON body: say what to send rather than pydantic's wording.
        return "body: expected a JSON object, sent with Content-Type: application/json"
    return f"{where}: {problem['msg']}"


def _json_problem(problems: Sequence[Mapping[str, Any]], document: Any) -> str:
    problem = next(p for p in problems if p["type"] == "json_invalid")
    reason = problem.get("ctx", {}).get("error", "not JSON")
    position = problem["loc"][-1]
    if not isinstance(document, str) or not isinstance(position, int):
        return f"body: malformed JSON: {reason}"
    line = document.count("\n", 0, position) + 1
    column = position - (document.rfind("\n", 0, position) + 1) + 1
    return f"body: malformed JSON at line {line}, column {column}: {reason}"


async def _http_error(request: Request, error: HTTPException) -> JSONResponse:
    """Routing errors: unknown route 404, wrong method 405; and a body FastAPI could not decode."""
    unreadable = _unreadable_body(error)
    if unreadable is not None:
        return error_response(422, "invalid_json", unreadable)
    status = HTTPStatus(error.status_code)
    code = status.phrase.lower().replace(" ", "_").replace("-", "_")
    message = error.detail
    if message == status.phrase:
        message = f"{status.phrase}: {request.method} {request.url.path}"
    return error_response(status.value, code, message, error.headers)


def _unreadable_body(error: HTTPException) -> str | None:
    """FastAPI answers a JSON body it failed to decode for reasons other than JSON syntax with a
    bare 400 that hides why; the cause it chains says: bytes that are not UTF-8, nesting deeper
    than the decoder's recursion allows, or a number Python refuses to convert. All are malformed
    JSON as far as a client is concerned."""
    if error.status_code != 400:
        return None
    if isinstance(error.__cause__, UnicodeDecodeError):
        return f"body: malformed JSON: not UTF-8 text (byte {error.__cause__.start})"
    if isinstance(error.__cause__, RecursionError):
        return "body: malformed JSON: nested too deeply"
    if isinstance(error.__cause__, ValueError):  # e.g. an integer of more than 4300 digits
        return f"body: malformed JSON: {error.__cause__}"
    return None


def _unexpected_error_handler(
    is_transient: IsTransient,
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        """Runs outside the request-id middleware (Starlette's outermost layer), so it sets the header."""
        request_id = request_id_of(request.scope)
        if is_transient(error):
            logger.warning(
                "over capacity in %s %s (request %s): %s", request.method, request.url.path, request_id, error
            )
            message = (
                "the service is over capacity for a moment; try again "
                f"(with the same Idempotency-Key, if you sent one); request id {request_id}"
            )
            headers = {REQUEST_ID_HEADER: request_id, "Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)}
            return error_response(503, "unavailable", message, headers)
        logger.error(
            "unexpected error in %s %s (request %s)",
            request.method,
            request.url.path,
            request_id,
            exc_info=error,
        )
        message = f"an unexpected error occurred; quote request id {request_id} when reporting it"
        return error_response(500, "internal_error", message, {REQUEST_ID_HEADER: request_id})

    return unexpected_error
