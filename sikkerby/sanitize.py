"""Text made safe to print on a terminal or write to a log: a file name, a question or a request path
can hold newlines and escape codes that would forge lines or recolour the terminal."""

from __future__ import annotations

import re

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: C0 and C1 control characters, DEL, the Unicode line and paragraph separators, and lone surrogates
#: (bytes that were not UTF-8, as Python decodes file names and arguments)
_UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_UNSAFE_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` as one printable line: newlines, escape codes and other control characters are shown
    as escapes (``\\n``, ``\\x1b``)."""
    return _UNSAFE_LINE.sub(_escape, text)


def terminal_text(text: str) -> str:
    """``text`` for a terminal: line breaks and tabs kept, every other control character escaped."""
    return _UNSAFE_TEXT.sub(_escape, text)
