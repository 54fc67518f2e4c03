"""How answers become results or one-line errors, whatever sits in front of the API."""

import httpx
import pytest

from aloma_core.cli.client import Reply, _api_error, api_path
from aloma_core.cli.errors import ApiError


def test_path_segments_are_escaped() -> None:
    assert api_path("steps", "validate email") == "/v1/steps/validate%20email"
    assert api_path("steps", "a/b?c#d") == "/v1/steps/a%2Fb%3Fc%23d"
    assert api_path("tasks", "t1", "history") == "/v1/tasks/t1/history"


def test_the_api_error_envelope_gives_code_and_message() -> None:
    response = httpx.Response(
        422, json={"error": {"code": "invalid_step", "message": "line 3: unexpected token"}}
    )

    error = _api_error(response)

    assert (error.status, error.code, error.message) == (422, "invalid_step", "line 3: unexpected token")
    assert str(error) == "line 3: unexpected token (invalid_step)"
    assert error.exit_code == 1


@pytest.mark.parametrize(
    ("response", "line"),
    [
        (httpx.Response(501, json={"detail": "Not Implemented"}), "Not Implemented (http_501)"),
        (httpx.Response(502, text="<html>\nBad gateway</html>"), "<html> (http_502)"),
        (httpx.Response(503), "Service Unavailable (http_503)"),
        (httpx.Response(429, json={"message": "Too Many Requests"}), "Too Many Requests (http_429)"),
    ],
)
def test_other_error_bodies_still_make_one_line(response: httpx.Response, line: str) -> None:
    assert str(_api_error(response)) == line


def test_a_reply_that_should_be_an_object_but_is_not_is_an_error() -> None:
    with pytest.raises(ApiError, match="bad_answer"):
        Reply(200, [1, 2]).object()
