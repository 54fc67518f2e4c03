"""The sandbox's own JavaScript, read once from the package data next to this module.

`PRELUDE_JS` is compiled in every run. The library files are handed to each run as one text,
`LIBRARY_JS`, which costs a copy and no compiling: the prelude evaluates a file only when the
step first touches one of its globals (or the bridge needs it), finding it through `LIBRARY`:
for each file, its span in the text (in UTF-16 code units, as JavaScript slices strings), then
its globals, in one short list because the run's input is parsed anew in every run.
The quickjs binding cannot compile a script once and load the compiled form into fresh contexts
(it exposes no bytecode reading or writing), so laziness is what keeps a run from paying for
the helpers its step never uses.
"""

from importlib.resources import files

from ..json_types import JsonObject, JsonValue

# Each library file and the globals it provides.
_GLOBALS: dict[str, tuple[str, ...]] = {
    "bridge": (),
    "log": ("console", "audit"),
    "task": ("task", "step"),
    "connectors": ("connectors",),
    "timers": ("setTimeout", "setInterval", "clearTimeout", "clearInterval"),
    "encoding": ("TextEncoder", "TextDecoder"),
    "url": ("URL", "URLSearchParams"),
    "crypto": ("crypto",),
    "libraries": ("lib",),
}


def _read(name: str) -> str:
    """A file without its comment lines and indentation, which QuickJS would scan in every run.

    Lines stay where they were, and only whole-line comments go: the sandbox's JavaScript has no
    template literal or string that spans lines.
    """
    text = files(__package__).joinpath("js", f"{name}.js").read_text("utf-8")
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join("" if line.startswith("//") else line for line in lines)


def _library() -> tuple[str, JsonObject]:
    texts: list[str] = []
    index: JsonObject = {}
    start = 0
    for name, names in _GLOBALS.items():
        text = _read(name)
        end = start + len(text.encode("utf-16-le")) // 2
        texts.append(text)
        entry: list[JsonValue] = [start, end, *names]
        index[name] = entry
        start = end
    return "".join(texts), index


PRELUDE_JS = _read("prelude")
LIBRARY_JS, LIBRARY = _library()
