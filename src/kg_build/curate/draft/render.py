"""A draft as the files of a source folder: YAML in the fact format, a header per file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from kg_build.curate.draft.records import Draft, _Number

_HEADERS = {
    "source.yaml": "The source. Written by kg draft: check each field, then delete `draft:`.",
    "figures.yaml": (
        "Every number of the text, as kg draft read it. Review each record against its quote:\n"
        "about, measure (ontology/vocabularies.ttl), value, unit, comparator, period; fill any\n"
        "`?`; delete a record that states no fact; then delete its `draft:` line."
    ),
    "places.yaml": (
        "Places of the gazetteer the text names and the graph lacks. Check that the row is\n"
        "the place meant (the note lists others of the same name), then delete `draft:`."
    ),
}
_DEFAULT = (
    "Things kg draft found named in the text. Fill any `?`, check the type and the quote,\n"
    "merge a record into an existing thing (`about: ID`) if the graph has it under another\n"
    "name; then delete its `draft:` line."
)


class _Dumper(yaml.SafeDumper):
    pass


def _number(dumper: yaml.SafeDumper, value: _Number) -> yaml.ScalarNode:
    """Bare, as a curator writes it: 358, 5.5 and 212.9e9 alike (the last is a string to
    YAML 1.1, and a number to the fact format)."""
    read = yaml.safe_load(str(value))
    tag = {int: "int", float: "float"}.get(type(read), "str")
    return dumper.represent_scalar(f"tag:yaml.org,2002:{tag}", str(value), style="")


def _date(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(_Number, _number)
_Dumper.add_representer(dt.date, _date)


def _yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def render(draft: Draft) -> dict[str, str]:
    """File name -> text, for the draft's source folder."""
    files = {"source.yaml": _comment(_HEADERS["source.yaml"]) + _yaml(draft.source)}
    for name, records in sorted(draft.files.items()):
        key = name.removesuffix(".yaml")
        body = _yaml({key: records}).replace("\n- ", "\n\n- ")
        files[name] = _comment(_HEADERS.get(name, _DEFAULT)) + body
    return files


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" for line in text.splitlines())
