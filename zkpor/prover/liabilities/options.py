"""A proving run's options, its summary, and its test hooks.

Spec: docs/spec/liabilities-tree.md (7.1 keys and the run nonce, 7.2 padding, 7.3 arity),
docs/spec/bundle-and-audit.md (9.4 the private store, resuming, the self-check). The names
are re-exported by :mod:`.prover`, which is where callers import them from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from zkpor.prover.liabilities.chunks import base_height
from zkpor.prover.liabilities.reduce import DRIVER_NODES
from zkpor.prover.liabilities.spotcheck import DEFAULT_SAMPLE

__all__ = [
    "DEFAULT_ARITY",
    "DEFAULT_DEBT_PAD_GRANULARITY",
    "DEFAULT_PAD_GRANULARITY",
    "Progress",
    "ProveOptions",
    "ProveSummary",
    "ProverHooks",
    "StopRequested",
]

DEFAULT_ARITY: Final[int] = 16  # measured: docs/benchmarks.md, "Choosing the arity"
DEFAULT_PAD_GRANULARITY: Final[int] = 256
#: Debt trees pad to a multiple of 16 by default: each padding leaf costs a dummy collateral
#: proof (docs/operators.md 1.4 weighs what padding hides against what it costs).
DEFAULT_DEBT_PAD_GRANULARITY: Final[int] = 16

# (stage, done, total): called as a stage advances
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ProveOptions:
    """Parameters of a proving run."""

    round_id: str
    arity: int = DEFAULT_ARITY
    pad_granularity: int = DEFAULT_PAD_GRANULARITY
    chunk_height: int | None = None  # default: the largest h with arity^h <= CHUNK_LEAVES
    debt_pad_granularity: int | None = None  # default: DEFAULT_DEBT_PAD_GRANULARITY
    # the reduce runs on the executor while a level is wider than this (:mod:`.reduce`);
    # the tree does not depend on it
    driver_nodes: int = DRIVER_NODES
    # leaf commitments and nodes' range proofs per tree, and collateral proofs, that the
    # driver verifies itself before publishing (:mod:`.spotcheck`); at least an item
    # count checks them all, 0 none (only the driver's hash and sum checks)
    self_check_sample: int = DEFAULT_SAMPLE

    def debt_granularity(self) -> int:
        if self.debt_pad_granularity is None:
            return DEFAULT_DEBT_PAD_GRANULARITY
        return self.debt_pad_granularity

    def height(self) -> int:
        return self.chunk_height if self.chunk_height is not None else base_height(self.arity)


@dataclass
class ProveSummary:
    """What a run did (for the CLI summary and the tests)."""

    bundle: Path
    assets: dict[str, dict[str, object]] = field(default_factory=dict)
    debts: dict[str, dict[str, object]] = field(default_factory=dict)  # asset -> debt root
    margin_accounts: int = 0  # collateral proofs (dummy accounts included)
    collateral_reused: int = 0  # of those, finished by an unfinished run and reused
    rows: int = 0
    chunks_built: int = 0
    chunks_reused: int = 0
    chunks_rebuilt: int = 0  # finished chunks whose stored rows failed their tag
    audit_rebuilt: bool = False  # the unfinished run's audit file was unreadable


@dataclass(frozen=True)
class ProverHooks:
    """Test hooks of a proving run; a real run passes none (every field None).

    - ``stop_after_chunks``: once the run has built that many chunks it cancels the rest and
      raises :class:`StopRequested`, as if the process had been killed (``BUNDLE.partial``
      stays, for a resume).
    - ``stop_after_collateral``: the same, once that many collateral proofs are committed.
    - ``before_self_check``: called with ``BUNDLE.partial`` once its trees and roots.json
      are written, before the self-check (tests corrupt the finished trees there).
    - ``run_nonce``: the run nonce of a fresh run, so tests can compare two runs' trees (a
      real run draws a new one); a resumed run keeps the nonce it stored.
    """

    stop_after_chunks: int | None = None
    stop_after_collateral: int | None = None
    before_self_check: Callable[[Path], None] | None = None
    run_nonce: bytes | None = None


class StopRequested(Exception):
    """A run stopped by :attr:`ProverHooks.stop_after_chunks`. A test hook, not an error:
    not a :class:`zkpor.errors.ZkporError`, so nothing reports it as bad input."""
