"""Cron expressions and time zones of schedules: what is refused (naming the field), and the slots."""

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aloma_core.errors import InvalidInput
from aloma_core.schedules.cron import check_cron, next_slot, zone

BERLIN = ZoneInfo("Europe/Berlin")


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return ms(datetime(year, month, day, hour, minute, tzinfo=UTC))


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0) -> int:
    return ms(datetime(year, month, day, hour, minute, tzinfo=BERLIN, fold=fold))


@pytest.mark.parametrize(
    "cron",
    ["*/5 * * * *", "0 9 * * MON-FRI", "30 2 1,15 * *", "0 0 L * *", "0 12 * * 1#2", "  0  0 * * *  "],
)
def test_five_field_expressions_are_accepted(cron: str) -> None:
    check_cron(cron)


@pytest.mark.parametrize(
    ("cron", "complaint"),
    [
        ("* * * *", "five fields"),
        ("0 0 1 1 * 2030", "five fields"),
        ("@daily", "five fields"),
        ("", "five fields"),
        ("61 * * * *", "bad minute"),
        ("*/0 * * * *", "bad minute"),
        ("0 24 * * *", "bad hour"),
        ("0 0 30 2 *", "bad day-of-month"),
        ("0 0 * 13 *", "bad month"),
        ("0 0 * * 8", "bad day-of-week"),
        ("a b c d e", "bad minute"),
        ("* " * 150, "at most 200 characters"),
    ],
)
def test_other_expressions_are_refused_naming_the_field(cron: str, complaint: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_cron(cron)

    assert refused.value.message.startswith("cron: ")
    assert complaint in refused.value.message


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Etc/GMT+5"])
def test_iana_time_zones_are_known(name: str) -> None:
    assert zone(name).key == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus",
        "europe/berlin",
        "Europe/Berlin ",
        "../etc/passwd",
        "/etc/localtime",
        "Europe",
        "x" * 65,
    ],
)
def test_unknown_time_zones_are_refused_naming_the_field(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        zone(name)

    assert refused.value.message.startswith("timezone: ")


def test_the_next_slot_is_strictly_after_the_given_time() -> None:
    on_a_slot = utc(2025, 1, 1, 0, 5)

    assert next_slot("*/5 * * * *", "UTC", on_a_slot) == utc(2025, 1, 1, 0, 10)
    assert next_slot("*/5 * * * *", "UTC", on_a_slot - 1) == on_a_slot
    assert next_slot("*/5 * * * *", "UTC", on_a_slot + 1) == utc(2025, 1, 1, 0, 10)
    assert next_slot("0 9 * * MON-FRI", "UTC", utc(2025, 1, 3, 9, 0)) == utc(2025, 1, 6, 9, 0)


def test_slots_are_wall_clock_times_of_the_zone() -> None:
    assert next_slot("0 9 * * *", "Europe/Berlin", utc(2025, 1, 1)) == utc(2025, 1, 1, 8, 0)
    assert next_slot("0 9 * * *", "America/New_York", utc(2025, 7, 1)) == utc(2025, 7, 1, 13, 0)
    assert next_slot("30 9 * * *", "Asia/Kolkata", utc(2025, 1, 1)) == utc(2025, 1, 1, 4, 0)


def test_a_daily_slot_stays_at_its_local_time_across_the_spring_change_in_berlin() -> None:
    """2025-03-30: 02:00 CET becomes 03:00 CEST. 09:00 is 08:00 UTC before, 07:00 UTC after."""
    saturday = next_slot("0 9 * * *", "Europe/Berlin", berlin(2025, 3, 29, 0, 0))
    sunday = next_slot("0 9 * * *", "Europe/Berlin", saturday)

    assert saturday == utc(2025, 3, 29, 8, 0)
    assert sunday == utc(2025, 3, 30, 7, 0)
    assert sunday - saturday == 23 * 3_600_000


def test_a_slot_in_the_skipped_hour_fires_once_right_after_the_gap() -> None:
    first = next_slot("30 2 * * *", "Europe/Berlin", berlin(2025, 3, 29, 12, 0))
    then = next_slot("30 2 * * *", "Europe/Berlin", first)

    assert first == berlin(2025, 3, 30, 3, 0)
    assert then == berlin(2025, 3, 31, 2, 30)


def test_a_slot_in_the_repeated_hour_fires_once_in_the_autumn_change() -> None:
    """2025-10-26: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice; it fires the first time."""
    first = next_slot("30 2 * * *", "Europe/Berlin", berlin(2025, 10, 25, 12, 0))
    then = next_slot("30 2 * * *", "Europe/Berlin", first)
    from_the_repeat = next_slot("30 2 * * *", "Europe/Berlin", berlin(2025, 10, 26, 2, 10, fold=1))

    assert first == berlin(2025, 10, 26, 2, 30, fold=0)
    assert then == berlin(2025, 10, 27, 2, 30)
    assert from_the_repeat == then


def test_every_half_hour_goes_on_in_real_time_through_the_repeated_hour() -> None:
    """01:30 CEST, 02:00 CEST, 02:30 CEST, 02:00 CET, 02:30 CET, 03:00 CET: every 30 minutes."""
    slots = [next_slot("*/30 * * * *", "Europe/Berlin", berlin(2025, 10, 26, 1, 20))]
    for _ in range(5):
        slots.append(next_slot("*/30 * * * *", "Europe/Berlin", slots[-1]))

    assert slots[0] == utc(2025, 10, 25, 23, 30)
    assert [later - earlier for earlier, later in itertools.pairwise(slots)] == [30 * 60_000] * 5
