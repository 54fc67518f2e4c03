"""Bad input against the real HTTP app (uvicorn on 127.0.0.1, so the raw bytes are exactly what a
client sent): each case gets its 4xx with the error body, nothing is stored half-way (the lists
and counts are the same before and after), and the next valid request works.

Limits are the documented defaults: a request body of 1 MiB and task data of 256 KiB (semantics.md
section 7). Exactly at a limit is accepted; one byte over, or ten times over, is a 413, and a body
ten times over is refused before the client has finished sending it.
"""

import json
import re
import select
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from api_support import STEP_FILE, assert_error
from fastapi import FastAPI

from aloma_core.home.serving import serving
from aloma_core.limits import KIB, MIB
from aloma_core.services import Platform

pytestmark = pytest.mark.corpus

BODY_LIMIT = 1 * MIB
DATA_LIMIT = 256 * KIB
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Live:
    """The app served on 127.0.0.1 and a workspace's client of it."""

    port: int
    key: str
    http: httpx.Client

    def stored(self) -> dict[str, Any]:
        """Everything a bad request could have left behind, as the API lists it."""
        return {
            "tasks": self.http.get("/v1/tasks", params={"limit": 200}).json(),
            "counts": self.http.get("/v1/tasks/counts").json(),
            "steps": self.http.get("/v1/steps").json(),
            "secrets": self.http.get("/v1/secrets").json(),
            "connectors": self.http.get("/v1/connectors").json(),
            "webhooks": self.http.get("/v1/webhooks").json(),
            "schedules": self.http.get("/v1/schedules").json(),
            "workspace": self.http.get("/v1/workspace").json(),
        }

    def still_serving(self) -> None:
        created = self.http.post("/v1/tasks", json={"name": "after", "data": {"ok": True}})
        assert created.status_code == 201, created.text
        assert self.http.get(f"/v1/tasks/{created.json()['id']}").json()["data"] == {"ok": True}

    def send_until_answered(self, head: bytes, body: bytes, piece: int = 64 * KIB) -> tuple[bytes, int]:
        """Send `head`, then `body` a piece at a time while the server has not answered; returns
        the answer and how many body bytes went out before it came. The loop is bounded by the
        body's size; a server that hangs up mid-body ends the sending too."""
        sent = 0
        with socket.socket() as connection:
            # A small send buffer keeps what the kernel holds for the server to a few pieces.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, piece)
            connection.settimeout(30)
            connection.connect(("127.0.0.1", self.port))
            connection.sendall(head)
            while sent < len(body) and not select.select([connection], [], [], 0)[0]:
                try:
                    connection.sendall(body[sent : sent + piece])
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += piece
            return _read_answer(connection), sent

    def hang_up_after(self, head: bytes, part: bytes) -> bytes:
        """Send `head` and `part` of the promised body, then close the sending side."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(head + part)
            connection.shutdown(socket.SHUT_WR)
            return _read_answer(connection)


def _read_answer(connection: socket.socket) -> bytes:
    """What the server sent until it closed, or until a complete answer with its body is in."""
    received = b""
    for _ in range(1000):  # bounded
        try:
            chunk = connection.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        length = re.search(rb"content-length: *(\d+)", head, re.I)
        if length and len(body) >= int(length.group(1)):
            break
    return received


@pytest.fixture
def live(api_app: FastAPI, platform: Platform) -> Iterator[Live]:
    workspace, key = platform.create_workspace("bad input")
    platform.put_secret(workspace, "KEPT", "value")
    with (
        serving(api_app, "127.0.0.1", 0) as port,
        httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as client,
    ):
        client.post("/v1/tasks", json={"name": "before", "data": {"n": 1}})
        client.put("/v1/steps/existing", json={"source": STEP_FILE})
        yield Live(port, key, client)


def nested(depth: int) -> bytes:
    return b'{"data": {"deep": ' + b"[" * depth + b"]" * depth + b"}}"


def nested_objects(depth: int) -> bytes:
    return b'{"data": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"


# (body, status, code): POST /v1/tasks with these exact bytes.
TASK_BODIES = {
    "malformed JSON": (b'{"data": {"a": 1,}}', 422, "invalid_json"),
    "truncated JSON": (b'{"name": "cut", "data": {"a": [1, 2', 422, "invalid_json"),
    "empty body": (b"", 422, "invalid_input"),
    "not an object": (b"[1, 2, 3]", 422, "invalid_input"),
    "data is a list": (b'{"data": [1]}', 422, "invalid_input"),
    "data is a string": (b'{"data": "text"}', 422, "invalid_input"),
    "name is a number": (b'{"name": 5, "data": {}}', 422, "invalid_input"),
    "data missing": (b'{"name": "no data"}', 422, "invalid_input"),
    "unknown field": (b'{"data": {}, "colour": "blue"}', 422, "invalid_input"),
    "10,000 nested arrays": (nested(10_000), 422, "invalid_json"),
    "10,000 nested objects": (nested_objects(10_000), 422, "invalid_json"),
    "number over the double range": (b'{"data": {"n": 1e400}}', 422, "invalid_input"),
    "negative number over the double range": (b'{"data": {"n": -1e400}}', 422, "invalid_input"),
    "NaN": (b'{"data": {"n": NaN}}', 422, "invalid_input"),
    "Infinity": (b'{"data": {"n": Infinity}}', 422, "invalid_input"),
    "an integer of 5,000 digits": (b'{"data": {"n": ' + b"9" * 5000 + b"}}", 422, "invalid_json"),
    "invalid UTF-8": (b'{"data": {"s": "\xff\xfe"}}', 422, "invalid_json"),
    "a lone UTF-8 continuation byte": (b'{"data": {"s": "a\x80b"}}', 422, "invalid_json"),
    "a raw NUL byte": (b'{"data": {"s": "a\x00b"}}', 422, "invalid_json"),
    "a NUL byte outside strings": (b'{"data": {}}\x00', 422, "invalid_json"),
    "a huge string in the data": (
        b'{"data": {"s": "' + b"x" * (DATA_LIMIT + 1) + b'"}}',
        413,
        "too_large",
    ),
    "a huge name": (b'{"name": "' + b"n" * 300_000 + b'", "data": {}}', 422, "invalid_input"),
}


@pytest.mark.parametrize("case", TASK_BODIES.values(), ids=TASK_BODIES.keys())
def test_a_bad_task_body_is_refused_and_stores_nothing(live: Live, case: tuple[bytes, int, str]) -> None:
    body, status, code = case
    before = live.stored()

    assert_error(live.http.post("/v1/tasks", content=body, headers=JSON), status, code)

    assert live.stored() == before
    live.still_serving()


# PUT /v1/steps/bad: step files that cannot be a step, and the code each is refused with.
CONTENT = "export const content = async () => {};\n"
STEP_FILES = {
    "syntax error": (
        "export const condition = { a: String };\nexport const content = async () => { x = ; };\n",
        "invalid_step",
    ),
    "no condition export": ("export const content = async () => { data.b = 1; };\n", "invalid_step"),
    "no content export": ("export const condition = { a: String };\n", "invalid_step"),
    "content is not a function": (
        "export const condition = { a: String };\nexport const content = 42;\n",
        "invalid_step",
    ),
    "empty file": ("", "invalid_step"),
    "a NUL in the source": ("export const condition = { a: String };\x00\n" + CONTENT, "invalid_step"),
    "$gt given a string": ("export const condition = { a: { $gt: 'x' } };\n" + CONTENT, "invalid_condition"),
    "$in without a list": ("export const condition = { a: { $in: 'DE' } };\n" + CONTENT, "invalid_condition"),
    "$or with no alternative": (
        "export const condition = { a: { $or: [] } };\n" + CONTENT,
        "invalid_condition",
    ),
    "operators mixed with data keys": (
        "export const condition = { a: { $gt: 1, b: 2 } };\n" + CONTENT,
        "invalid_condition",
    ),
    "$regex next to $gt": (
        "export const condition = { a: { $gt: 1, $regex: 'x' } };\n" + CONTENT,
        "invalid_condition",
    ),
}


@pytest.mark.parametrize("case", STEP_FILES.values(), ids=STEP_FILES.keys())
def test_a_bad_step_file_is_refused_and_stores_nothing(live: Live, case: tuple[str, str]) -> None:
    source, code = case
    before = live.stored()

    assert_error(live.http.put("/v1/steps/bad", json={"source": source}), 422, code)

    assert live.stored() == before
    assert_error(live.http.get("/v1/steps/bad"), 404, "not_found")
    live.still_serving()


def test_an_unreserved_dollar_key_is_a_data_key_not_a_bad_operator(live: Live) -> None:
    """semantics.md section 3: only the listed `$` names are operators (tasks carry `$via`)."""
    source = "export const condition = { a: { $near: 1 } };\n" + CONTENT
    stored = live.http.put("/v1/steps/near", json={"source": source})
    assert stored.status_code == 201, stored.text
    assert stored.json()["condition"] == {"a": {"$near": 1}}


def test_a_library_with_a_nul_is_refused_and_stores_nothing(live: Live) -> None:
    before = live.http.get("/v1/libraries").json()
    response = live.http.put("/v1/libraries/util", json={"source": "export const a = 1;\n\x00"})
    assert "line 2" in assert_error(response, 422, "invalid_library")
    assert live.http.get("/v1/libraries").json() == before


def test_a_bad_step_file_leaves_the_previous_version_in_place(live: Live) -> None:
    before = live.http.get("/v1/steps/existing").json()
    broken, _ = STEP_FILES["syntax error"]
    assert_error(live.http.put("/v1/steps/existing", json={"source": broken}), 422, "invalid_step")
    assert live.http.get("/v1/steps/existing").json() == before


def test_a_nul_in_a_string_escape_is_ordinary_data(live: Live) -> None:
    """Escaped, a NUL is a character like any other: stored and given back unchanged."""
    created = live.http.post("/v1/tasks", content=b'{"data": {"s": "a\\u0000b"}}', headers=JSON)
    assert created.status_code == 201, created.text
    assert live.http.get(f"/v1/tasks/{created.json()['id']}").json()["data"] == {"s": "a\x00b"}


def task_body(size: int) -> bytes:
    """A valid task creation of exactly `size` bytes: small data, then JSON whitespace."""
    frame = b'{"data": {"padded": true}}'
    return frame + b" " * (size - len(frame))


def data_body(data_bytes: int) -> bytes:
    """A task whose data is exactly `data_bytes` long as stored (compact JSON, UTF-8)."""
    frame = '{"s":""}'
    return json.dumps({"data": {"s": "x" * (data_bytes - len(frame))}}).encode()


def test_a_body_exactly_at_the_limit_is_accepted(live: Live) -> None:
    assert live.http.post("/v1/tasks", content=task_body(BODY_LIMIT), headers=JSON).status_code == 201


@pytest.mark.parametrize("size", [BODY_LIMIT + 1, 10 * BODY_LIMIT], ids=["one byte over", "ten times over"])
def test_a_body_over_the_limit_is_413_and_stores_nothing(live: Live, size: int) -> None:
    before = live.stored()
    message = assert_error(
        live.http.post("/v1/tasks", content=task_body(size), headers=JSON), 413, "too_large"
    )
    assert str(BODY_LIMIT) in message
    assert live.stored() == before
    live.still_serving()


def test_task_data_exactly_at_its_limit_is_accepted_and_one_byte_over_is_413(live: Live) -> None:
    assert live.http.post("/v1/tasks", content=data_body(DATA_LIMIT), headers=JSON).status_code == 201
    before = live.stored()
    response = live.http.post("/v1/tasks", content=data_body(DATA_LIMIT + 1), headers=JSON)
    assert "task size limit" in assert_error(response, 413, "too_large")
    assert live.stored() == before


def head(method: str, path: str, key: str, **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {key}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join([*lines, "Content-Type: application/json", "", ""])).encode()


def test_ten_times_the_limit_is_refused_before_it_is_all_sent(live: Live) -> None:
    """The declared length is enough: the 413 comes before the body has been sent."""
    size = 10 * BODY_LIMIT
    before = live.stored()
    answer, sent = live.send_until_answered(
        head("POST", "/v1/tasks", live.key, Content_Length=str(size)), task_body(size)
    )
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b'"too_large"' in answer
    assert sent < size
    assert live.stored() == before
    live.still_serving()


def test_a_chunked_body_over_the_limit_is_refused_once_it_passes_the_limit(live: Live) -> None:
    """No Content-Length: the server counts the bytes as they come and answers 413 past the limit,
    before the client has sent them all (what the kernel buffers on the way is at most a few MiB)."""
    chunk = b" " * (64 * KIB)
    framed = b'{"data": {}}'
    body = b"%x\r\n%s\r\n" % (len(framed), framed)
    body += b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(10 * BODY_LIMIT // len(chunk)))
    before = live.stored()
    answer, sent = live.send_until_answered(
        head("POST", "/v1/tasks", live.key, Transfer_Encoding="chunked"), body
    )
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < len(body)
    assert live.stored() == before
    live.still_serving()


def test_a_body_cut_short_by_a_client_that_went_away_stores_nothing(live: Live) -> None:
    """Content-Length promises more than arrives before the client hangs up: no task, no answer
    owed, and the server goes on serving others."""
    before = live.stored()
    body = b'{"name": "cut", "data": {"a": 1}}'
    answer = live.hang_up_after(head("POST", "/v1/tasks", live.key, Content_Length=str(len(body))), body[:20])
    assert not answer.startswith(b"HTTP/1.1 2"), answer[:200]
    assert live.stored() == before
    live.still_serving()


HUGE = str(2**64)
# Integers past what the stores can compare (SQLite's 64 bits): each was a 500 before it was bounded.
HUGE_INTEGERS = {
    "created_after of the list": ("GET", "/v1/tasks?created_after=" + HUGE, None),
    "created_before of the counts": ("GET", "/v1/tasks/counts?created_before=" + HUGE, None),
    "at of the data": ("GET", "/v1/tasks/{id}/data?at=" + HUGE, None),
    "from of a rerun": ("POST", "/v1/tasks/{id}/rerun", {"from": 2**64}),
    "created_after of a bulk filter": (
        "POST",
        "/v1/tasks/bulk",
        {"action": "resume", "filter": {"created_after": 2**64}},
    ),
    "at of a dashboard fragment": ("GET", "/ui/f/tasks/{id}/data?at=" + HUGE, None),
    "run of a dashboard fragment": ("GET", "/ui/f/tasks/{id}/rerun?run=" + HUGE, None),
}


@pytest.mark.parametrize("case", HUGE_INTEGERS.values(), ids=HUGE_INTEGERS.keys())
def test_an_integer_past_the_safe_range_is_refused(live: Live, case: tuple[str, str, Any]) -> None:
    method, path, body = case
    task_id = live.http.get("/v1/tasks").json()["tasks"][0]["id"]
    before = live.stored()

    message = assert_error(
        live.http.request(method, path.format(id=task_id), json=body), 422, "invalid_input"
    )

    assert str(2**53 - 1) in message
    assert live.stored() == before
    live.still_serving()


def test_the_largest_safe_integer_is_accepted(live: Live) -> None:
    answer = live.http.get("/v1/tasks/counts", params={"created_before": 2**53 - 1})
    assert answer.status_code == 200, answer.text
    assert sum(answer.json()["counts"].values()) == 1
