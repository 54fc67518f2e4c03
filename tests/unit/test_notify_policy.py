"""The rules of notifications (notify/policy.py, notify/settings.py): which ending a task is in,
what a delivery round sends alone, holds or groups into a digest, and what a message says."""

from typing import Any

import pytest
from pydantic import ValidationError

from aloma_core.model import Event, Task, TaskError, TaskState, WorkspaceSettings
from aloma_core.notify import policy
from aloma_core.notify.delivery import connector_args, masked
from aloma_core.notify.notice import Notice
from aloma_core.notify.settings import DigestSettings, NotifySettings
from aloma_core.sandbox.redact import Redactor

T0 = 1_735_689_600_000  # a window boundary for every window length used here
DIGEST = DigestSettings(after=2, window_s=60, show=3)
WINDOW_MS = 60_000


def failed_task(**changes: Any) -> Task:
    error = TaskError("charge", "card declined", 3)
    data = {"card": "4242-secret-data"}
    task = Task("w_1", "t_1", "order 7", TaskState.ERROR, data, T0, T0, version=5, error=error)
    return task.with_changes(**changes)


def state_event(seq: int, to: str) -> Event:
    return Event("state", T0, {"from": "running", "to": to, "reason": "test"}, seq)


def notice(task_id: str, at: int = T0, **changes: Any) -> Notice:
    made = Notice("w_1", task_id, 4, "error", None, {"step": "s", "message": "m", "line": 1}, at, at)
    return made.but(**changes)


# Endings


def test_every_version_of_one_ending_names_the_same_ending() -> None:
    history = [Event("created", T0, {}, 1), state_event(2, "error"), Event("run", T0, {}, 3)]

    assert policy.ending_of(failed_task(), history) == 2
    assert policy.ending_of(failed_task(version=9), [*history, Event("run", T0, {}, 4)]) == 2


def test_a_task_resumed_and_failing_again_is_a_new_ending() -> None:
    history = [state_event(2, "error"), Event("resumed", T0, {}, 3), state_event(4, "running")]

    assert policy.ending_of(failed_task(), [*history, state_event(6, "error")]) == 6
    assert policy.ending_of(failed_task(state=TaskState.INCOMPLETE), history) is None


def test_a_notice_keeps_what_the_message_shows_and_no_data() -> None:
    made = policy.notice_for(failed_task(), 2, T0 + 5)

    assert (made.task_id, made.ending, made.state, made.task_name) == ("t_1", 2, "error", "order 7")
    assert made.error == {"step": "charge", "message": "card declined", "line": 3}
    assert made.at == made.due_at == T0 + 5
    assert "4242-secret-data" not in str(made.to_json()), "task data never goes into a notice"
    assert Notice.from_json(made.to_json()) == made


# Alone, held or in a digest


