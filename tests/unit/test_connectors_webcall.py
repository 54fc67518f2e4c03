"""The fetch-style call shape, Retry-After, and how a response becomes what a step sees."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from aloma_core.connectors.base import parse_args
from aloma_core.connectors.errors import ConnectorError
from aloma_core.connectors.http import HttpResponse, retry_delay
from aloma_core.connectors.webcall import WebCall, answer
from aloma_core.json_types import JsonValue


def web_call(args: JsonValue) -> WebCall:
    return parse_args(WebCall, args)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"url": "/items"}, ("GET", "/items")),
        ({"url": "GET /items"}, ("GET", "/items")),
        ({"url": "post /items"}, ("POST", "/items")),
        ({"url": "/items", "options": {"method": "delete"}}, ("DELETE", "/items")),
        (
            {"url": "PUT https://example.com/x", "options": {"method": "PUT"}},
            ("PUT", "https://example.com/x"),
        ),
    ],
)
def test_the_method_comes_from_the_url_or_the_options(args: JsonValue, expected: tuple[str, str]) -> None:
    assert web_call(args).method_and_target() == expected


def test_two_different_methods_are_refused() -> None:
    with pytest.raises(ConnectorError, match=r"url names the method GET but options\.method is POST"):
        web_call({"url": "GET /x", "options": {"method": "POST"}}).method_and_target()


def test_a_method_must_be_a_word() -> None:
    with pytest.raises(ConnectorError, match="invalid HTTP method 'G-T'"):
        web_call({"url": "G-T /x"}).method_and_target()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, (None, None)),
        ("a=1", (b"a=1", "text/plain; charset=utf-8")),
        ({"a": [1, True]}, (b'{"a":[1,true]}', "application/json")),
        (3, (b"3", "application/json")),
    ],
)
def test_a_body_is_sent_as_text_or_json(body: JsonValue, expected: tuple[bytes | None, str | None]) -> None:
    assert web_call({"url": "/x", "options": {"body": body}}).encoded_body() == expected


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({"url": 3}, "url: Input should be a valid string"),
        (
            {"url": "/x", "options": {"headers": {"a": 1}}},
            "options.headers.a: Input should be a valid string",
        ),
        ({"url": "/x", "bodyOnly": "yes"}, "bodyOnly: Input should be a valid boolean"),
        ({"url": "/x", "mode": "cors"}, "mode: Extra inputs are not permitted"),
        ([], "the argument must be an object, not an array"),
    ],
)
def test_bad_arguments_say_what_and_where(args: JsonValue, problem: str) -> None:
    with pytest.raises(ConnectorError) as raised:
        web_call(args)
    assert problem in str(raised.value)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=30), usegmt=True)
    assert retry_delay("7", 1, 0.5) == 7.0
    assert 28 < retry_delay(soon, 1, 0.5) <= 30
    assert retry_delay(past, 1, 0.5) == 0.0


def test_without_a_usable_retry_after_the_wait_doubles() -> None:
    assert [retry_delay(None, attempt, 0.5) for attempt in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert retry_delay("soon", 2, 0.5) == 1.0


def response(status: int, body: bytes, content_type: str | None, attempts: int = 1) -> HttpResponse:
    headers = httpx.Headers({"Content-Type": content_type} if content_type else {})
    return HttpResponse(status, headers, body, "utf-8", attempts)


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/json", b'{"a": 1}', {"a": 1}),
        ("application/problem+json; charset=utf-8", b"[1]", [1]),
        ("text/plain", b'{"a": 1}', '{"a": 1}'),
        (None, b"plain", "plain"),
        ("application/json", b"", None),
        ("application/json", b"not json", "not json"),
        ("application/json", b"NaN", "NaN"),
    ],
)
def test_a_body_is_json_only_when_declared_and_valid(
    content_type: str | None, body: bytes, expected: JsonValue
) -> None:
    assert response(200, body, content_type).body() == expected


def test_a_failure_names_the_status_and_the_message_or_the_text() -> None:
    assert (
        response(404, b'{"message": "no such item"}', "application/json").failure()
        == "HTTP 404: no such item"
    )
    assert response(500, b"it broke\n", "text/plain").failure() == "HTTP 500: it broke"
    assert response(502, b"", None).failure() == "HTTP 502"
    assert response(429, b"slow down", None, attempts=3).failure() == "HTTP 429 after 3 attempts: slow down"
    assert response(400, b"x" * 1000, None).failure() == "HTTP 400: " + "x" * 300 + "..."


def test_a_step_sees_status_headers_and_body() -> None:
    seen = answer(response(201, b'{"id": 7}', "application/json"), body_only=False)
    assert seen == {"status": 201, "headers": {"content-type": "application/json"}, "body": {"id": 7}}
    assert answer(response(404, b"gone", None), body_only=False) == {
        "status": 404,
        "headers": {},
        "body": "gone",
    }


def test_body_only_gives_the_body_and_rejects_an_error_status() -> None:
    assert answer(response(200, b'{"id": 7}', "application/json"), body_only=True) == {"id": 7}
    with pytest.raises(ConnectorError, match="HTTP 404: gone"):
        answer(response(404, b"gone", None), body_only=True)
