"""The dashboard's timeline: diffs replayed in place, previews, what each event type shows, and the
timeline fragment rendered from it (connector calls, a failing line, children, parks, conflicts)."""

from types import SimpleNamespace
from typing import Any

from aloma_core.json_types import JsonObject
from aloma_core.libraries import Library
from aloma_core.model import Event, Step
from aloma_core.ui import timeline
from aloma_core.ui.render import environment


def history(*events: tuple[str, JsonObject]) -> list[Event]:
    return [Event(kind, 1_000 * seq, detail, seq) for seq, (kind, detail) in enumerate(events, start=1)]  # type: ignore[arg-type]


def run(changes: list[JsonObject], **detail: Any) -> tuple[str, JsonObject]:
    base: JsonObject = {"step": "s", "version": 1, "claim": "c", "started_at": 0, "duration_ms": 1.5}
    return "run", {**base, "changes": changes, "logs": [], "error": None, **detail}


def test_a_run_diff_tells_added_changed_and_removed_paths() -> None:
    events = history(
        ("created", {"name": None, "data": {"a": 1, "gone": True, "keep": {"x": 1}}}),
        run(
            [
                {"op": "set", "path": ["a"], "value": 2},
                {"op": "set", "path": ["keep", "y"], "value": "new"},
                {"op": "delete", "path": ["gone"]},
                {"op": "delete", "path": ["never there"]},
            ]
        ),
    )

    created, ran = timeline.build(events)

    assert created.detail == {"name": None, "size": len('{"a":1,"gone":true,"keep":{"x":1}}')}
    assert [(line.kind, line.path, line.before, line.after) for line in ran.diff] == [
        ("changed", "a", "1", "2"),
        ("added", "keep.y", None, '"new"'),
        ("removed", "gone", "true", None),
    ]
    assert ran.counts == {"added": 1, "changed": 1, "removed": 1}


def test_failed_and_uncommitted_runs_change_nothing_and_a_rerun_resets_the_data() -> None:
    events = history(
        ("created", {"data": {"n": 1}}),
        run([{"op": "set", "path": ["n"], "value": 9}], error={"message": "boom", "line": 3}),
        run([{"op": "set", "path": ["n"], "value": 8}], committed=False),
        ("rerun", {"from": 2, "edited": True, "data": {"n": 5}}),
        run([{"op": "set", "path": ["n"], "value": 6}]),
    )

    entries = list(timeline.build(events))

    assert [entry.diff for entry in entries[1:3]] == [[], []]
    assert entries[1].title == "run of s failed"
    assert entries[2].title == "run of s not committed (task cancelled)"
    assert entries[3].title == "rerun from run #2 with edited data"
    assert [(line.kind, line.before, line.after) for line in entries[4].diff] == [("changed", "5", "6")]


def test_a_long_value_is_a_preview_marked_long_and_value_at_gives_it_whole() -> None:
    big = {"text": "y" * 500}
    events = history(("created", {"data": {}}), run([{"op": "set", "path": ["doc"], "value": big}]))

    [line] = list(timeline.build(events))[1].diff

    assert line.long
    assert line.after is not None
    assert len(line.after) == timeline.PREVIEW_CHARS + 1
    assert line.after.endswith("…")
    assert timeline.value_at({"doc": big}, "doc") == big
    assert timeline.value_at({"doc": big}, "doc.missing") is None


def test_each_event_type_has_its_own_title() -> None:
    events = history(
        ("skipped", {"step": "s", "reason": "the condition no longer matches"}),
        ("conflict", {"step": "s", "paths": [["a", "b"]]}),
        ("parked", {"step": "s", "until_at": 0}),
        ("timeout", {"step": "s", "expires_at": 0, "on_expire": "complete"}),
        ("subtask", {"step": "s", "child": "t2", "name": "child", "into": None, "wait_for": True}),
        ("child_ended", {"child": "t2", "name": "child", "state": "done", "into": None}),
        ("woken", {"reason": "time"}),
        ("audit", {"step": "s", "text": "approved"}),
    )

    titles = [entry.title for entry in timeline.build(events)]

    assert titles == [
        "skipped s: the condition no longer matches",
        "conflict: s overwrote paths another run changed",
        "parked by s",
        "timeout set by s (on expiry: complete)",
        "subtask started by s",
        "subtask ended done",
        "woken: time",
        "audit (s): approved",
    ]


def test_dispatch_of_finds_the_dispatch_of_a_run_and_nothing_for_other_events() -> None:
    events = history(
        ("created", {"data": {}}),
        ("dispatched", {"step": "s", "version": 1, "claim": "c"}),
        run([]),
    )

    assert timeline.dispatch_of(events, 3) == 2
    assert timeline.dispatch_of(events, 2) is None


STEP = Step("w", "s", 1, {}, "", "export const condition = {};\nthrow new Error('x');\n", True, 1, 0, 0)


LIBRARY = Library("w", "crm", 2, 5, "export const a = 1;\nexport const b = () => { throw 1; };\n", 0)


def rendered(events: list[Event]) -> str:
    template = environment().get_template("f/timeline.html")
    task = SimpleNamespace(id="t1")
    return template.render(
        base="",
        task=task,
        entries=timeline.build(events),
        steps={"s": STEP},
        libraries={"lib/crm.js": LIBRARY},
        count=9,
        rerunnable=True,
    )


def test_the_fragment_shows_calls_failing_line_children_parks_and_conflicts() -> None:
    calls = [
        {"connector": "crm", "method": "upsert", "status": "ok", "ms": 12.5},
        {"connector": "crm", "method": "flag", "status": "failed", "ms": 3.0, "message": "HTTP 409"},
        {"connector": "crm", "method": "slow", "status": "unfinished", "ms": None},
    ]
    html = rendered(
        history(
            ("created", {"data": {}, "cloned_from": "t0"}),
            run([], calls=calls),
            run([], error={"step": "s", "message": "Error: x", "line": 2}),
            ("subtask", {"step": "s", "child": "t2", "name": "child", "into": "out", "wait_for": True}),
            ("parked", {"step": "s", "until_at": 86_400_000}),
            ("conflict", {"step": "s", "claim": "c", "paths": [["a", "b"]]}),
        )
    )

    assert '<td class="mono">crm.upsert</td>' in html
    assert "failed: HTTP 409" in html
    assert '<tr class="call-unfinished">' in html
    assert "12.5 ms" in html
    assert 'a clone of <a class="mono" href="/ui/tasks/t0">t0</a>' in html
    assert '<span class="hll">' in html
    assert "(line 2)" in html
    assert 'href="/ui/tasks/t2"' in html
    assert "until 1970-01-02 00:00:00 UTC" in html
    assert "<code>a.b</code>" in html
    assert html.count("rerun from here") == 2


def test_the_fragment_escapes_what_steps_wrote() -> None:
    logs = [{"level": "log", "message": "<b>x</b>"}]
    html = rendered(history(("created", {"data": {}}), run([], logs=logs)))

    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html


def test_an_error_in_a_library_shows_the_library_at_its_line_not_the_step() -> None:
    error = {"step": "s", "message": "1 (at lib/crm.js:2)", "line": 2, "file": "lib/crm.js"}
    html = rendered(history(("created", {"data": {}}), run([], error=error)))

    assert "<summary>lib/crm.js</summary>" in html
    assert "shown as it is now (version 2)" in html
    assert "s.js</summary>" not in html
    highlighted = html.split('<span class="hll">', 1)[1].split("</span></span>", 1)[0]
    assert "throw" in highlighted
