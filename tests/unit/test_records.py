"""Record codecs: what one home writes, any home reads back unchanged, data byte for byte."""

import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aloma_core.json_types import JsonObject, JsonValue
from aloma_core.limits import Limits
from aloma_core.model import (
    Claim,
    ClaimStatus,
    Event,
    Step,
    Task,
    TaskError,
    TaskState,
    Workspace,
    WorkspaceSettings,
)
from aloma_core.records import (
    dump_json,
    event_from_record,
    event_to_record,
    new_id,
    step_from_record,
    step_to_record,
    task_from_record,
    task_to_record,
    workspace_from_record,
    workspace_to_record,
)

json_values: st.SearchStrategy[JsonValue] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
json_objects: st.SearchStrategy[JsonObject] = st.dictionaries(st.text(max_size=8), json_values, max_size=6)


def through_json(record: JsonObject) -> JsonObject:
    """A record as any store keeps it: serialised and parsed again."""
    loaded: JsonObject = json.loads(json.dumps(record))
    return loaded


def full_task(data: JsonObject, result: JsonValue) -> Task:
    return Task(
        workspace_id="w1",
        id="t1",
        name="order",
        state=TaskState.ERROR,
        data=data,
        created_at=1,
        updated_at=2,
        version=7,
        data_seq=3,
        result=result,
        tags=("a", "b"),
        runs=4,
        error=TaskError("charge", "boom", 12),
        claims={
            "charge": Claim("c1", "charge", ClaimStatus.RUNNING, 3, 6, "tok", 99),
            "mail": Claim("c2", "mail", ClaimStatus.DONE, 1, 1),
        },
    )


@given(data=json_objects, result=json_values)
def test_task_round_trips_with_data_byte_for_byte(data: JsonObject, result: JsonValue) -> None:
    task = full_task(data, result)

    back = task_from_record(through_json(task_to_record(task)))

    assert back == task
    assert dump_json(back.data) == dump_json(data)
    assert dump_json(back.result) == dump_json(result)


def test_task_with_defaults_round_trips() -> None:
    task = Task("w1", "t1", None, TaskState.RUNNING, {}, created_at=5, updated_at=5)

    assert task_from_record(through_json(task_to_record(task))) == task


def test_free_form_json_is_text_in_the_record() -> None:
    """Floats and deep nesting survive any store, DynamoDB included, because they are text."""
    record = task_to_record(full_task({"x": 1.0, "deep": [[[[1]]]]}, 0.5))

    assert record["data"] == '{"x":1.0,"deep":[[[[1]]]]}'
    assert record["result"] == "0.5"


def test_lone_surrogates_are_stored_as_escapes() -> None:
    text = dump_json({"s": "\ud800", "e": "é"})

    text.encode("utf-8")
    assert json.loads(text) == {"s": "\ud800", "e": "é"}


def test_non_ascii_stays_literal() -> None:
    assert dump_json({"name": "Zoë 東京"}) == '{"name":"Zoë 東京"}'


@given(detail=json_objects)
def test_event_round_trips(detail: JsonObject) -> None:
    event = Event("run", 17, detail, seq=3)

    assert event_from_record(through_json(event_to_record(event))) == event


def test_unknown_event_type_is_refused() -> None:
    record = event_to_record(Event("audit", 1))
    record["type"] = "bogus"

    with pytest.raises(ValueError, match="bogus"):
        event_from_record(record)


def test_step_round_trips() -> None:
    step = Step(
        "w1", "validate email", 2, {"v": {"$gt": 1.5}}, "data.x = 1", "export ...", False, 1, 10, 20, 4
    )

    assert step_from_record(through_json(step_to_record(step))) == step


def test_workspace_round_trips_with_settings() -> None:
    settings = WorkspaceSettings(
        execution="sequential",
        max_runs_per_task=9,
        limits=Limits(cpu_time_ms=100),
        egress_allow=("a.example",),
    )
    workspace = Workspace("w1", "Acme", settings, 123)

    assert workspace_from_record(through_json(workspace_to_record(workspace))) == workspace


def test_malformed_record_is_a_value_error() -> None:
    record = task_to_record(full_task({}, None))
    record["version"] = "7"

    with pytest.raises(ValueError, match="version"):
        task_from_record(record)


def test_ids_are_unguessable_and_sorted_by_creation_time() -> None:
    first = new_id("t_")
    time.sleep(0.002)
    later = [new_id("t_") for _ in range(100)]

    assert first.startswith("t_")
    assert len(first) == 2 + 12 + 16
    assert all(first < other for other in later)
    assert len(set(later)) == 100
    assert abs(int(first[2:14], 16) - time.time_ns() // 1_000_000) < 60_000
