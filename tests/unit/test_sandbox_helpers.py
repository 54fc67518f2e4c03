"""The helpers step authors reach for: URL, URLSearchParams, TextEncoder/Decoder, atob/btoa, crypto, timers.

Expected values are what Node (WHATWG URL and Encoding) gives for the same expressions.
"""

import re
import time

import pytest
from sandbox_support import messages, ok, run_body

from aloma_core.json_types import JsonValue
from aloma_core.limits import WALL_TIME, Limits
from aloma_core.sandbox import bridge


def evaluate(expression: str) -> JsonValue:
    result = ok(run_body(f"data.value = {expression};"))
    assert result.data is not None
    return result.data["value"]


def thrown(statement: str) -> str:
    result = run_body(f"{statement};")
    assert result.error is not None
    return result.error.message


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "new URL('https://user:pa ss@Example.COM:443/a/./b/../c?q=1 2#frag ment').href",
            "https://user:pa%20ss@example.com/a/c?q=1%202#frag%20ment",
        ),
        ("new URL('HTTP://EXAMPLE.com/A').href", "http://example.com/A"),
        ("new URL('https://example.com').href", "https://example.com/"),
        ("new URL('/path?x=1', 'https://example.com/base/index.html').href", "https://example.com/path?x=1"),
        ("new URL('../up', 'https://example.com/a/b/c').href", "https://example.com/a/up"),
        ("new URL('other', 'https://example.com/a/b').href", "https://example.com/a/other"),
        ("new URL('?q', 'https://example.com/a/b?x#h').href", "https://example.com/a/b?q"),
        ("new URL('#h2', 'https://example.com/a/b?x#h').href", "https://example.com/a/b?x#h2"),
        ("new URL('//other.com/p', 'https://example.com/a').href", "https://other.com/p"),
        ("new URL('https://example.com/ä?ä=ö#ü').href", "https://example.com/%C3%A4?%C3%A4=%C3%B6#%C3%BC"),
        ("new URL('https://münchen.de/').hostname", "xn--mnchen-3ya.de"),
        ("new URL('http://0x7f.1/').hostname", "127.0.0.1"),
        ("new URL('http://[::1]:3000/').host", "[::1]:3000"),
        ("new URL('file:///etc/hosts').href", "file:///etc/hosts"),
        ("new URL('mailto:someone@example.com').pathname", "someone@example.com"),
        ("new URL('mailto:someone@example.com').origin", "null"),
        ("new URL('http://example.com:8080/x').origin", "http://example.com:8080"),
        ("new URL('https://example.com:8443').port", "8443"),
        ("new URL('https://example.com:443').port", ""),
        ("new URL('https://a.com/p?x=1&y=2#top').search", "?x=1&y=2"),
        ("new URL('https://a.com/p?x=1&y=2#top').hash", "#top"),
        ("new URL('https://a.com/p?x=1&y=2').searchParams.get('y')", "2"),
        ("new URL('https://u:p@a.com').username + ':' + new URL('https://u:p@a.com').password", "u:p"),
        ("JSON.stringify({ u: new URL('https://a.com/x') })", '{"u":"https://a.com/x"}'),
        ("String(new URL('https://a.com/x'))", "https://a.com/x"),
        (
            "[URL.canParse('https://a.com'), URL.canParse('nope'), URL.canParse('/x', 'https://a.com')]",
            [True, False, True],
        ),
        ("URL.parse('nope')", None),
    ],
)
def test_url(expression: str, expected: JsonValue) -> None:
    assert evaluate(expression) == expected


def test_url_setters_and_linked_search_params() -> None:
    body = """const u = new URL('https://example.com/a?x=1');
u.searchParams.append('c', '3 4');
const afterAppend = u.href;
u.search = 'a=1&b=2';
const b = u.searchParams.get('b');
u.hash = 'top';
u.pathname = '/x y';
u.port = '443';
u.hostname = 'Other.COM';
u.username = 'me';
u.protocol = 'http';
data.value = [afterAppend, b, u.href];"""
    result = ok(run_body(body))
    assert result.data == {
        "value": [
            "https://example.com/a?x=1&c=3+4",
            "2",
            "http://me@other.com/x%20y?a=1&b=2#top",
        ]
    }


