"""Progress of a long run: done and total per stage, rates and time left, for the terminal
and as JSON events for operators' monitoring.

The pipeline reports ``progress(stage, done, total)`` (stages: ``load``, ``prove`` in chunks,
``reduce`` in groups, ``collateral proofs``, ``audit ...``, ``self-check leaves``,
``self-check sample``). A :class:`ProgressMonitor` is such a callback that also takes
``entries(stage, done, total)``: the prover then reports, before each ``prove`` call, the
tree leaves (entries: customer balances, debts and padding) in the finished chunks.

Rates are moving averages: over the samples of the last ``window_s`` seconds (30 by default),
``rate = (done_now - done_then) / (t_now - t_then)`` with ``then`` the oldest sample in the
window; ``eta_s = (total - done) / rate`` (the ``prove`` stage uses entries for both). Work a
resumed run found finished is its first sample, so it never counts as speed. A stage with no
progress yet in the window has no rate and no ETA (``null``).

Events, one JSON object per line (docs/operators.md, "Monitoring a run"): every event has
``event``, ``time`` (UTC, ISO 8601) and ``elapsed_s`` (since the run started).

- ``"progress"``: ``stage``, ``done``, ``total``, ``per_s``, ``eta_s``; in the ``prove`` stage
  also ``entries_done``, ``entries_total``, ``entries_per_s``. Written for the first and the
  last (``done == total``) update of a stage, and otherwise at most once per ``interval_s``.
- ``"finished"`` at the end of a successful run; ``"failed"`` with ``error`` (the error's first
  line, as printed) when it stops.

Nothing secret is in an event: stage names, counts of chunks and padded leaves, times.
"""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from zkpor.errors import InputError

__all__ = [
    "CountsEntries",
    "MovingRate",
    "ProgressDisplay",
    "ProgressMonitor",
    "open_events",
]

Clock = Callable[[], float]


@runtime_checkable
class CountsEntries(Protocol):
    """A progress callback that also counts entries (tree leaves) of a stage."""

    def entries(self, stage: str, done: int, total: int) -> None: ...


@dataclass
class MovingRate:
    """Units per second over the samples of the last ``window_s`` seconds (module doc)."""

    window_s: float = 30.0
    samples: deque[tuple[float, int]] = field(default_factory=deque)

    def add(self, now: float, done: int) -> None:
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window_s:
            self.samples.popleft()

    def rate(self) -> float | None:
        if len(self.samples) < 2:
            return None
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        if t1 <= t0 or d1 <= d0:
            return None
        return (d1 - d0) / (t1 - t0)

    def eta(self, total: int) -> float | None:
        rate = self.rate()
        if rate is None:
            return None
        return max(0, total - self.samples[-1][1]) / rate


@dataclass
class _Stage:
    done: int = 0
    total: int = 0
    units: MovingRate = field(default_factory=MovingRate)
    entries: MovingRate | None = None
    entries_done: int = 0
    entries_total: int = 0
    last_event: float | None = None


def _round(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


class ProgressDisplay:
    """The terminal display: one bar per stage with done/total, rate, time left, elapsed."""

    def __init__(self, enabled: bool, console: Console | None = None) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("{task.fields[eta]}"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            disable=not enabled,
        )
        self.tasks: dict[str, TaskID] = {}
        self.started = False

    def show(self, stage: str, done: int, total: int, rate: str, eta: str) -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total, rate=rate, eta=eta)
        self.progress.update(self.tasks[stage], completed=done, total=total, rate=rate, eta=eta)

    def stop(self) -> None:
        if self.started:
            self.progress.stop()
            self.started = False