def test_endings_up_to_the_threshold_are_told_alone_at_once() -> None:
    pending = [notice("t_1"), notice("t_2", at=T0 + 1)]

    plan = policy.plan(pending, {T0 // WINDOW_MS: 2}, T0 + 2, DIGEST)

    assert [n.task_id for n in plan.alone] == ["t_1", "t_2"]
    assert plan.digests == {} and plan.held == []


def test_past_the_threshold_they_wait_for_the_window_to_close() -> None:
    pending = [notice("t_3", at=T0 + 10), notice("t_4", at=T0 + 20)]

    plan = policy.plan(pending, {T0 // WINDOW_MS: 4}, T0 + 30, DIGEST)

    assert plan.alone == [] and plan.digests == {}
    closes = T0 + WINDOW_MS
    assert [(n.task_id, until) for n, until in plan.held] == [("t_3", closes), ("t_4", closes)]


def test_once_the_window_closed_they_go_as_one_digest_per_window() -> None:
    first = T0 // WINDOW_MS
    pending = [notice("t_3", at=T0 + 10), notice("t_5", at=T0 + WINDOW_MS + 5), notice("t_4", at=T0 + 20)]

    plan = policy.plan(pending, {first: 4, first + 1: 3}, T0 + 2 * WINDOW_MS, DIGEST)

    assert {w: [n.task_id for n in ns] for w, ns in plan.digests.items()} == {
        first: ["t_3", "t_4"],
        first + 1: ["t_5"],
    }
    assert plan.alone == [] and plan.held == []


def test_a_notice_once_meant_for_a_digest_stays_in_it() -> None:
    plan = policy.plan([notice("t_3", digest=True)], {T0 // WINDOW_MS: 1}, T0 + 1, DIGEST)

    assert plan.alone == []
    assert [n.task_id for n, _ in plan.held] == ["t_3"]


# Messages


def test_a_single_message_names_workspace_task_state_error_and_dashboard_link() -> None:
    message = policy.single_message("shop", notice("t_9", task_name="order 7"))

    assert message.payload["type"] == "task_ended"
    assert message.payload["workspace"] == {"id": "w_1", "name": "shop"}
    assert message.payload["tasks"] == [
        {
            "id": "t_9",
            "name": "order 7",
            "state": "error",
            "error": {"step": "s", "message": "m", "line": 1},
            "link": "/ui/tasks/t_9",
        }
    ]
    assert "t_9" in message.subject and "error" in message.subject
    assert "line 1: m" in message.text and "/ui/tasks/t_9" in message.text


def test_a_digest_counts_every_task_and_lists_the_first_few() -> None:
    notices = [notice(f"t_{i}", at=T0 + i) for i in range(5)]

    message = policy.digest_message("shop", notices, T0 // WINDOW_MS, DIGEST)

    assert message.payload["type"] == "digest"
    assert message.payload["count"] == 5
    assert [t["id"] for t in message.payload["tasks"]] == ["t_0", "t_1", "t_2"]
    assert message.payload["window"] == {"start": T0, "end": T0 + WINDOW_MS}
    assert "5 tasks ended error" in message.subject
    assert "t_0, t_1, t_2 and 2 more" in message.text
    assert message.payload["link"] == "/ui?state=error"
    mixed = [*notices, notice("t_9", state="incomplete")]
    assert policy.digest_message("shop", mixed, T0 // WINDOW_MS, DIGEST).payload["link"] == "/ui"


def test_secret_values_are_masked_in_every_part_of_a_message() -> None:
    leaky = notice("t_1", error={"step": "s", "message": 'token "sk-live-42" refused', "line": 2})
    message = policy.single_message("shop", leaky)

    safe = masked(message, Redactor(["sk-live-42"]))

    assert "sk-live-42" in str(message.payload)
    assert "sk-live-42" not in f"{safe.subject}{safe.text}{safe.payload}"
    assert safe.payload["tasks"][0]["error"]["message"] == 'token "***" refused'


def test_slack_gets_only_text_and_other_connectors_the_whole_notification() -> None:
    message = policy.single_message("shop", notice("t_1"))

    assert connector_args("slack", message) == {"text": message.text}
    assert connector_args("remote", message) == {
        "subject": message.subject,
        "text": message.text,
        "notification": message.payload,
    }


# The setting


def test_the_setting_defaults_to_both_bad_endings_and_a_digest_after_five_a_minute() -> None:
    notify = NotifySettings.model_validate({"to": {"webhook": "https://hooks.example.com/x"}})

    assert notify.on == ("error", "incomplete")
    assert notify.digest == DigestSettings(after=5, window_s=60, show=10)
    assert NotifySettings.model_validate({"to": {"connector": "alerts"}}).to.connector_method == "send"
    assert WorkspaceSettings().notify is None


@pytest.mark.parametrize(
    ("notify", "where"),
    [
        ({"to": {"webhook": "https://a.example", "connector": "alerts"}}, "notify.to"),
        ({"to": {}}, "notify.to"),
        ({"to": {"webhook": "https://a.example", "method": "post"}}, "notify.to"),
        ({"to": {"webhook": "ftp://a.example/x"}}, "notify.to.webhook"),
        ({"to": {"webhook": "https:///no-host"}}, "notify.to.webhook"),
        ({"to": {"webhook": "https://a.example"}, "on": []}, "notify.on"),
        ({"to": {"webhook": "https://a.example"}, "on": ["done"]}, "notify.on.0"),
        ({"to": {"webhook": "https://a.example"}, "digest": {"after": 0}}, "notify.digest.after"),
        ({"to": {"webhook": "https://a.example"}, "digest": {"window_s": 1}}, "notify.digest.window_s"),
        ({"to": {"webhook": "https://a.example"}, "digest": {"every": 3}}, "notify.digest.every"),
        ({"to": {"webhook": "https://a.example"}, "cc": "ops"}, "notify.cc"),
        ({"on": ["error"]}, "notify.to"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_field(notify: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationError) as refused:
        WorkspaceSettings.model_validate({"notify": notify})

    assert where in {".".join(str(part) for part in error["loc"]) for error in refused.value.errors()}
