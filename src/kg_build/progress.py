"""Progress bars for long stages, with rate and time left (tqdm).

Shown only when standard error is a terminal and the work is long enough to be worth it: logs
and tests keep the one line per stage that the pipeline prints anyway.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
MIN_ITEMS = 2000  # below this a stage takes a second or two: a bar would only flicker


def bar(items: Iterable[T], total: int, what: str) -> Iterator[T]:
    """Yield `items`, drawing a bar on a terminal when there are at least MIN_ITEMS."""
    show = total >= MIN_ITEMS and sys.stderr.isatty()
    yield from tqdm(
        items,
        total=total,
        desc=f"  {what}",
        unit=" " + what.split()[-1] if what else "it",
        disable=not show,
        leave=False,
        file=sys.stderr,
        dynamic_ncols=True,
    )