@pytest.mark.parametrize(
    "url", ["not a url", "http://exa mple.com", "https://", "http://x:99999", "http://a@"]
)
def test_invalid_urls_throw_a_type_error(url: str) -> None:
    assert thrown(f"new URL({url!r})") == f"TypeError: Invalid URL: {url}"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("new URLSearchParams('?a=1&b=2&a=3').getAll('a')", ["1", "3"]),
        ("new URLSearchParams('q=hello+world&x=%E2%82%AC&flag').get('q')", "hello world"),
        ("new URLSearchParams('x=%E2%82%AC').get('x')", "€"),
        ("new URLSearchParams('flag').get('flag')", ""),
        ("new URLSearchParams('a=1').get('missing')", None),
        ("new URLSearchParams({ a: 1, b: 'x y' }).toString()", "a=1&b=x+y"),
        ("new URLSearchParams([['a', '1'], ['b', '2']]).toString()", "a=1&b=2"),
        ('new URLSearchParams({ s: "*-._~ é&=+/" }).toString()', "s=*-._%7E+%C3%A9%26%3D%2B%2F"),
        (
            "(() => { const p = new URLSearchParams('b=2&a=1&b=1'); p.sort(); return p.toString(); })()",
            "a=1&b=2&b=1",
        ),
        (
            "(() => { const p = new URLSearchParams('a=1&a=2&b=3'); p.set('a', 'x'); "
            "return p.toString(); })()",
            "a=x&b=3",
        ),
        (
            "(() => { const p = new URLSearchParams('a=1&a=2'); p.delete('a', '1'); "
            "return p.toString(); })()",
            "a=2",
        ),
        ("[new URLSearchParams('a=1').has('a'), new URLSearchParams('a=1').has('a', '2')]", [True, False]),
        ("new URLSearchParams('a=1&b=2').size", 2),
        ("[...new URLSearchParams('a=1&b=2')]", [["a", "1"], ["b", "2"]]),
        ("[...new URLSearchParams('a=1&b=2').keys()]", ["a", "b"]),
        ("[...new URLSearchParams('a=1&b=2').values()]", ["1", "2"]),
        ("Object.fromEntries(new URLSearchParams('a=1&b=2'))", {"a": "1", "b": "2"}),
        (
            "(() => { const seen = []; new URLSearchParams('a=1').forEach((v, k) => seen.push(k + v));"
            " return seen; })()",
            ["a1"],
        ),
    ],
)
def test_url_search_params(expression: str, expected: JsonValue) -> None:
    assert evaluate(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Array.from(new TextEncoder().encode('aé€😀'))", [97, 195, 169, 226, 130, 172, 240, 159, 152, 128]),
        ("Array.from(new TextEncoder().encode('\\ud800x'))", [239, 191, 189, 120]),
        ("new TextEncoder().encoding", "utf-8"),
        ("new TextDecoder().decode(new TextEncoder().encode('aé€😀'))", "aé€😀"),
        ("new TextDecoder().decode(new Uint8Array([0xff, 0x61]))", "\ufffda"),
        ("new TextDecoder().decode(new Uint8Array([0x61, 0xe2, 0x82]))", "a\ufffd"),
        ("new TextDecoder().decode(new Uint8Array([0xf0, 0x9f, 0x98, 0x61]))", "\ufffda"),
        ("new TextDecoder().decode(new Uint8Array([0xed, 0xa0, 0x80]))", "\ufffd\ufffd\ufffd"),
        ("new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))", "a"),
        (
            "new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))",
            "\ufeffa",
        ),
        ("new TextDecoder().decode(new Uint8Array([104, 105]).buffer)", "hi"),
        ("new TextDecoder().decode(new DataView(new Uint8Array([0, 104, 105]).buffer, 1))", "hi"),
        ("new TextDecoder().decode()", ""),
        (
            "(() => { const d = new TextDecoder();"
            " return d.decode(new Uint8Array([0xe2, 0x82]), { stream: true })"
            " + d.decode(new Uint8Array([0xac])); })()",
            "€",
        ),
        (
            "(() => { const out = new Uint8Array(4); const r = new TextEncoder().encodeInto('a€b', out);"
            " return [r.read, r.written, Array.from(out)]; })()",
            [2, 4, [97, 226, 130, 172]],
        ),
        ("new TextDecoder('UTF8').encoding", "utf-8"),
    ],
)
def test_text_encoder_and_decoder(expression: str, expected: JsonValue) -> None:
    assert evaluate(expression) == expected


def test_text_decoder_fatal_and_labels() -> None:
    fatal = "new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff]))"
    assert thrown(fatal).startswith("TypeError")
    assert thrown("new TextDecoder('latin1')").startswith("RangeError")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("btoa('hello')", "aGVsbG8="),
        ("atob('aGVsbG8=')", "hello"),
        ("atob(' aGVs bG8 ')", "hello"),
        ("btoa(String.fromCharCode(0, 255))", "AP8="),
    ],
)
def test_atob_and_btoa(expression: str, expected: JsonValue) -> None:
    assert evaluate(expression) == expected


