"""The `StepStore` contract, run against both homes (see `contract_homes.py`). DynamoDB's own
limits (names longer than a sort key, steps larger than an item) are tested in
`aws/test_dynamo_steps_workspaces.py`."""

from dataclasses import replace

import pytest
from contract_homes import HOMES, step_store
from store_support import A, B, make_step, run_threads

from aloma_core.errors import NotFound
from aloma_core.ports import StepStore


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def steps(home: str, request: pytest.FixtureRequest) -> StepStore:
    return step_store(home, request)


def test_put_creates_only_when_absent(steps: StepStore) -> None:
    step = make_step(A, "mail")

    assert steps.put(step, None)
    assert not steps.put(make_step(A, "mail", 9), None)

    assert steps.get(A, "mail") == replace(step, created_seq=1)


def test_put_replaces_only_the_expected_version_and_keeps_creation_order(steps: StepStore) -> None:
    steps.put(make_step(A, "mail"), None)
    steps.put(make_step(A, "charge"), None)

    assert steps.put(make_step(A, "mail", 2), 1)
    assert not steps.put(make_step(A, "mail", 3), 1)
    assert not steps.put(make_step(A, "absent", 2), 1)

    assert [(step.name, step.version, step.created_seq) for step in steps.list(A)] == [
        ("mail", 2, 1),
        ("charge", 1, 2),
    ]
    with pytest.raises(NotFound):
        steps.get(A, "absent")


def test_steps_list_in_creation_order_not_name_order(steps: StepStore) -> None:
    for name in ["zeta", "alpha", "mid"]:
        steps.put(make_step(A, name), None)
    steps.delete(A, "zeta")
    steps.put(make_step(A, "zeta"), None)

    assert [step.name for step in steps.list(A)] == ["alpha", "mid", "zeta"]
    assert [step.created_seq for step in steps.list(A)] == [2, 3, 4]


def test_delete_removes_or_is_not_found(steps: StepStore) -> None:
    steps.put(make_step(A, "mail"), None)

    steps.delete(A, "mail")

    with pytest.raises(NotFound):
        steps.get(A, "mail")
    with pytest.raises(NotFound):
        steps.delete(A, "mail")


def test_revision_moves_on_every_change_only(steps: StepStore) -> None:
    assert steps.revision(A) == 0
    steps.put(make_step(A, "mail"), None)
    after_create = steps.revision(A)
    steps.put(make_step(A, "mail", 2), 1)
    after_replace = steps.revision(A)
    steps.put(make_step(A, "mail", 3), 1)
    steps.put(make_step(A, "mail", 9), None)
    with pytest.raises(NotFound):
        steps.delete(A, "absent")
    after_refusals = steps.revision(A)
    steps.delete(A, "mail")

    assert len({0, after_create, after_replace, steps.revision(A)}) == 4
    assert after_refusals == after_replace


def test_steps_are_isolated_by_workspace(steps: StepStore) -> None:
    steps.put(make_step(A, "mail"), None)

    assert steps.list(B) == []
    assert steps.revision(B) == 0
    with pytest.raises(NotFound):
        steps.get(B, "mail")
    with pytest.raises(NotFound):
        steps.delete(B, "mail")
    assert not steps.put(make_step(B, "mail", 2), 1)

    assert steps.put(make_step(B, "mail"), None)
    steps.delete(B, "mail")
    assert [step.name for step in steps.list(A)] == ["mail"]
    assert steps.get(A, "mail").created_seq == 1


def test_concurrent_creations_get_distinct_creation_numbers(steps: StepStore) -> None:
    """Each new step takes the next counter value under contention; every change counts once."""

    def create_four(worker: int) -> None:
        for i in range(4):
            assert steps.put(make_step(A, f"s{worker}-{i}"), None)

    run_threads(6, create_four)

    stored = steps.list(A)
    assert sorted(step.created_seq for step in stored) == list(range(1, 25))
    assert steps.revision(A) == 24


def test_concurrent_replacements_of_one_step_let_exactly_one_win(steps: StepStore) -> None:
    steps.put(make_step(A, "mail"), None)
    wins: list[int] = []

    def replace_it(worker: int) -> None:
        if steps.put(replace(make_step(A, "mail", 2), content=str(worker)), 1):
            wins.append(worker)

    run_threads(6, replace_it)

    assert len(wins) == 1
    assert steps.get(A, "mail").content == str(wins[0])
    assert steps.revision(A) == 2
