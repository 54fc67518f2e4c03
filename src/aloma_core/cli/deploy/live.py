"""The workspace as the API shows it, in the forms the planner compares (state.py)."""

from ...json_types import JsonObject
from ..client import ApiClient, api_path, objects
from ..errors import ApiError
from .state import Live


def read_live(client: ApiClient) -> Live:
    settings = client.get(api_path("workspace")).get("settings")
    secrets = client.get(api_path("secrets")).get("secrets")
    return Live(
        steps={str(s["name"]): str(s["source"]) for s in objects(client.get(api_path("steps")), "steps")},
        libraries=read_libraries(client),
        connectors={
            str(c["namespace"]): {"type": c["type"], "config": c["config"]}
            for c in objects(client.get(api_path("connectors")), "connectors")
        },
        webhooks={
            str(w["name"]): webhook_form(w) for w in objects(client.get(api_path("webhooks")), "webhooks")
        },
        schedules={
            str(s["name"]): schedule_form(s) for s in objects(client.get(api_path("schedules")), "schedules")
        },
        settings=settings if isinstance(settings, dict) else {},
        secrets=frozenset(str(name) for name in secrets) if isinstance(secrets, list) else frozenset(),
    )


def read_libraries(client: ApiClient) -> dict[str, str] | None:
    """None when the server has no libraries API (an older server): a 404 on the listing itself."""
    try:
        answer = client.get(api_path("libraries"))
    except ApiError as error:
        if error.status in (404, 405):
            return None
        raise
    return {str(item["name"]): str(item["source"]) for item in objects(answer, "libraries")}


def webhook_form(listed: JsonObject) -> JsonObject:
    return {
        "signing": listed.get("signing"),
        "keep_headers": listed.get("keep_headers") or [],
        "rate_limit_per_minute": listed.get("rate_limit_per_minute"),
    }


def schedule_form(listed: JsonObject) -> JsonObject:
    return {
        "cron": listed.get("cron"),
        "timezone": listed.get("timezone"),
        "data": listed.get("data"),
        "task_name": listed.get("task_name"),
    }
