"""Keeping credentials out of what cardf prints: a secret in any spelling, whole or in part.

A server may echo what it was sent (its error page quoting the Authorization header, padded,
URL-encoded, JSON- or HTML-escaped, base64 inside base64, or cut short by the server itself),
so a secret is looked for in several readings of a text at once, each mapped back to the
characters it came from:

- the text as it is;
- the text with its escapes decoded: `%XX` in either case (runs of them as UTF-8), `\\uXXXX`
  (surrogate pairs too), `\\xXX`, `\\"` and the other JSON escapes, HTML character references
  and named entities — and a second time with `+` read as a space, as in form encoding;
- inside both: every run of base64 (either alphabet, at any of its four alignments) and of hex
  that decodes to part of a secret, decoded twice over for base64 of base64.

Text a server wrote is masked wherever `FRAGMENT` characters of the password or token appear
in a row (or of `user:password` across the colon, or the whole user name), so that no
decodable part of a secret survives; cardf's own sentences are masked only where a whole
secret appears, so that a password sharing three letters with a word of the message does not
garble it. Masking happens on the raw text, before anything is reformatted or cut.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re

MASK = "***"
FRAGMENT = 3  # characters of a secret in a row that are masked in a server's text
MIN_USER = 3  # a shorter user name would mask half of every message, and is no secret

_ESCAPE = re.compile(r"""
    (?P<pct>(?:%[0-9A-Fa-f]{2})+)
  | \\u(?P<hi>[dD][89abAB][0-9A-Fa-f]{2})\\u(?P<lo>[dD][c-fC-F][0-9A-Fa-f]{2})
  | \\u(?P<u>[0-9A-Fa-f]{4})
  | \\x(?P<x>[0-9A-Fa-f]{2})
  | \\(?P<c>["\\/bfnrt'])
  | &\#(?P<dec>[0-9]{1,7});
  | &\#[xX](?P<hex>[0-9A-Fa-f]{1,6});
  | (?P<named>&[A-Za-z][A-Za-z0-9]{1,31};)
""", re.VERBOSE)
_C_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{4,}=*")
_HEX_RUN = re.compile(r"[0-9A-Fa-f]{6,}")
_URLSAFE = str.maketrans("-_", "+/")


class Scrubber:
    """Masks one set of credentials in text; `said` for what a server wrote, `message` for cardf's own."""

    def __init__(self, password: str = "", token: str = "", user: str = ""):
        secrets = [s for s in (password, token) if s]
        joined = f"{user}:{password}" if user and password else ""
        whole = secrets + ([joined] if joined else []) + ([user] if len(user) >= MIN_USER else [])
        parts = set(whole) - {joined}
        for secret in secrets:
            for variant in {secret, " ".join(secret.split())}:
                parts |= _windows(variant) if len(variant) > FRAGMENT else {variant}
        if joined:  # the colon with at least one character of the password
            colon = len(user)
            parts |= {joined[i:i + FRAGMENT] for i in range(max(0, colon - FRAGMENT + 2), colon + 1)
                      if len(joined[i:i + FRAGMENT]) == FRAGMENT}
        self._whole = _Needles(whole)
        self._parts = _Needles(parts)

    def said(self, text: str) -> str:
        """Text from elsewhere (a server's answer, an error it caused): no part of a secret survives."""
        return _mask(text, self._parts)

    def message(self, text: str) -> str:
        """cardf's own sentence (which may quote scrubbed server text): whole secrets, in any spelling."""
        return _mask(text, self._whole)


def _windows(secret: str) -> set[str]:
    return {secret[i:i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}


class _Needles:
    """What to find: as text (in the three readings) and as bytes (inside decoded base64 and hex)."""

    def __init__(self, needles):
        needles = sorted({n for n in needles if n}, key=len, reverse=True)
        self.empty = not needles
        self.text = re.compile("(?=(" + "|".join(map(re.escape, needles)) + "))") if needles else None
        self.raw = re.compile(b"|".join(re.escape(n.encode("utf-8")) for n in needles)) if needles else None

    def in_bytes(self, data: bytes) -> bool:
        return self.raw.search(data) is not None


def _mask(text: str, needles: _Needles) -> str:
    if needles.empty or not text:
        return text
    spans: list[tuple[int, int]] = []
    verdicts: dict[str, bool] = {}  # padding repeats itself: decode each run once
    for chars, origin in _readings(text):
        for m in needles.text.finditer(chars):
            spans.append((origin[m.start()][0], origin[m.start() + len(m.group(1)) - 1][1]))
        for run in (*_BASE64_RUN.finditer(chars), *_HEX_RUN.finditer(chars)):
            found = verdicts.get(run.group())
            if found is None:
                found = verdicts[run.group()] = _encodes_a_secret(run.group(), needles)
            if found:
                spans.append((origin[run.start()][0], origin[run.end() - 1][1]))
    if not spans:
        return text
    out, at = [], 0
    for start, end in _merged(spans):
        out += [text[at:start], MASK]
        at = end
    return "".join(out) + text[at:]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _readings(text: str):
    """The text as it is, and decoded (`+` kept, then read as a space); each character with the span it came from."""
    yield text, [(i, i + 1) for i in range(len(text))]
    decoded, origin = _decoded(text)
    if decoded != text:
        yield decoded, origin
    if "+" in decoded:
        yield decoded.replace("+", " "), origin


def _decoded(text: str) -> tuple[str, list[tuple[int, int]]]:
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    at = 0
    for m in _ESCAPE.finditer(text):
        chars.extend(text[at:m.start()])
        origin.extend((i, i + 1) for i in range(at, m.start()))
        at = m.end()
        kind = m.lastgroup
        if kind == "pct":
            _percent(m.group(), m.start(), chars, origin)
            continue
        if kind in ("hi", "lo"):
            value = chr(0x10000 + ((int(m["hi"], 16) - 0xD800) << 10) + (int(m["lo"], 16) - 0xDC00))
        elif kind in ("u", "x", "hex", "dec"):
            code = int(m[kind], 10 if kind == "dec" else 16)
            value = chr(code) if code <= 0x10FFFF else "\ufffd"
        elif kind == "c":
            value = _C_ESCAPES.get(m["c"], m["c"])
        else:
            value = html.unescape(m.group())
        chars.extend(value)
        origin.extend([(m.start(), m.end())] * len(value))
    chars.extend(text[at:])
    origin.extend((i, i + 1) for i in range(at, len(text)))
    return "".join(chars), origin


def _percent(run: str, offset: int, chars: list[str], origin: list[tuple[int, int]]) -> None:
    """A run of %XX as UTF-8, each character spanning the escapes of its bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    first = offset
    for i in range(0, len(run), 3):
        out = decoder.decode(bytes([int(run[i + 1:i + 3], 16)]))
        if out:
            chars.extend(out)
            origin.extend([(first, offset + i + 3)] * len(out))
            first = offset + i + 3
    out = decoder.decode(b"", final=True)
    if out:
        chars.extend(out)
        origin.extend([(first, offset + len(run))] * len(out))


def _encodes_a_secret(run: str, needles: _Needles, nested: bool = True) -> bool:
    """Does this run of base64 (at any alignment) or hex decode to something holding a needle?"""
    candidates: list[bytes] = []
    body = run.rstrip("=").translate(_URLSAFE)
    for skip in range(4):
        piece = body[skip:]
        if len(piece) % 4 == 1:  # a lone character carries no whole byte
            piece = piece[:-1]
        if len(piece) >= 2:
            try:
                candidates.append(base64.b64decode(piece + "=" * (-len(piece) % 4)))
            except (binascii.Error, ValueError):
                pass
    if re.fullmatch(r"[0-9A-Fa-f]+", run):
        for skip in range(2):
            piece = run[skip:]
            candidates.append(bytes.fromhex(piece[:len(piece) // 2 * 2]))
    for data in candidates:
        if needles.in_bytes(data):
            return True
        if nested:
            text = data.decode("latin-1")
            if any(_encodes_a_secret(inner.group(), needles, nested=False) for inner in _BASE64_RUN.finditer(text)):
                return True
    return False