def _eta_text(eta: float | None) -> str:
    if eta is None:
        return ""
    seconds = round(eta)
    return f"left {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressMonitor:
    """A progress callback (``monitor(stage, done, total)``, plus ``entries``) feeding a
    :class:`ProgressDisplay` and, with ``events``, the JSON events of the module doc."""

    def __init__(
        self,
        display: ProgressDisplay | None = None,
        events: IO[str] | None = None,
        *,
        interval_s: float = 1.0,
        window_s: float = 30.0,
        clock: Clock = time.monotonic,
        wall: Clock = time.time,
        close_events: bool = False,
    ) -> None:
        self.display = display
        self.events = events
        self.close_events = close_events
        self.interval_s = interval_s
        self.window_s = window_s
        self.clock = clock
        self.wall = wall
        self.started = clock()
        self.stages: dict[str, _Stage] = {}

    def __enter__(self) -> ProgressMonitor:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        """Stop the display; write ``finished``, or ``failed`` with the error that ends the
        run; close the events file if it is the monitor's."""
        if self.display is not None:
            self.display.stop()
        if exc is None:
            self.finished()
        else:
            self.failed(exc)
        if self.events is not None and self.close_events:
            self.events.close()

    @classmethod
    def to(cls, display: ProgressDisplay, dest: str | None) -> ProgressMonitor:
        """The monitor of ``zkpor prove``: ``display``, and the events of ``--progress-json
        DEST`` (stderr for ``-``; else the file, appended to, so a resumed run continues the
        same log, and closed at the end)."""
        if dest is None:
            return cls(display)
        return cls(display, open_events(dest), close_events=dest != "-")

    def _stage(self, name: str) -> _Stage:
        if name not in self.stages:
            self.stages[name] = _Stage(units=MovingRate(self.window_s))
        return self.stages[name]

    def entries(self, stage: str, done: int, total: int) -> None:
        st = self._stage(stage)
        if st.entries is None:
            st.entries = MovingRate(self.window_s)
        st.entries.add(self.clock(), done)
        st.entries_done, st.entries_total = done, total

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        st = self._stage(stage)
        st.done, st.total = done, total
        st.units.add(now, done)
        per_s = st.units.rate()
        if st.entries is not None:
            entries_per_s = st.entries.rate()
            eta = st.entries.eta(st.entries_total)
        else:
            entries_per_s = None
            eta = st.units.eta(total)
        if self.display is not None:
            if st.entries is not None:
                rate = "" if entries_per_s is None else f"{entries_per_s:,.0f} entries/s"
            else:
                rate = "" if per_s is None else f"{per_s:,.1f}/s"
            self.display.show(stage, done, total, rate, _eta_text(eta))
        first = st.last_event is None
        if self.events is None or not (
            first or done >= total or now - (st.last_event or now) >= self.interval_s
        ):
            return
        st.last_event = now
        event: dict[str, Any] = {
            "stage": stage,
            "done": done,
            "total": total,
            "per_s": _round(per_s, 3),
            "eta_s": _round(eta, 1),
        }
        if st.entries is not None:
            event.update(
                entries_done=st.entries_done,
                entries_total=st.entries_total,
                entries_per_s=_round(entries_per_s, 1),
            )
        self._emit("progress", event)

    def finished(self) -> None:
        self._emit("finished", {})

    def failed(self, error: BaseException) -> None:
        first = (str(error).splitlines() or [type(error).__name__])[0]
        self._emit("failed", {"error": first})

    def _emit(self, kind: str, fields: dict[str, Any]) -> None:
        if self.events is None:
            return
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.wall()))
        record = {
            "event": kind,
            "time": stamp,
            "elapsed_s": round(self.clock() - self.started, 2),
            **fields,
        }
        self.events.write(json.dumps(record) + "\n")
        self.events.flush()


def open_events(dest: str) -> IO[str]:
    """The stream for ``--progress-json DEST``: stderr for ``-``, else the file opened for
    appending, line-buffered."""
    if dest == "-":
        return sys.stderr
    path = Path(dest)
    try:
        return path.open("a", encoding="utf-8", buffering=1)
    except OSError as exc:
        raise InputError(f"cannot write progress events: {exc.strerror}", source=dest) from None
