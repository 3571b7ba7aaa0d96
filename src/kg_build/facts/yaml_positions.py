"""YAML loading that remembers the line of every value, so errors can point at it.

PyYAML silently keeps the last of two duplicate keys and turns dates into
`datetime.date` (crashing on 2022-02-30); curated data needs neither, so we
compose the node tree ourselves: duplicate keys are errors, timestamps stay
strings for pydantic to check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


# libyaml's parser when PyYAML was built with it: the pure-Python scanner was nine tenths of
# fact loading on a 1,000-source corpus; the C one keeps the same marks (lines).
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    pass


# Keep dates as strings: pydantic validates them and reports bad ones with a location.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Located:
    """A parsed YAML document with the 1-based line of every key and item."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    _by_prefix: dict[int, dict[Path_, dict[str, int]]] = field(default_factory=dict, repr=False)

    def fields_under(self, prefix: Path_) -> dict[str, int]:
        """Line of every key and item below `prefix`, by dotted path relative to it. Indexed
        once per depth: scanning all lines for each record was quadratic in the file."""
        depth = len(prefix)
        if depth not in self._by_prefix:
            index: dict[Path_, dict[str, int]] = {}
            for path, line in self.lines.items():
                if len(path) > depth:
                    key = ".".join(str(p) for p in path[depth:])
                    index.setdefault(path[:depth], {})[key] = line
            self._by_prefix[depth] = index
        return self._by_prefix[depth].get(prefix, {})

    def line_of(self, path: Path_) -> int:
        """Line of the deepest known prefix of `path` (a missing field points at its record)."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return 1


# Deeper than this, a fact file is not one a curator wrote (and Python's stack would give out)
MAX_DEPTH = 64
# Aliases (`*quote`, to reuse an anchored `&quote`) may repeat values, within a budget: at
# most this many values, or four times the values written, whichever is more. A few lines
# of aliases of aliases otherwise stand for billions of values ("billion laughs").
MIN_BUDGET = 100_000


class ShapeError(ValueError):
    """A document that fact files do not take: aliases past the budget, an alias inside the
    value it names, or nesting past MAX_DEPTH."""

    def __init__(self, message: str, line: int, hint: str) -> None:
        self.line, self.hint = line, hint
        super().__init__(message)


class DuplicateKeyError(ValueError):
    def __init__(self, key: str, line: int, first_line: int) -> None:
        self.key, self.line, self.first_line = key, line, first_line
        super().__init__(f"duplicate key {key!r} (first given on line {first_line})")


def load_located(text: str) -> Located:
    """Parse one YAML document; raises yaml.YAMLError, DuplicateKeyError or ShapeError."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        located = Located(None)
        if root is not None:
            located.data = _construct(loader, root, (), located.lines, _Budget(), frozenset())
        return located
    finally:
        loader.dispose()


class _Budget:
    def __init__(self) -> None:
        self.written: set[int] = set()  # the nodes of the document (an alias reuses one)
        self.values = 0  # values made, each use of an alias counted anew

    def spend(self, node: yaml.Node, line: int) -> None:
        self.written.add(id(node))
        self.values += 1
        if self.values > max(MIN_BUDGET, 4 * len(self.written)):
            raise ShapeError(
                f"aliases (*name) expand to more than {self.values - 1} values",
                line,
                "write the values out, or alias only single values such as quotes",
            )


def _construct(
    loader: _Loader,
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    budget: _Budget,
    within: frozenset[int],
) -> Any:
    """The value of `node` (`within`: the nodes it is part of)."""
    line = node.start_mark.line + 1
    if id(node) in within:
        raise ShapeError("an alias (*name) inside the value it names", line, "")
    budget.spend(node, line)
    if len(path) > MAX_DEPTH:
        raise ShapeError(f"nested more than {MAX_DEPTH} levels deep", line, "")
    lines.setdefault(path, line)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = str(key)
            child = (*path, key)
            if key in out:
                raise DuplicateKeyError(key, key_node.start_mark.line + 1, lines[child])
            lines[child] = key_node.start_mark.line + 1
            out[key] = _construct(loader, value_node, child, lines, budget, within | {id(node)})
        return out
    if isinstance(node, yaml.SequenceNode):
        inside = within | {id(node)}
        return [
            _construct(loader, item, (*path, i), lines, budget, inside)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
