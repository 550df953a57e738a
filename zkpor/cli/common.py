"""What the command modules share: the console, progress bars, reading files, error text.

Manual: docs/cli.md.
"""

from __future__ import annotations

from pathlib import Path

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from zkpor.cli.console import ZkporConsole
from zkpor.errors import InputError

__all__ = [
    "Bars",
    "console",
    "data_console",
    "first_error",
    "read_bytes_file",
    "read_text_file",
    "shown_line",
]

console = ZkporConsole()
# For lines that hold data (identifiers, amounts): never markup, emoji codes or highlighting.
data_console = ZkporConsole(markup=False, emoji=False, highlight=False)


def shown_line(text: str) -> str:
    """A line of output with every non-printable character escaped (data is data: an
    identifier can never move the cursor, clear the screen or reorder the text)."""
    import unicodedata

    from zkpor.formats.identifiers import FORBIDDEN_CATEGORIES

    if all(
        ch.isprintable() and unicodedata.category(ch) not in FORBIDDEN_CATEGORIES for ch in text
    ):
        return text
    from zkpor.formats.identifiers import shown

    return shown(text, limit=len(text))


def read_bytes_file(path: Path, what: str, max_bytes: int | None = None) -> bytes:
    """The bytes of a file the user named (at most ``max_bytes``); InputError naming it when
    it cannot be read or is larger."""
    if not path.is_file():
        raise InputError(f"{what} not found", source=str(path))
    try:
        with path.open("rb") as fh:
            data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", source=str(path)) from None
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(f"{what} larger than {max_bytes:,} bytes", source=str(path))
    return data


class Bars:
    """A rich progress display fed by the library's (stage, done, total) callbacks."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=ZkporConsole(stderr=True),
            disable=not enabled,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Bars:
        self.started = False
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.started:
            self.progress.start()
            self.started = True
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def read_text_file(path: Path, what: str) -> str:
    if not path.is_file():
        raise InputError(f"{what} not found", source=str(path))
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what}: {exc}", source=str(path)) from None


def first_error(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        return f"{loc}: {err['msg']}"
    return str(exc)
