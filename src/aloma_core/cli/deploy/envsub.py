"""`${NAME}` in the string values of a deploy file, taken from the environment.

Substitution happens after YAML parsing, in values only, so a variable can never change the
file's structure. A variable that is not set is an error naming every one missing and where it
is used: an empty string in its place would deploy a broken connector without a word. `$${`
writes a literal `${`.
"""

import re
from collections.abc import Mapping

from ...json_types import JsonValue
from ..errors import UsageProblem

_VARIABLE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{[^}]*\}?")


def substitute(value: JsonValue, env: Mapping[str, str], where: str = "") -> JsonValue:
    missing: list[str] = []
    result = _walk(value, env, where, missing)
    if missing:
        raise UsageProblem("environment variables not set: " + ", ".join(missing))
    return result


def _walk(value: JsonValue, env: Mapping[str, str], where: str, missing: list[str]) -> JsonValue:
    if isinstance(value, dict):
        return {key: _walk(item, env, _join(where, key), missing) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, env, f"{where}[{index}]", missing) for index, item in enumerate(value)]
    if isinstance(value, str) and "$" in value:
        return _replace(value, env, where, missing)
    return value


def _replace(text: str, env: Mapping[str, str], where: str, missing: list[str]) -> str:
    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        name = match.group(1)
        if name is None:
            raise UsageProblem(f"{where or 'the file'}: {token!r} is not a variable: write ${{NAME}}")
        if name not in env:
            missing.append(f"{name} (at {where or 'the top'})")
            return ""
        return env[name]

    return _VARIABLE.sub(one, text)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
