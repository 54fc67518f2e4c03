"""The `NoticeStore` contract, run against both homes (see `contract_homes.py`): the claim that
tells an ending at most once, the due query, the digest count and the conditional moves."""

from collections import Counter

import pytest
from contract_homes import HOMES, notice_store
from store_support import A, B, run_threads

from aloma_core.notify.notice import Notice, NoticeStatus
from aloma_core.ports import NoticeStore

T0 = 1_735_689_600_000  # 2025-01-01T00:00:00.000Z
MINUTE = 60_000


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def notices(home: str, request: pytest.FixtureRequest) -> NoticeStore:
    return notice_store(home, request)


def notice(workspace_id: str, task_id: str, ending: int = 4, at: int = T0) -> Notice:
    error = {"step": "charge", "message": "card declined", "line": 3}
    return Notice(workspace_id, task_id, ending, "error", "order 7", error, at, at)


def test_a_notice_is_claimed_once_per_task_and_ending(notices: NoticeStore) -> None:
    first = notice(A, "t_1")

    assert notices.add(first) is True
    assert notices.add(notice(A, "t_1", at=T0 + 5)) is False
    assert notices.add(notice(A, "t_1", ending=9)) is True, "a later ending is a new notice"
    assert notices.add(notice(B, "t_1")) is True, "workspaces never share notices"

    assert notices.of_task(A, "t_1") == [first, notice(A, "t_1", ending=9)]
    assert notices.of_task(B, "t_2") == []


def test_of_many_racing_claims_of_one_ending_exactly_one_wins(notices: NoticeStore) -> None:
    won: Counter[bool] = Counter()

    def claim(index: int) -> None:
        won[notices.add(notice(A, "t_race", at=T0 + index))] += 1

    run_threads(8, claim)

    assert won == {True: 1, False: 7}


def test_due_lists_pending_notices_whose_time_came_earliest_first(notices: NoticeStore) -> None:
    late = notice(A, "t_late", at=T0 + MINUTE)
    early = notice(B, "t_early", at=T0)
    for made in (late, early, notice(A, "t_future", at=T0 + 10 * MINUTE)):
        notices.add(made)
    sent = notice(A, "t_sent", at=T0)
    notices.add(sent)
    assert notices.replace(sent.but(status=NoticeStatus.SENT, attempts=1), sent)

    assert notices.due(T0 + MINUTE, 10) == [early, late]
    assert notices.due(T0 - 1, 10) == []
    assert notices.due(T0 + MINUTE, 1) == [early]


def test_count_takes_every_status_within_the_window_of_one_workspace(notices: NoticeStore) -> None:
    for index, at in enumerate((T0, T0 + 1, T0 + MINUTE - 1, T0 + MINUTE, T0 - 1)):
        notices.add(notice(A, f"t_{index}", at=at))
    notices.add(notice(B, "t_other", at=T0))
    told = notice(A, "t_told", at=T0 + 10)
    notices.add(told)
    notices.replace(told.but(status=NoticeStatus.SENT, attempts=1), told)

    assert notices.count(A, T0, T0 + MINUTE) == 4
    assert notices.count(A, T0 + MINUTE, T0 + 2 * MINUTE) == 1
    assert notices.count(B, T0, T0 + MINUTE) == 1
    assert notices.count(B, T0 + MINUTE, T0 + 2 * MINUTE) == 0


def test_replace_moves_a_notice_only_from_what_the_writer_read(notices: NoticeStore) -> None:
    pending = notice(A, "t_1")
    notices.add(pending)
    sending = pending.but(status=NoticeStatus.SENDING, attempts=1)

    assert notices.replace(sending, pending) is True
    assert notices.replace(sending, pending) is False, "a second deliverer loses the take"
    assert notices.due(T0 + MINUTE, 10) == [], "a notice being sent is not due again"
    retry = sending.but(status=NoticeStatus.PENDING, due_at=T0 + MINUTE, last_error="HTTP 500")
    assert notices.replace(retry, sending) is True
    assert notices.due(T0 + MINUTE, 10) == [retry]
    assert notices.replace(retry, notice(A, "t_gone")) is False
    assert notices.of_task(A, "t_1") == [retry]


def test_of_two_racing_deliverers_one_takes_the_notice(notices: NoticeStore) -> None:
    pending = notice(A, "t_1")
    notices.add(pending)
    took: Counter[bool] = Counter()

    def take(index: int) -> None:
        took[notices.replace(pending.but(status=NoticeStatus.SENDING, attempts=1), pending)] += 1

    run_threads(6, take)

    assert took == {True: 1, False: 5}
