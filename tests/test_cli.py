"""The command line as a user meets it: help, stats, validate, exit codes."""

from __future__ import annotations

import json

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
