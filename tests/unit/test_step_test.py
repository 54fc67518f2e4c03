"""`aloma step test`: the real compile, match and sandbox run of one step file, with mocked connectors."""

from pathlib import Path

import pytest

from aloma_core.changes import Change
from aloma_core.cli.commands.steptest import describe
from aloma_core.cli.errors import UsageProblem
from aloma_core.cli.mockhost import Outcome, parse_mock
from aloma_core.cli.steptest import StepTestReport, try_step, unmatched_paths
from aloma_core.json_types import JsonObject

CALLS_CRM = """export const condition = { customer: { email: String, crmId: null } };
export const content = async () => {
  console.log('adding', data.customer.email);
  const contact = await connectors.crm.createContact({ email: data.customer.email });
  data.customer.crmId = contact.id;
  task.complete({ id: contact.id });
};
"""
THROWS = """export const condition = { order: Object };
export const content = async () => {
  data.count = data.order.items.length;
};
"""
SYNTAX = """export const condition = { a: String };
export const content = async () => {
  data.a = ;
};
"""
DATA: JsonObject = {"customer": {"email": "ada@example.com"}}
MOCK = {"crm": {"createContact": [Outcome(returns={"id": "c-1"})]}}


def test_a_matching_step_runs_with_its_mocked_call_and_reports_changes_logs_and_actions() -> None:
    report = try_step(Path("add.js"), CALLS_CRM, DATA, MOCK)

    assert report.matched is True and report.ran and not report.threw
    assert [c.to_json() for c in report.changes] == [
        {"op": "set", "path": ["customer", "crmId"], "value": "c-1"}
    ]
    assert [line.message for line in report.logs] == ["adding ada@example.com"]
    assert [(c.namespace, c.method, c.args, c.answer) for c in report.calls] == [
        ("crm", "createContact", {"email": "ada@example.com"}, {"id": "c-1"})
    ]
    assert report.actions == {"complete": True, "result": {"id": "c-1"}}


NORMALISES = """export const condition = { customer: { email: String } };
export const content = async () => {
  data.customer.email = data.customer.email.trim();
  data.customer.checked = true;
  delete data.customer.note;
  data.tags[0] = "vip";
};
"""


def test_the_changes_read_as_added_changed_or_removed_against_the_sample() -> None:
    sample: JsonObject = {"customer": {"email": " ada@example.com", "note": "x"}, "tags": ["new"]}

    shown = describe(try_step(Path("normalise.js"), NORMALISES, sample, {})).splitlines()

    assert '  ~ customer.email: " ada@example.com" -> "ada@example.com"' in shown
    assert "  + customer.checked = true" in shown
    assert "  - customer.note" in shown
    assert '  ~ tags: ["new"] -> ["vip"]' in shown


def test_a_change_inside_an_array_reads_against_the_element() -> None:
    report = StepTestReport("s", "s.js", ran=True, before={"rows": [{"n": 1}]})
    report.changes = [Change("set", ("rows", 0, "n"), 2), Change("set", ("rows", 1), {"n": 3})]

    assert describe(report).splitlines()[-2:] == ["  ~ rows.0.n: 1 -> 2", '  + rows.1 = {"n": 3}']


def test_an_unmocked_call_is_refused_and_the_run_throws_at_its_line() -> None:
    report = try_step(Path("add.js"), CALLS_CRM, DATA, {})

    assert report.threw and report.error is not None
    assert report.error.line == 4
    assert "connectors.crm.createContact is not mocked" in report.error.message
    assert [c.mocked for c in report.calls] == [False]


def test_a_mocked_throw_rejects_the_call() -> None:
    report = try_step(Path("add.js"), CALLS_CRM, DATA, {"crm": {"createContact": [Outcome(throws="down")]}})

    assert report.error is not None and "down" in report.error.message


def test_a_throwing_content_reports_the_message_and_line() -> None:
    report = try_step(Path("count.js"), THROWS, {"order": {}}, {})

    assert report.error is not None and report.error.line == 3 and "TypeError" in report.error.message
    assert report.changes == []


def test_a_file_refused_at_upload_reports_its_line_and_does_not_match() -> None:
    report = try_step(Path("broken.js"), SYNTAX, {"a": "x"}, {})

    assert report.matched is None and not report.ran
    assert report.error is not None and report.error.line == 3 and report.error.where == "upload"


def test_no_match_is_not_run_and_names_the_unmet_paths_unless_run_anyway() -> None:
    skipped = try_step(Path("add.js"), CALLS_CRM, {"customer": {"crmId": "x"}}, MOCK)
    forced = try_step(Path("count.js"), THROWS, {"order": 1}, {}, run_anyway=True)

    assert skipped.matched is False and not skipped.ran and not skipped.threw
    assert skipped.unmatched == ["customer.email", "customer.crmId"]
    assert forced.ran and forced.threw


def test_unmatched_paths_stop_at_operators_and_non_objects() -> None:
    assert unmatched_paths({"a": {"b": {"$gt": 1}}, "c": "x"}, {"a": {"b": 0}, "c": "x"}) == ["a.b"]
    assert unmatched_paths({"a": {"b": 1}}, {"a": 3}) == ["a"]
    assert unmatched_paths({"$or": [{"a": 1}]}, {}) == ["(the whole condition)"]


def test_outcomes_are_used_in_turn_and_the_last_repeats() -> None:
    source = """export const condition = { go: true };
export const content = async () => {
  data.got = [];
  for (let i = 0; i < 3; i++) data.got.push(await connectors.crm.next({}));
};
"""
    mock = {"crm": {"next": [Outcome(returns=1), Outcome(returns=2)]}}

    report = try_step(Path("seq.js"), source, {"go": True}, mock)

    assert report.data is not None and report.data["got"] == [1, 2, 2]


@pytest.mark.parametrize(
    "bad",
    [[], {"m": []}, {"m": {"returns": 1, "throws": "x"}}, {"m": {"value": 1}}, {"m": {"throws": ""}}],
)
def test_a_malformed_mock_is_a_usage_error(bad: object) -> None:
    with pytest.raises(UsageProblem):
        parse_mock("crm", bad, "crm.json")  # type: ignore[arg-type]


def test_a_well_formed_mock_parses_single_and_listed_outcomes() -> None:
    parsed = parse_mock("crm", {"a": {"returns": [1]}, "": [{"throws": "no"}]}, "crm.json")

    assert parsed == {"a": [Outcome(returns=[1])], "": [Outcome(throws="no")]}
