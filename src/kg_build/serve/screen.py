"""A first look at a client's query before any engine sees it: its length, how deeply its
groups nest, and whether it asks to federate.

Why: pyoxigraph's parser recurses once per nested group and overflows its stack at a few
thousand levels (3,000 nested `{ }`, 6 KB of text, crashed the process here), and SERVICE
makes Oxigraph fetch a URL. This check gives a clear 400 for both. It is not what keeps the
server off the network: the workers cannot open a network socket at all (serve/sandbox.py),
whatever spelling of SERVICE gets past this look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg_build.query.lexical import code_of

# SERVICE as a keyword: not part of a variable (?service), a prefixed name (ex:service,
# service:x) or a longer word. Case-insensitive, as SPARQL keywords are (re's Unicode case
# folding matches more spellings than SPARQL's ASCII rule, never fewer).
_SERVICE = re.compile(r"(?<![\w\-?$:\\%])SERVICE(?![\w\-:])", re.IGNORECASE)
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


@dataclass(frozen=True)
class QueryLimits:
    max_length: int = 100_000  # characters
    max_depth: int = 100  # groups, brackets and parentheses inside one another


class RefusedQueryError(ValueError):
    """The query is not sent to an engine; the message says why (the answer is 400)."""


def screen(text: str, limits: QueryLimits) -> None:
    """Raise RefusedQueryError if the query is too long, nests too deeply or uses SERVICE."""
    if len(text) > limits.max_length:
        raise RefusedQueryError(
            f"the query is {len(text):,} characters long; this endpoint takes at most "
            f"{limits.max_length:,}"
        )
    code = code_of(text)
    depth = deepest = 0
    for char in code:
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limits.max_depth:
                raise RefusedQueryError(
                    f"the query nests groups, brackets or parentheses more than "
                    f"{limits.max_depth} deep; this endpoint takes at most {limits.max_depth}"
                )
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
    if _SERVICE.search(code):
        raise RefusedQueryError(
            "SERVICE is disabled on this endpoint: it does not fetch other endpoints for "
            "clients (federate from your side, or load both datasets into one store)"
        )
