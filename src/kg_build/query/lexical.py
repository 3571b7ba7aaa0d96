"""SPARQL's lexical level, as far as anything here needs it: where comments, strings and IRIs
are, so that keywords and brackets are only looked for in what is left (the query's code).

The terminals follow SPARQL 1.1 §19.8: a comment runs to the end of the line, which `\\r`
ends as well as `\\n`; short strings cannot span lines; long strings end at the first three
unescaped quotes; an IRI is `<` up to `>` without spaces, quotes, braces, `|`, `^`, backtick
or backslash. The regular expression finds them left to right, as a lexer would.
"""

from __future__ import annotations

import re

_SKIPPED = re.compile(
    r'#[^\r\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\r\n]|\\.)*"|\'(?:[^\'\\\r\n]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>',
    re.DOTALL,
)
# Codepoint escapes, which SPARQL 1.1 (§19.2) allows anywhere in a query's text.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def masked(text: str) -> str:
    """The query with every comment, string and IRI blanked out (same length, same offsets)."""
    return _SKIPPED.sub(lambda m: " " * len(m.group(0)), text)


def code_of(text: str) -> str:
    """What is left of the query once comments, strings and IRIs are blanked, with codepoint
    escapes decoded, so that `\\u0053ERVICE` reads as the keyword it spells."""

    def decode(match: re.Match[str]) -> str:
        value = int(match.group(1) or match.group(2), 16)
        return chr(value) if value <= 0x10FFFF else " "

    return _CODEPOINT.sub(decode, masked(text))
