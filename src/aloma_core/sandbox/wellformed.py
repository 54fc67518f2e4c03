"""Text out of JavaScript made encodable: a lone UTF-16 surrogate becomes U+FFFD, as Node prints it.

A JavaScript string may hold half of a surrogate pair; Python keeps it, but UTF-8 cannot encode
it, so a log line or error message with one would break whatever writes it out (the log-size
count, the stores, the HTTP answer). JSON reading joins every proper pair, so any surrogate left
in a Python string is a lone one.
"""

import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text)
