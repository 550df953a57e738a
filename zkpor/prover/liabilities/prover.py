"""Proving liabilities: balances CSV -> bundle (public audit file, private store, roots).

Spec: docs/spec/liabilities-tree.md (7), docs/spec/bundle-and-audit.md (9.1-9.4),
docs/spec/margin.md (16); docs/operators.md section 3.

:func:`prove_liabilities` runs these stages (:mod:`.stages`), in this order:

- lock: one run per output (:mod:`.lock`); a second run on the same ``--out`` stops at once.
- :func:`~.stages.open_run`: a fresh run draws its run nonce; a rerun finds
  ``BUNDLE.partial`` and checks it is of the same inputs and secret (:mod:`.checkpoint`);
  an unreadable audit file is rebuilt whole.
- :func:`~.stages.load_inputs`: the CSV into the private store (:mod:`.load`): every bad
  row, and every undercollateralized margin account, named and nothing kept; padded trees
  in a secret order; debts in one debt tree per asset (``SYMBOL/debt``); every collateral
  input leaf with its margin tag. A rerun checks the loaded leaves against their
  checkpoint tags instead: changed leaves refuse the resume.
- :func:`~.stages.plan_chunks`, :func:`~.stages.prove_chunks`: aligned subtrees of height
  h ("chunks") built on the executor, each committed with its tag as it arrives, so a
  killed run resumes without redoing it; a finished chunk whose rows fail their tag or are
  missing is rebuilt (:mod:`.chunks`).
- :func:`~.stages.reduce_trees`: the levels above the chunk roots (:mod:`.reduce`); the
  roots' openings and ``assets`` rows.
- :func:`~.stages.prove_margin_accounts`: one collateral proof per margin account
  (:mod:`.margin`); then :func:`~.stages.write_audit_meta`, :func:`~.stages.write_roots`.
- :func:`~.stages.check_bundle`: the self-check (:mod:`.selfcheck`, :mod:`.spotcheck`); any
  difference from the CSV and the round keys fails the run, nothing published.
- :func:`~.stages.publish_bundle`: ``finalize`` (the manifest), then ``BUNDLE.partial`` is
  renamed to ``BUNDLE``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from zkpor.errors import InputError
from zkpor.formats.identifiers import check_text
from zkpor.protocol.sumtree import check_arity
from zkpor.prover.liabilities.chunks import CHUNK_LEAVES, MIN_CHUNKS
from zkpor.prover.liabilities.inputs import load_assets
from zkpor.prover.liabilities.load import padded_count
from zkpor.prover.liabilities.lock import output_lock
from zkpor.prover.liabilities.options import (
    DEFAULT_ARITY,
    DEFAULT_PAD_GRANULARITY,
    Progress,
    ProveOptions,
    ProverHooks,
    ProveSummary,
    StopRequested,
)
from zkpor.prover.liabilities.stages import (
    RoundInputs,
    check_bundle,
    load_inputs,
    margin_fields,
    open_run,
    plan_chunks,
    prove_chunks,
    prove_margin_accounts,
    publish_bundle,
    reduce_trees,
    summarize_roots,
    write_audit_meta,
    write_roots,
)

__all__ = [
    "CHUNK_LEAVES",
    "DEFAULT_ARITY",
    "DEFAULT_PAD_GRANULARITY",
    "MIN_CHUNKS",
    "Progress",
    "ProveOptions",
    "ProveSummary",
    "ProverHooks",
    "StopRequested",
    "margin_fields",
    "padded_count",
    "prove_liabilities",
]


def _check_text(text: str, what: str, max_bytes: int, option: str) -> None:
    try:
        check_text(text, what, max_bytes)
    except ValueError as exc:
        raise InputError(str(exc), field=option) from None


def _check_round_id(round_id: str) -> None:
    _check_text(round_id, "round id", 64, "round")


def _input_digest(balances: Path, assets_file: Path, opts: ProveOptions) -> str:
    h = hashlib.sha256()
    for path in (balances, assets_file):
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        h.update(b"\x00")
    params: list[object] = [opts.round_id, opts.arity, opts.pad_granularity, opts.height()]
    if opts.debt_pad_granularity is not None:
        params.append(opts.debt_pad_granularity)
    h.update(json.dumps(params).encode())
    return h.hexdigest()


def prove_liabilities(
    balances: Path,
    assets_file: Path,
    master_secret: bytes,
    opts: ProveOptions,
    out: Path,
    executor: Executor,
    *,
    progress: Progress | None = None,
    window: int = 32,
    finalize: Callable[[Path, ProveSummary], None] | None = None,
    hooks: ProverHooks | None = None,
    on_resume: Callable[[Path], None] | None = None,
) -> ProveSummary:
    """Run the whole pipeline (module doc) and return a summary. Raises InputError (or
    InputErrors) for bad input, with nothing written, and VerificationError when the
    self-check finds the finished bundle differs from the input (nothing published).
    ``finalize(partial_dir, summary)`` runs after the self-check and before the bundle is
    renamed into place (it writes the manifest); if it raises, the finished trees stay in
    ``BUNDLE.partial`` for a rerun. ``on_resume(partial)`` is called when an unfinished run
    of the same inputs and secret is resumed, after that check. ``hooks`` are for tests only
    (:class:`ProverHooks`)."""
    check_arity(opts.arity)
    _check_round_id(opts.round_id)
    if opts.pad_granularity < 1:
        raise InputError("padding granularity must be at least 1", field="pad-granularity")
    if opts.self_check_sample < 0:
        raise InputError("the self-check sample size must be at least 0")
    assets_cfg = load_assets(assets_file)
    terms = assets_cfg.margin_terms(str(assets_file))
    if not balances.is_file():
        raise InputError("file not found", source=str(balances))
    out.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(out):
        if out.exists():
            raise InputError("output exists; choose another --out or remove it", source=str(out))
        partial = out.with_name(out.name + ".partial")
        digest = _input_digest(balances, assets_file, opts)
        inputs = RoundInputs(balances, assets_cfg.by_symbol(), terms, digest)
        try:
            return _run(
                inputs,
                master_secret,
                opts,
                out,
                partial,
                executor,
                progress=progress,
                window=window,
                finalize=finalize,
                hooks=hooks or ProverHooks(),
                on_resume=on_resume,
            )
        except sqlite3.DatabaseError as exc:
            reason = " ".join(str(exc).split())  # SQLite may quote a multi-line schema
            raise InputError(
                f"the unfinished run's state is damaged ({reason}); remove it to start over",
                source=str(partial),
            ) from None


def _run(
    inputs: RoundInputs,
    master_secret: bytes,
    opts: ProveOptions,
    out: Path,
    partial: Path,
    executor: Executor,
    *,
    progress: Progress | None,
    window: int,
    finalize: Callable[[Path, ProveSummary], None] | None,
    hooks: ProverHooks,
    on_resume: Callable[[Path], None] | None = None,
) -> ProveSummary:
    """The stages after the lock is held (module doc)."""
    summary = ProveSummary(bundle=out)
    run = open_run(partial, inputs, master_secret, opts, hooks.run_nonce, on_resume)
    summary.audit_rebuilt = run.audit_rebuilt
    try:
        loaded = load_inputs(run, inputs, opts, progress)
        summary.rows = loaded.rows
        plans = plan_chunks(run, list(loaded.trees), opts)
        summary.chunks_rebuilt = sum(p.rejected for p in plans)
        summary.chunks_reused = sum(p.chunks - len(p.todo) for p in plans)
        summary.chunks_built = prove_chunks(
            run,
            plans,
            opts,
            executor,
            window=window,
            progress=progress,
            stop_after=hooks.stop_after_chunks,
        )
        roots = reduce_trees(
            run, plans, loaded.trees, opts, executor, window=window, progress=progress
        )
        summary.assets, summary.debts = summarize_roots(roots, inputs.decimals())
        margin = prove_margin_accounts(
            run, inputs, loaded, executor, progress, hooks.stop_after_collateral
        )
        summary.margin_accounts = margin.accounts
        summary.collateral_reused = margin.reused
        write_audit_meta(run.audit, opts)
    finally:
        run.close()
    write_roots(partial, opts, inputs, summary)
    if hooks.before_self_check is not None:
        hooks.before_self_check(partial)
    check_bundle(partial, inputs, run.keys, list(loaded.trees), opts, executor, progress)
    publish_bundle(partial, out, summary, finalize)
    return summary
