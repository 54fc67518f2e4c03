"""The tokenizer that finds imports and exports: code is told from comments, strings, templates, regexes."""

import pytest

from aloma_core.sandbox.source_scan import Export, ModuleLoad, nul_line, scan, tokenize


@pytest.mark.parametrize(
    ("source", "loads"),
    [
        ("import a from 'a';", [ModuleLoad(1, "import")]),
        ("import 'side-effect';", [ModuleLoad(1, "import")]),
        ("import * as ns from 'a';", [ModuleLoad(1, "import")]),
        ("\n\nimport { a } from 'a';", [ModuleLoad(3, "import")]),
        ("const m = await import('m');", [ModuleLoad(1, "dynamic import()")]),
        ("f(...import('m'));", [ModuleLoad(1, "dynamic import()")]),
        ("export * from 'a';", [ModuleLoad(1, "export ... from")]),
        ("export { a as b } from 'a';", [ModuleLoad(1, "export ... from")]),
        ("connectors.legacy.import({ file: 1 });", []),
        ("obj?.import(1);", []),
        ("const o = { import: 1 };", []),
        ("// import a from 'a'\n/* import('b') */", []),
        ("const s = 'import(a)' + \"import b from 'c'\";", []),
        ("const t = `import(${'x'}) ${ { a: `import(y)` }.a }`;", []),
        ("const r = /import(x)/g;", []),
        ("const q = a / b; const r = /import\\(/.test(s);", []),
        ("const url = import.meta.url;", []),
    ],
)
def test_module_loads(source: str, loads: list[ModuleLoad]) -> None:
    assert list(scan(source).loads) == loads


def test_lines_count_through_comments_strings_and_templates() -> None:
    source = "/* one\ntwo */\nconst t = `a\nb ${ `c\nd` } e`;\n'x\\\ny';\nimport('z');"
    assert list(scan(source).loads) == [ModuleLoad(8, "dynamic import()")]


def test_division_after_a_value_is_not_a_regex() -> None:
    tokens = tokenize("const x = (a) / 2 / b; const y = c[0] / 2; z = /re/i;")
    assert [token.value for token in tokens if token.kind == "regex"] == ["/re/i"]


def test_a_slash_inside_a_regex_class_does_not_end_it() -> None:
    tokens = tokenize("x = /[/]import(/; y = 1;")
    assert [token.kind for token in tokens][:3] == ["name", "punct", "regex"]


@pytest.mark.parametrize(
    ("source", "exports"),
    [
        (
            "export const condition = {};\nexport const content = async () => {};",
            {"condition": Export("condition", 1), "content": Export("content", 2)},
        ),
        ("export let condition = {};", {"condition": Export("condition", 1)}),
        ("export async function content() {}", {"content": Export("content", 1)}),
        ("export function* gen() {}", {"gen": Export("gen", 1)}),
        ("export class Thing {}", {"Thing": Export("Thing", 1)}),
        (
            "const a = 1, b = 2;\nexport { a as condition,\n b };",
            {"condition": Export("a", 2), "b": Export("b", 3)},
        ),
        ("export default {};", {}),
        ("export { x } from 'm';", {}),
    ],
)
def test_exports(source: str, exports: dict[str, Export]) -> None:
    assert dict(scan(source).exports) == exports


def test_nul_line_names_the_line_of_the_first_nul() -> None:
    assert nul_line("a;\nb;\n\x00c;\x00") == 3
    assert nul_line("\x00") == 1


def test_nul_line_is_none_for_text_without_nul_even_with_escapes() -> None:
    assert nul_line("const s = '\\0 and \\u0000';\n") is None
