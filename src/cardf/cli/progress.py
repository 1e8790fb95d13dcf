"""Progress bars on stderr with a rate: shown only on a terminal and without --quiet."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import click

PROGRESS_MIN_TRIPLES = 5000


class RateBar:
    """A progress bar with a rate (`1,234/s`)."""

    def __init__(self, label: str, unit: str, on: bool):
        self.label, self.unit, self.on = label, unit, on
        self.bar, self.started = None, 0.0

    def start(self, total: int) -> None:
        self.started = time.monotonic()
        self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True,
                                     item_show_func=lambda rate: rate)
        self.bar.__enter__()

    def step(self, count: int) -> None:
        rate = (self.bar.pos + count) / max(time.monotonic() - self.started, 1e-9)
        self.bar.update(count, f"{rate:,.0f}{self.unit}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class ArticleProgress(RateBar):
    """Per article while a build maps them (rate and ETA); then one line for the stages that follow."""

    def __init__(self, quiet: bool):
        super().__init__("Mapping articles", "/s", not quiet and sys.stderr.isatty())
        self.done, self.finished = 0, False

    def __enter__(self):
        return self if self.on else None

    def __call__(self, done: int, total: int) -> None:
        if self.finished:
            return
        if self.bar is None:
            self.start(total)
        self.step(done - self.done)
        self.done = done
        if done >= total:
            self.finished = True
            self.close()
            click.echo("Validating and writing …", err=True)

    def __exit__(self, *exc) -> None:
        self.close()


class LoadProgress(RateBar):
    """Triples per second during big loads."""

    def __init__(self, total: int | Callable[[], int], quiet: bool):
        on = not quiet and sys.stderr.isatty()
        if callable(total):  # counted only for a bar that can be shown
            total = total() if on else 0
        super().__init__("Loading", " triples/s", on and total >= PROGRESS_MIN_TRIPLES)
        self.total = total

    def __enter__(self):
        if not self.on:
            return None
        self.start(self.total)
        return self.step

    def __exit__(self, *exc):
        self.close()
