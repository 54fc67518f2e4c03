"""The sandbox's own JavaScript, read once from the package data next to this module."""

from importlib.resources import files

# encoding.js comes first: url.js builds on TextEncoder / TextDecoder, and the prelude seeds crypto.js.
_ORDER = ("encoding.js", "url.js", "crypto.js", "prelude.js")

SANDBOX_JS = "\n".join(files(__package__).joinpath("js", name).read_text("utf-8") for name in _ORDER)
