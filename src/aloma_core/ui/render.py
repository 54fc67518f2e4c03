"""Templates and the helpers they use: timestamps, JSON, highlighted step source.

Highlighting emits CSS classes, never inline styles, so the page works under a CSP that allows
styles from this origin only; the class rules are served as /ui/static/source.css.
"""

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import JavascriptLexer, JsonLexer

HERE = Path(__file__).parent
STATIC = HERE / "static"
SOURCE_CLASS = "source"


def clock(ms: object) -> str:
    """Epoch milliseconds as UTC time of day with milliseconds (the date is in the title)."""
    if not isinstance(ms, int):
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%H:%M:%S.%f")[:-3]


def stamp(ms: object) -> str:
    if not isinstance(ms, int):
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso_stamp(iso: object) -> str:
    """An API timestamp (`2025-01-31T09:30:00.000Z`) shortened for a table cell."""
    return str(iso).replace("T", " ")[:19] if iso else ""


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def source_html(source: str, line: int | None = None) -> Markup:
    """The step file highlighted, numbered, with `line` (1-based) marked and anchored."""
    formatter = HtmlFormatter(
        cssclass=SOURCE_CLASS,
        linenos="inline",
        hl_lines=[line] if line else [],
        lineanchors="L",
        anchorlinenos=False,
        wrapcode=True,
    )
    return Markup(highlight(source, JavascriptLexer(), formatter))


def json_html(value: Any) -> Markup:
    return Markup(highlight(pretty(value), JsonLexer(), HtmlFormatter(cssclass=SOURCE_CLASS, wrapcode=True)))


@cache
def source_css() -> str:
    formatter = HtmlFormatter(style="default")
    rules: str = formatter.get_style_defs(f".{SOURCE_CLASS}")  # type: ignore[no-untyped-call]
    return rules


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the package and never change under a running server: no check of
        # each file's time at every render (a long timeline would otherwise pay one per entry).
        auto_reload=False,
    )
    env.filters.update(
        clock=clock, stamp=stamp, iso=iso_stamp, pretty=pretty, compact=compact, json_html=json_html
    )
    env.globals.update(source_html=source_html)
    return env
