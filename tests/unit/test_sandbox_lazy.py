"""The helpers are loaded on first touch (prelude.js), yet a step sees them as plain globals."""

import pytest
from sandbox_support import ok, run_body, run_source, step_file

from aloma_core.json_types import JsonValue
from aloma_core.sandbox.scripts import LIBRARY, LIBRARY_JS

HELPERS = [
    "console",
    "audit",
    "task",
    "step",
    "connectors",
    "setTimeout",
    "setInterval",
    "clearTimeout",
    "clearInterval",
    "TextEncoder",
    "TextDecoder",
    "URL",
    "URLSearchParams",
    "crypto",
    "lib",
]


def evaluate(expression: str) -> JsonValue:
    result = ok(run_body(f"data.value = {expression};"))
    assert result.data is not None
    return result.data["value"]


def test_the_library_index_covers_every_helper_and_its_text() -> None:
    names = [name for entry in LIBRARY.values() if isinstance(entry, list) for name in entry[2:]]
    assert sorted(names) == sorted(HELPERS)
    spans = [entry[:2] for entry in LIBRARY.values() if isinstance(entry, list)]
    assert spans[0][0] == 0
    assert spans[-1][1] == len(LIBRARY_JS.encode("utf-16-le")) // 2


@pytest.mark.parametrize("name", HELPERS)
def test_each_helper_is_there_with_its_kind_before_and_after_a_touch(name: str) -> None:
    body = (
        f"const before = Object.getOwnPropertyDescriptor(globalThis, {name!r});\n"
        f"const kind = typeof {name};\n"
        f"const after = Object.getOwnPropertyDescriptor(globalThis, {name!r});\n"
        f"data.value = [before.enumerable, before.configurable, kind, after.writable, after.enumerable,"
        f" after.value === {name}, {name} === globalThis.{name}, {name!r} in globalThis];"
    )
    objects = ("console", "audit", "task", "step", "connectors", "crypto", "lib")
    kind = "object" if name in objects else "function"
    assert ok(run_body(body)).data == {"value": [False, True, kind, True, False, True, True, True]}


def test_enumerating_the_global_object_shows_no_helper() -> None:
    keys = evaluate("Object.keys(globalThis)")
    assert isinstance(keys, list)
    assert not set(map(str, keys)) & set(HELPERS)
    names = evaluate("Object.getOwnPropertyNames(globalThis)")
    assert isinstance(names, list)
    assert set(HELPERS) <= set(map(str, names))
    assert "__alomaIn" not in names and "__alomaLib" not in names


def test_helpers_keep_their_identity_and_classes_work() -> None:
    value = evaluate(
        "[new URL('https://a.com/x') instanceof URL,"
        " new URL('https://a.com').searchParams instanceof URLSearchParams, URL === globalThis.URL,"
        " new TextEncoder() instanceof TextEncoder, URL.name, String(console.log === console.log)]"
    )
    assert value == [True, True, True, True, "URL", "true"]


def test_a_step_may_shadow_a_helper_with_its_own_binding() -> None:
    source = (
        "const URL = 'mine';\nexport const condition = {};\n"
        "export const content = async () => {\n"
        "  let crypto = 2;\n  data.value = [URL, crypto, typeof globalThis.URL];\n};\n"
    )
    assert ok(run_source(source)).data == {"value": ["mine", 2, "function"]}


def test_a_step_may_assign_or_delete_a_helper_before_touching_it() -> None:
    body = (
        "URL = 'assigned';\nglobalThis.crypto = 7;\ndelete globalThis.TextEncoder;\n"
        "const d = Object.getOwnPropertyDescriptor(globalThis, 'URL');\n"
        "data.value = [URL, crypto, typeof TextEncoder, d.writable, d.enumerable,\n"
        "  'TextEncoder' in globalThis];"
    )
    assert ok(run_body(body)).data == {"value": ["assigned", 7, "undefined", True, False, False]}


def test_assigning_through_an_object_that_inherits_from_the_global_shadows_it() -> None:
    body = (
        "const o = Object.create(globalThis);\no.URL = 1;\ndata.value = [o.URL, typeof URL, Object.keys(o)];"
    )
    assert ok(run_body(body)).data == {"value": [1, "function", ["URL"]]}


def test_a_stale_getter_neither_undoes_an_assignment_nor_fails_after_a_delete() -> None:
    body = (
        "const get = Object.getOwnPropertyDescriptor(globalThis, 'URL').get;\n"
        "URL = 'mine';\nconst got = get();\ndelete globalThis.URL;\n"
        "data.value = [got === get.call({}), typeof got, typeof globalThis.URL, typeof get()];"
    )
    assert ok(run_body(body)).data == {"value": [True, "function", "undefined", "function"]}


def test_helpers_work_on_a_frozen_global_object() -> None:
    body = (
        "Object.freeze(globalThis);\n"
        "data.value = [new URL('https://a.com/b').pathname, typeof crypto.randomUUID()];"
    )
    assert ok(run_body(body)).data == {"value": ["/b", "string"]}


def test_helpers_loaded_after_a_step_broke_builtins_still_work_as_before() -> None:
    body = (
        "JSON.stringify = () => 'broken';\nPromise.prototype.then = null;\nObject.defineProperty = null;\n"
        "Object.prototype.get = () => 1;\n"
        "console.log({ a: 1 });\ntask.complete({ ok: true });\nconst u = new URL('https://a.com/?q=1');\n"
        "data.value = u.searchParams.get('q');"
    )
    result = ok(run_body(body))
    assert result.data == {"value": "1"}
    assert [line.message for line in result.logs] == ['{"a":1}']
    assert result.actions.result == {"ok": True}


def test_the_loader_evaluates_only_the_library_files() -> None:
    body = (
        "let threw = false;\n"
        "try { __aloma.load('toString'); } catch (e) { threw = e instanceof TypeError; }\n"
        "data.value = threw;"
    )
    assert ok(run_body(body)).data == {"value": True}


def test_nothing_of_a_loaded_helper_survives_into_the_next_run() -> None:
    ok(run_body("URL.prototype.extra = 1; console.marked = true; crypto.randomUUID = () => 'fixed';"))
    value = evaluate("[typeof URL.prototype.extra, typeof console.marked, crypto.randomUUID() === 'fixed']")
    assert value == ["undefined", "undefined", False]


def test_an_error_inside_a_lazily_loaded_helper_points_at_the_step_line() -> None:
    source = step_file(
        "  const d = new TextDecoder('utf-8', { fatal: true });\n  d.decode(new Uint8Array([0xff]));"
    )
    result = run_source(source)
    assert result.error is not None
    assert result.error.message.startswith("TypeError")
    assert result.error.line == 4
