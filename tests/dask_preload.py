"""Test-only Dask worker preload (``dask worker --preload tests/dask_preload.py``): a faulty
worker, for the fault tests of issue 15. Nothing in zkpor loads it; only the tests' clusters
(tests/dask_helpers.py) start workers with it.

Tasks are sent by reference (module and name), so replacing ``build_chunk`` in this worker's
``zkpor.prover.liabilities.build`` makes every chunk task this worker runs go through ``_faulty``.
The round id selects the fault, so one cluster serves every case; any other round is built
as it should be:

- ``wrong-amount``, ``wrong-blinding``, ``wrong-salt``, ``wrong-proof``, ``wrong-root``: chunk 1
  of BTC comes back wrong (built over a leaf amount one unit higher, i.e. a chunk that is
  consistent in itself; or one leaf's blinding, one leaf's salt, one range-proof byte, or the
  chunk root's value altered);
- ``hold-K``: every chunk but BTC's first K waits (up to 300 s) before it is built, so a test
  can stop the cluster while exactly K chunks are finished.
"""

from __future__ import annotations

import dataclasses
import time

import zkpor.prover.liabilities.build as build
from zkpor.crypto.group import N

# Dask may run a preload file more than once in one worker: keep the real function once.
_original = build.__dict__.setdefault("_real_build_chunk", build.build_chunk)


def _faulty(task: build.ChunkTask) -> build.ChunkResult:
    mode = task.round_id
    if mode.startswith("hold-"):
        if not (task.asset == "BTC" and task.chunk < int(mode[len("hold-") :])):
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                time.sleep(0.1)
        return _original(task)
    if not mode.startswith("wrong-") or (task.asset, task.chunk) != ("BTC", 1):
        return _original(task)
    if mode == "wrong-amount":
        (uid, units, tag), *rest = task.leaves
        return _original(dataclasses.replace(task, leaves=((uid, units + 1, tag), *rest)))
    res = _original(task)
    if mode == "wrong-blinding":
        (blinding, salt), *rest = res.openings
        return dataclasses.replace(res, openings=[((blinding + 1) % N, salt), *rest])
    if mode == "wrong-salt":
        (blinding, salt), *rest = res.openings
        return dataclasses.replace(res, openings=[(blinding, bytes(32)), *rest])
    if mode == "wrong-proof":
        proof = bytearray(res.proofs[1][0])
        proof[40] ^= 1
        return dataclasses.replace(res, proofs=[res.proofs[0], [bytes(proof)], *res.proofs[2:]])
    if mode == "wrong-root":
        value, blinding = res.root_opening
        return dataclasses.replace(res, root_opening=(value + 1, blinding))
    raise ValueError(f"unknown fault {mode}")


build.build_chunk = _faulty  # type: ignore[assignment]
