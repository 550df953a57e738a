"""Run one verifier path in this (fresh) interpreter, then print the modules it loaded.

``python tests/isolation_probe.py PATH [BUNDLE]`` with PATH one of ``inclusion`` (a margin
customer's proof with its collateral proof), ``zkpi`` (decoding a binary proof),
``manifest`` (every signature and solvency proof of manifest vectors), ``audit`` (a whole
bundle with margin accounts, BUNDLE). Prints JSON: the zkpor modules and the third-party
top-level packages in ``sys.modules``. Used by tests/test_demo_and_isolation.py.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor

path = sys.argv[1]
ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def vec(name):
    return json.load(open(ROOT / "vectors" / "v1" / f"{name}.json"))


if path == "inclusion":
    from zkpor.formats.models import InclusionProof, Roots
    from zkpor.verify.inclusion import verify_inclusion
    from zkpor.verify.margin import terms_of

    g = next(g for g in vec("margin")["testGroups"] if g["type"] == "MarginInclusionTest")
    t = g["tests"][0]
    r = Roots.model_validate(t["roots"])
    verify_inclusion(
        InclusionProof.model_validate(t["inclusion"]),
        r.assets,
        round_id=r.round_id,
        arity=r.arity,
        terms=terms_of(r),
    )
elif path == "zkpi":
    from zkpor.formats.zkpi import decode_inclusion

    t = next(
        t
        for g in vec("zkpi")["testGroups"]
        for t in g["tests"]
        if t["result"] == "valid" and "flags 3" in t["comment"]
    )
    decode_inclusion(bytes.fromhex(t["binary"]))
elif path == "manifest":
    from zkpor.formats.manifest import Manifest
    from zkpor.verify.manifest import verify_manifest

    for t in vec("manifest")["testGroups"][0]["tests"][:3]:
        if t["result"] == "valid":
            verify_manifest(Manifest.model_validate(t["manifest"], strict=True))
elif path == "audit":
    from pathlib import Path

    from zkpor.formats.manifest import Manifest
    from zkpor.verify.manifest import manifest_roots
    from zkpor.verify.trees import audit_bundle

    b = Path(sys.argv[2])
    m = Manifest.model_validate_json((b / "manifest.json").read_text())
    with ThreadPoolExecutor(2) as ex:
        audit_bundle(b, roots=manifest_roots(m), executor=ex)
mods = sorted(m for m in sys.modules if m.startswith("zkpor"))
third = sorted(
    {m.split(".")[0] for m in sys.modules} - set(sys.stdlib_module_names) - {"zkpor", "__main__"}
)
print(json.dumps({"zkpor": mods, "third": third}))
