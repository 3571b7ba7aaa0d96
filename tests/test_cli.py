"""The command line as a user meets it: help, stats, validate, exit codes."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from conftest import run_kg, texts_args


@pytest.mark.parametrize("command", ["build", "validate", "stats"])
def test_every_command_explains_itself(command: str) -> None:
    result = run_kg(command, "--help")
    assert result.code == 0
    assert "--facts" in result.out and "--config" in result.out


def test_top_level_help_lists_the_commands() -> None:
    result = run_kg("--help")
    assert result.code == 0
    for command in ("build", "validate", "stats"):
        assert command in result.out


def test_validate_conforms_on_the_shipped_facts() -> None:
    result = run_kg("validate", *texts_args())
    assert result.code == 0, result.err
    assert "0 violations" in result.err and "conforms" in result.err
    assert "0 not found" in result.err


def test_stats_counts_classes_sources_and_languages() -> None:
    result = run_kg("stats", "--format", "json")
    assert result.code == 0, result.err
    stats = json.loads(result.out)
    assert stats["classes"]["gba:HighSpeedRailway"] == 2
    assert stats["classes"]["gba:Person"] == 10
    assert stats["sources"]["cns-2022-02-17-ganzhou-bay-area"]["records"] > 100
    assert stats["languages"]["en"] > 100 and stats["languages"]["zh"] > 100
    assert stats["languages"]["zh-latn-pinyin"] >= 29
    text = run_kg("stats")
    assert "entities per class" in text.out and "labels per language" in text.out


def test_unknown_setting_in_the_config_is_a_usage_error(tmp_path) -> None:
    config = tmp_path / "kg.toml"
    config.write_text('[kg-build]\nfactz = "facts"\n', encoding="utf-8")
    result = run_kg("validate", "--config", str(config))
    assert result.code == 2
    assert "unknown setting 'factz'" in result.err


@pytest.mark.parametrize(
    "command", [["build"], ["validate"], ["stats"], ["serve"], ["query", "count-by-class"]]
)
def test_outside_a_project_commands_say_no_kg_toml_was_found(
    command: list[str], tmp_path: Path
) -> None:
    result = run_kg(*command, cwd=tmp_path)
    assert result.code == 2, result.err
    first = result.err.splitlines()[0]
    assert first.startswith(f"error: no kg.toml in {tmp_path}") and "--config" in first
    assert "Traceback" not in result.err


def test_serve_on_a_port_in_use_says_so_in_one_line(published: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_kg("serve", "--dist", str(published), "--port", str(port))
    assert result.code == 2, result.err
    assert result.err.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use; "
        "stop the server using it or pass --port"
    ]


def test_a_default_graph_without_an_endpoint_is_a_usage_error(published: Path) -> None:
    result = run_kg("query", "sources", "--dist", str(published), "--as-loaded")
    assert result.code == 2 and "go with --endpoint" in result.err, result.err
