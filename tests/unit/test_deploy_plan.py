"""The deploy planner: desired state vs live state -> actions, with no I/O."""

import pytest

from aloma_core.cli.deploy.plan import DeployRefused, Op, field_changes, make_plan
from aloma_core.cli.deploy.state import Desired, Live, seed_marker
from aloma_core.json_types import JsonObject

STEP = "export const condition = { a: String };\nexport const content = async () => {};\n"
CHANGED = STEP.replace("{};", "{ data.b = 1; };")
CRM: JsonObject = {"type": "remote", "config": {"url": "https://crm.example", "secret": "CRM_TOKEN"}}
HOOK: JsonObject = {"signing": None, "keep_headers": [], "rate_limit_per_minute": 600}
NIGHTLY: JsonObject = {"cron": "0 3 * * *", "timezone": "UTC", "data": {}, "task_name": "nightly"}


def ops(desired: Desired, live: Live, prune: bool = False) -> list[tuple[str, str, Op]]:
    return [(a.kind, a.name, a.op) for a in make_plan(desired, live, prune=prune).actions]


def test_what_the_workspace_lacks_is_created_and_what_it_has_is_unchanged() -> None:
    desired = Desired(steps={"a": STEP, "b": STEP}, connectors={"crm": CRM})
    live = Live(steps={"a": STEP}, connectors={"crm": CRM})

    assert ops(desired, live) == [
        ("connector", "crm", Op.UNCHANGED),
        ("step", "a", Op.UNCHANGED),
        ("step", "b", Op.CREATE),
    ]


def test_a_changed_step_is_an_update_with_a_source_diff() -> None:
    plan = make_plan(Desired(steps={"a": CHANGED}), Live(steps={"a": STEP}), prune=False)

    (action,) = plan.changes
    assert action.op is Op.UPDATE and action.body == {"source": CHANGED}
    assert "-export const content = async () => {};" in action.detail
    assert "+export const content = async () => { data.b = 1; };" in action.detail


def test_a_changed_connector_names_the_field_that_changed() -> None:
    moved: JsonObject = {"type": "remote", "config": {"url": "https://crm2.example", "secret": "CRM_TOKEN"}}

    plan = make_plan(Desired(connectors={"crm": moved}), Live(connectors={"crm": CRM}), prune=False)

    assert plan.changes[0].detail == ('config.url: "https://crm.example" -> "https://crm2.example"',)


def test_without_prune_nothing_is_deleted_but_the_plan_lists_what_prune_would_delete() -> None:
    live = Live(steps={"a": STEP, "old": STEP}, schedules={"nightly": NIGHTLY})
    desired = Desired(steps={"a": STEP}, schedules={})

    plan = make_plan(desired, live, prune=False)

    assert plan.changes == []
    assert [(a.kind, a.name) for a in plan.prunable] == [("schedule", "nightly"), ("step", "old")]


def test_with_prune_what_the_file_no_longer_names_is_deleted_after_everything_else() -> None:
    live = Live(steps={"old": STEP}, webhooks={"gone": HOOK})
    desired = Desired(steps={"new": STEP}, webhooks={})

    assert ops(desired, live, prune=True) == [
        ("step", "new", Op.CREATE),
        ("webhook", "gone", Op.DELETE),
        ("step", "old", Op.DELETE),
    ]


def test_a_kind_the_file_does_not_mention_is_never_pruned() -> None:
    live = Live(steps={"a": STEP}, connectors={"crm": CRM}, schedules={"nightly": NIGHTLY})

    assert make_plan(Desired(), live, prune=True).actions == []


def test_a_changed_webhook_is_replaced_since_the_api_cannot_edit_one() -> None:
    limited: JsonObject = {**HOOK, "rate_limit_per_minute": 10}

    plan = make_plan(Desired(webhooks={"gh": limited}), Live(webhooks={"gh": HOOK}), prune=False)

    assert [a.op for a in plan.changes] == [Op.REPLACE]
    assert plan.changes[0].detail == ("rate_limit_per_minute: 600 -> 10",)


def test_notify_compares_with_the_defaults_the_server_fills_in() -> None:
    stored = {
        "on": ["error", "incomplete"],
        "to": {"webhook": "https://hooks.example.com/a", "connector": None, "method": None},
        "digest": {"after": 5, "window_s": 60, "show": 10},
    }
    live = Live(settings={"notify": stored})

    assert ops(Desired(settings={"notify": {"to": {"webhook": "https://hooks.example.com/a"}}}), live) == [
        ("settings", "settings", Op.UNCHANGED)
    ]
    changed = Desired(
        settings={"notify": {"to": {"webhook": "https://hooks.example.com/a"}, "on": ["error"]}}
    )
    assert ops(changed, live) == [("settings", "settings", Op.UPDATE)]
    assert ops(Desired(settings={"notify": None}), live) == [("settings", "settings", Op.UPDATE)]


