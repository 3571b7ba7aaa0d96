"""Long stages draw a progress bar with rate and time left on a terminal, and stay quiet in
logs (what tests and CI see)."""

from __future__ import annotations

import io
import sys

import pytest

from kg_build.progress import MIN_ITEMS, bar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_stage_shows_count_rate_and_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert list(bar(range(MIN_ITEMS), MIN_ITEMS, "checking quotes")) == list(range(MIN_ITEMS))
    shown = terminal.getvalue()
    assert f"/{MIN_ITEMS} [" in shown  # done of total
    assert "quotes/s" in shown  # the rate
    assert "<" in shown  # elapsed<left


def test_no_bar_in_a_log_or_for_short_work(monkeypatch: pytest.MonkeyPatch) -> None:
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    list(bar(range(MIN_ITEMS), MIN_ITEMS, "checking quotes"))
    assert log.getvalue() == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    list(bar(range(10), 10, "checking quotes"))
    assert terminal.getvalue() == ""
