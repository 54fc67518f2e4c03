"""Step uploads in either form of api.md: a step file, or a wire condition plus content statements.

Both forms end as the same stored record: the validated wire condition, the content body and
the step file text that error line numbers refer to.
"""

import re
from dataclasses import dataclass

from .conditions import parse_condition, to_js
from .errors import InvalidInput
from .json_types import JsonObject, JsonValue
from .limits import Limits
from .sandbox.module import load_step_module

_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,200}$")


@dataclass(frozen=True)
class CompiledStep:
    condition: JsonObject
    content: str
    source: str
    specificity: int


def check_step_name(name: str) -> str:
    """Step names are file names (`validate email.js`): printable, no slashes, at most 200 chars."""
    if not _NAME.match(name) or name.strip() != name or name in (".", ".."):
        raise InvalidInput("name: a step name is 1-200 printable characters, no slashes, no outer spaces")
    return name


def render_source(condition: JsonObject, content: str) -> str:
    """The step file for a JSON-form upload; the body stays unindented so its text is unchanged."""
    body = content if content.endswith("\n") else content + "\n"
    return (
        f"export const condition = {to_js(condition)};\n\nexport const content = async () => {{\n{body}}};\n"
    )


def compile_source(source: str, limits: Limits) -> CompiledStep:
    module = load_step_module(source, limits)
    condition = parse_condition(module.condition)
    return CompiledStep(condition.wire, function_body(module.content), source, condition.specificity)


def compile_json_form(condition: JsonValue, content: str, limits: Limits) -> CompiledStep:
    parsed = parse_condition(condition)
    source = render_source(parsed.wire, content)
    load_step_module(source, limits)
    return CompiledStep(parsed.wire, content, source, parsed.specificity)


def function_body(function_text: str) -> str:
    """The statements of a function's text (`async () => { ... }`): what the JSON form calls content."""
    arrow = function_text.find("=>")
    if arrow >= 0 and not function_text.lstrip().startswith(("async function", "function")):
        rest = function_text[arrow + 2 :].lstrip()
        if not rest.startswith("{"):
            return f"return ({rest});"
        start = function_text.index("{", arrow)
    else:
        start = function_text.index("{", function_text.index(")"))
    body = function_text[start + 1 : function_text.rindex("}")]
    return body.strip("\n") + "\n" if body.strip() else ""