def test_settings_compare_only_the_keys_the_file_gives() -> None:
    live = Live(settings={"execution": "parallel", "limits": {"cpu_time_ms": 5000, "log_bytes": 100}})
    same = Desired(settings={"limits": {"cpu_time_ms": 5000}})
    other = Desired(settings={"execution": "sequential", "limits": {"cpu_time_ms": 2000}})

    assert ops(same, live) == [("settings", "settings", Op.UNCHANGED)]
    (action,) = make_plan(other, live, prune=False).changes
    assert action.body == {"settings": {"execution": "sequential", "limits": {"cpu_time_ms": 2000}}}
    assert action.detail == ('execution: "parallel" -> "sequential"', "limits.cpu_time_ms: 5000 -> 2000")


def test_a_seed_task_is_created_once_then_its_marker_keeps_it_from_being_created_again() -> None:
    desired = Desired(seeds={"first run": {"name": "import", "data": {"go": True}}})

    assert ops(desired, Live()) == [("seed", "first run", Op.CREATE)]
    assert ops(desired, Live(secrets=frozenset({seed_marker("first run")}))) == [
        ("seed", "first run", Op.UNCHANGED)
    ]


def test_missing_secrets_are_listed_and_present_ones_are_not() -> None:
    plan = make_plan(Desired(secrets=("A", "B", "C")), Live(secrets=frozenset({"B"})), prune=False)

    assert plan.missing_secrets == ["A", "C"]
    assert (
        make_plan(Desired(secrets=("B",)), Live(secrets=frozenset({"B"})), prune=False).missing_secrets == []
    )


def test_required_connectors_that_are_not_configured_block_the_plan() -> None:
    desired = Desired(required_connectors={"githubCom": "github.com", "kubernetes": "kubernetes"})

    plan = make_plan(desired, Live(connectors={"kubernetes": CRM}), prune=False)

    assert plan.missing_connectors == ["githubCom"]
    assert plan.blocked
    assert not make_plan(desired, Live(connectors={"githubCom": CRM, "kubernetes": CRM}), prune=False).blocked


def test_a_required_connector_is_never_changed_or_pruned() -> None:
    desired = Desired(connectors={"crm": CRM}, required_connectors={"githubCom": "github.com"})
    live = Live(connectors={"crm": CRM, "githubCom": CRM, "old": CRM})

    assert ops(desired, live, prune=True) == [
        ("connector", "crm", Op.UNCHANGED),
        ("connector", "old", Op.DELETE),
    ]


def test_libraries_are_planned_like_steps_and_refused_by_a_server_without_them() -> None:
    desired = Desired(libraries={"util": "export const x = 1;\n"})

    assert ops(desired, Live(libraries={})) == [("library", "util", Op.CREATE)]
    with pytest.raises(DeployRefused, match="no libraries API"):
        make_plan(desired, Live(libraries=None), prune=False)
    assert make_plan(Desired(), Live(libraries=None), prune=True).actions == []


def test_creations_follow_dependency_order() -> None:
    desired = Desired(
        steps={"s": STEP},
        libraries={"l": "export const x = 1;\n"},
        connectors={"c": CRM},
        webhooks={"w": HOOK},
        schedules={"n": NIGHTLY},
        settings={"execution": "sequential"},
        seeds={"seed": {"data": {}}},
    )

    kinds = [a.kind for a in make_plan(desired, Live(), prune=False).changes]

    assert kinds == ["settings", "library", "connector", "step", "webhook", "schedule", "seed"]


def test_field_changes_treat_equal_numbers_as_equal_but_not_booleans() -> None:
    assert field_changes({"a": 1}, {"a": 1.0}, "") == []
    assert field_changes({"a": 1}, {"a": True}, "") == ["a: 1 -> true"]
    assert field_changes({"a": 1}, {"b": 1}, "") == ["a: 1 -> (absent)", "b: (absent) -> 1"]


def test_a_second_plan_on_the_applied_state_has_no_changes() -> None:
    desired = Desired(steps={"a": STEP}, connectors={"crm": CRM}, schedules={"nightly": NIGHTLY})
    live = Live(steps={"a": STEP}, connectors={"crm": CRM}, schedules={"nightly": NIGHTLY})

    assert make_plan(desired, live, prune=True).changes == []