def test_btoa_refuses_characters_beyond_latin1() -> None:
    assert "InvalidCharacterError" in thrown("btoa('€')")


def test_random_uuids_are_version_4_and_distinct() -> None:
    uuids = evaluate("Array.from({ length: 100 }, () => crypto.randomUUID())")
    assert isinstance(uuids, list)
    assert len(set(map(str, uuids))) == 100
    pattern = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(pattern.match(str(uuid)) for uuid in uuids)


def test_get_random_values() -> None:
    value = evaluate(
        "(() => { const a = new Uint32Array(8);"
        " return [crypto.getRandomValues(a) === a, a.some((x) => x !== 0)]; })()"
    )
    assert value == [True, True]
    assert "QuotaExceededError" in thrown("crypto.getRandomValues(new Uint8Array(65537))")
    assert thrown("crypto.getRandomValues(new Float32Array(2))").startswith("TypeError")


@pytest.mark.parametrize(
    ("seed", "offset", "expected"),
    [
        # RFC 8439 appendix A.1, test vectors 1 and 2: all-zero key, block counters 0 and 1.
        ("00" * 32, 0, "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"),
        ("00" * 32, 64, "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"),
        # Test vector 3: the key's last byte is 1, block counter 1.
        ("00" * 31 + "01", 64, "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a"),
    ],
)
def test_randomness_is_the_chacha20_keystream_of_the_run_seed(
    monkeypatch: pytest.MonkeyPatch, seed: str, offset: int, expected: str
) -> None:
    monkeypatch.setattr(bridge, "random_seed", lambda: seed)
    value = evaluate("Array.from(crypto.getRandomValues(new Uint8Array(128)))")
    assert isinstance(value, list)
    assert bytes(int(str(byte)) for byte in value)[offset : offset + 32].hex() == expected


def test_timers_fire_in_order_after_microtasks() -> None:
    body = """const order = [];
setTimeout(() => order.push('t20'), 20);
setTimeout((a, b) => order.push('t0 ' + a + b), 0, 'x', 'y');
setTimeout(() => order.push('t0 second'));
const cleared = setTimeout(() => order.push('cleared'), 5);
clearTimeout(cleared);
Promise.resolve().then(() => order.push('micro'));
order.push('sync');
await new Promise((resolve) => setTimeout(resolve, 40));
data.order = order;"""
    result = ok(run_body(body))
    assert result.data == {"order": ["sync", "micro", "t0 xy", "t0 second", "t20"]}


def test_timers_really_wait() -> None:
    started = time.perf_counter()
    ok(run_body("await new Promise((resolve) => setTimeout(resolve, 100));"))
    assert time.perf_counter() - started >= 0.1


def test_intervals_repeat_until_cleared() -> None:
    body = """let ticks = 0;
await new Promise((resolve) => {
  const id = setInterval(() => { ticks++; if (ticks === 3) { clearInterval(id); resolve(); } }, 5);
});
data.ticks = ticks;"""
    assert ok(run_body(body)).data == {"ticks": 3}


def test_a_timer_still_pending_when_the_content_is_done_is_dropped() -> None:
    started = time.perf_counter()
    result = ok(run_body("setTimeout(() => console.log('never'), 10000);\ndata.a = 1;"))
    assert time.perf_counter() - started < 5  # far from the timer's 10 s
    assert messages(result) == []


@pytest.mark.parametrize("delay", ["Infinity", "1e300", "2 ** 31"])
def test_a_delay_beyond_any_wall_time_is_a_timer_that_never_fires_in_the_run(delay: str) -> None:
    result = ok(run_body(f"setTimeout(() => console.log('never'), {delay});\ndata.a = 1;"))
    assert result.data == {"a": 1}
    assert messages(result) == []
    waited = run_body(
        f"await new Promise((resolve) => setTimeout(resolve, {delay}));", limits=Limits(wall_time_ms=100)
    )
    assert waited.error is not None and waited.error.limit == WALL_TIME


@pytest.mark.parametrize("delay", ["NaN", "-5", "'x'", "undefined"])
def test_a_delay_that_is_no_positive_number_fires_at_once(delay: str) -> None:
    assert ok(
        run_body(f"await new Promise((resolve) => setTimeout(resolve, {delay}));\ndata.a = 1;")
    ).data == {"a": 1}


def test_set_timeout_needs_a_function() -> None:
    assert thrown("setTimeout('alert(1)', 10)").startswith("TypeError")
