"""Stand-ins for the two services the onboarding example calls, so `make dev` runs it with no network.

`aloma dev` serves them under `/examples/` when the steps directory's `aloma.dev.json` asks for
them (`"example_services": true`); they answer as the real protocols do, and keep in memory what
they received, for you to look at:

- `POST /examples/crm/{method}`: a CRM behind the `remote` connector protocol of api.md.
  `createContact({email, name})` answers `{id, email, name}`, the same id for the same email
  (a retried call does no harm). It wants a bearer token, and takes any.
- `POST /examples/slack/webhook`: a Slack incoming webhook: `{text, channel?}` in, `ok` out.
- `GET /examples/crm/contacts` and `GET /examples/slack/messages`.
"""

import hashlib
import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ..json_types import JsonObject


class ExampleServices:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.contacts: dict[str, JsonObject] = {}
        self.messages: list[JsonObject] = []
        self.router = APIRouter(prefix="/examples", tags=["example services (aloma dev)"])
        self.router.add_api_route("/crm/contacts", self._list_contacts, methods=["GET"])
        self.router.add_api_route("/crm/{method}", self._crm, methods=["POST"])
        self.router.add_api_route("/slack/webhook", self._slack, methods=["POST"])
        self.router.add_api_route("/slack/messages", self._list_messages, methods=["GET"])

    async def _crm(self, method: str, request: Request) -> Response:
        if not request.headers.get("authorization", "").removeprefix("Bearer ").strip():
            return _refusal(401, "the example CRM wants Authorization: Bearer <token>")
        if method != "createContact":
            return _refusal(404, f"the example CRM has no method {method}; it has createContact")
        args = (await _json(request)).get("args")
        email = args.get("email") if isinstance(args, dict) else None
        if not isinstance(email, str) or "@" not in email:
            return _refusal(422, "createContact needs args.email, an email address")
        name = args.get("name") if isinstance(args, dict) else None
        contact_id = _contact_id(email)
        contact: JsonObject = {"id": contact_id, "email": email, "name": name}
        with self._lock:
            self.contacts.setdefault(contact_id, contact)
        return JSONResponse(contact)

    async def _slack(self, request: Request) -> Response:
        message = await _json(request)
        if not isinstance(message.get("text"), str) or not message["text"]:
            return PlainTextResponse("no_text", status_code=400)
        with self._lock:
            self.messages.append(message)
        return PlainTextResponse("ok")

    async def _list_contacts(self) -> Response:
        with self._lock:
            return JSONResponse(list(self.contacts.values()))

    async def _list_messages(self) -> Response:
        with self._lock:
            return JSONResponse(list(self.messages))


def _contact_id(email: str) -> str:
    return "crm-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:10]


def _refusal(status: int, message: str) -> JSONResponse:
    """The body's `message` is what the `remote` connector puts in the step's error."""
    return JSONResponse({"message": message}, status_code=status)


async def _json(request: Request) -> dict[str, Any]:
    try:
        value = await request.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
