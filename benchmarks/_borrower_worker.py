"""In-process half of ``benchmarks.borrower``: one zkpor version's ``verify_inclusion``, timed
call by call on the driver's request.

Run by the driver as a script under the interpreter of the version measured
(``PY -I benchmarks/_borrower_worker.py MANIFEST PROOF...``), so that it imports nothing but
the standard library and that interpreter's installed zkpor (never this checkout's). It loads
the manifest's roots and margin terms and every proof once, as ``zkpor verify user`` does
(``zkpor/cli/verify_cmds.py``), verifies each proof twice (the first call of a process
derives the vector generators), prints one JSON line (``ready``), then answers one line per
request read from stdin:

- ``verify LABEL``: seconds of one ``verify_inclusion`` of that proof (wall and CPU);
- ``load LABEL``: seconds of one parse of that proof file's bytes (JSON or ``.zkpi``);
- ``quit``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> None:
    import zkpor
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.models import InclusionProof
    from zkpor.formats.strictjson import parse_public
    from zkpor.formats.zkpi import MAGIC, decode_inclusion
    from zkpor.verify.inclusion import verify_inclusion
    from zkpor.verify.manifest import manifest_roots
    from zkpor.verify.margin import terms_of

    manifest_path, *proof_paths = argv
    manifest = parse_public(Manifest, Path(manifest_path).read_bytes(), "manifest.json")
    pub = manifest_roots(manifest)
    terms = terms_of(pub)
    raw = {p: Path(p).read_bytes() for p in proof_paths}

    def load(path: str) -> Any:
        data = raw[path]
        if data.startswith(MAGIC):
            return decode_inclusion(data)
        return parse_public(InclusionProof, data, path)

    proofs = {p: load(p) for p in proof_paths}

    def verify(path: str) -> list[Any]:
        return verify_inclusion(
            proofs[path],
            pub.assets,
            round_id=pub.round_id,
            arity=pub.arity,
            terms=terms,
            exchange=manifest.exchange,
        )

    kinds = {}
    for p in proof_paths:
        verify(p)  # the first call of the process pays the generators
        kinds[Path(p).name] = [f"{r.asset}:{r.kind}" for r in verify(p)]
    ready = {
        "ready": True,
        "zkpor_file": zkpor.__file__,
        "prefix": sys.prefix,
        "python": sys.version.split()[0],
        "verified": kinds,
    }
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        op, _, label = line.strip().partition(" ")
        if op == "quit":
            return
        fn = {"verify": verify, "load": load}[op]
        w0, c0 = time.perf_counter(), time.process_time()
        fn(label)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        print(json.dumps({"wall_s": wall, "cpu_s": cpu}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
