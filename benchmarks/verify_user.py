"""Customer verification benchmark: ``zkpor verify user`` end to end, 5 assets x 50 addresses.

    python -m benchmarks.verify_user [--customers 300] [--addresses 50] [--quick] [--out FILE]

Builds a real round in a temporary directory: BTC (chain ``bitcoin``, cycling P2WPKH, P2PKH
and P2SH-P2WPKH) and ETH, USDT, USDC, DAI (``ethereum``), each with ``--addresses`` reserve
addresses signed with real keys, and ``--customers`` customers holding all five assets, proven
by :func:`zkpor.prover.publish.prove_round` on a process pool of two with the ``zkpor prove``
defaults (arity 16, leaf counts padded to 256). One customer's inclusion proof is exported as
JSON and as binary (``.zkpi``).

Then, per configuration, each in fresh processes:

- ``fast``: ZKPOR_BACKEND=fast (libsecp256k1 through coincurve);
- ``reference``: ZKPOR_BACKEND=reference (pure-Python group arithmetic; the ownership
  signatures are still recovered by coincurve, which imports);
- ``no-coincurve``: coincurve made unimportable by a ``sitecustomize`` on PYTHONPATH: the
  reference backend and the pure-Python key recovery (the lightweight verifier anywhere).

``cli``: wall time of ``python -m zkpor verify user P --manifest M --digest D`` as a
subprocess (interpreter start-up included; exit status 0 required), one warm-up run, then the
median and minimum of ``--repeat`` runs (wall time, and the child's CPU time, steadier on a
shared machine), for the JSON and the binary proof. ``split``: the same
work in one process, stage by stage in the order the command does it (import of the CLI,
import of the verifier, reading the files, generators, manifest checks without signatures,
reserve signatures, inclusion), first call and median of later calls; ``one_time``: what
the first batch verification of a process pays to derive the vector generators
(hash_to_curve, then ``with_powers``) against what the powers save in one msm. ``profile``:
the command run once under cProfile: cumulative time of the stages and the functions with the
most own time. The machine is shared: each configuration records the load averages around it.

Prints JSON; ``targets`` holds the issue's limits (fast <= 1 s, reference <= 10 s) and
whether the CLI median met them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks._harness import emit, machine_info

EXCHANGE, ROUND = "Bench Exchange", "2026-12-01"
# symbol, chain, decimals, median customer balance in base units
ASSETS = (
    ("BTC", "bitcoin", 8, 2_000_000),
    ("ETH", "ethereum", 9, 800_000_000),
    ("USDT", "ethereum", 6, 400_000_000),
    ("USDC", "ethereum", 6, 300_000_000),
    ("DAI", "ethereum", 9, 200_000_000_000),
)
USER = "customer-000007"
CONFIGS: dict[str, dict[str, str]] = {
    "fast": {"ZKPOR_BACKEND": "fast"},
    "reference": {"ZKPOR_BACKEND": "reference"},
    "no-coincurve": {"BENCH_BLOCK_COINCURVE": "1"},
}
TARGETS = {"fast_s": 1.0, "reference_s": 10.0}
_BACKENDS = ("group/fast.py", "group/reference.py")
# stage: (file suffix, function) whose cumulative time the profile reports (summed over files)
PROFILE_STAGES: dict[str, tuple[str | tuple[str, ...], str]] = {
    "verify_user (command)": ("cli/verify_cmds.py", "verify_user"),
    "verify_manifest": ("verify/manifest.py", "verify_manifest"),
    "  verify_solvency": ("zkpor/protocol/solvency.py", "verify_solvency"),
    "  reserve signatures": ("verify/manifest.py", "_check_reserve_signatures"),
    "verify_inclusion": ("verify/inclusion.py", "verify_inclusion"),
    "  rangeproof verify_batch": ("rangeproof/verifier.py", "verify_batch"),
    "GeneratorSet.vectors (derive G_i, H_i)": ("zkpor/crypto/generators.py", "vectors"),
    "  hash_to_curve": ("group/hash_to_curve.py", "hash_to_curve"),
    "  with_powers": (_BACKENDS, "with_powers"),
    "fixed-base tables (precomputed)": (_BACKENDS, "precomputed"),
    "msm (Point.msm)": ("group/point.py", "msm"),
}
_BLOCKER = 'import sys\nsys.modules["coincurve"] = None  # import coincurve -> ImportError\n'


def _fmt(units: int, decimals: int) -> str:
    from zkpor.formats.amounts import format_units

    return format_units(units, decimals)


def make_round(tmp: Path, customers: int, per_asset: int) -> dict[str, Any]:
    """Inputs, the proven bundle and one customer's proof (JSON and binary) under ``tmp``."""
    from zkpor.prover.liabilities.export import export_user
    from zkpor.prover.liabilities.keys import read_master_secret, write_master_secret
    from zkpor.prover.liabilities.prover import ProveOptions
    from zkpor.prover.publish import prove_round
    from zkpor.reserves.holdings import known_token
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.signing import (
        bitcoin_address,
        ethereum_address,
        sign_bitcoin,
        sign_ethereum,
    )

    rng = random.Random(2026)
    totals = {sym: 0 for sym, *_ in ASSETS}
    with (tmp / "balances.csv").open("w") as fh:
        fh.write("user_id,asset,amount\n")
        for i in range(customers):
            for sym, _, decimals, median in ASSETS:
                units = int(median * rng.lognormvariate(0, 1.2)) + 1
                totals[sym] += units
                fh.write(f"customer-{i:06d},{sym},{_fmt(units, decimals)}\n")
    (tmp / "assets.json").write_text(
        json.dumps({"assets": [{"symbol": s, "decimals": d} for s, _, d, _ in ASSETS]})
    )
    reserve_assets = []
    for sym, chain, decimals, _ in ASSETS:
        share = totals[sym] * 11 // 10 // per_asset + 1  # reserves ~110% of liabilities
        rows = []
        for i in range(per_asset):
            key = hashlib.sha256(f"bench-verify-user/{sym}/{i}".encode()).digest()
            if chain == "bitcoin":
                kind = ("p2wpkh", "p2pkh", "p2sh-p2wpkh")[i % 3]
                addr = bitcoin_address(key, kind)
                sig = sign_bitcoin(key, ownership_message(EXCHANGE, ROUND, addr), kind)
            else:
                addr = ethereum_address(key)
                sig = sign_ethereum(key, ownership_message(EXCHANGE, ROUND, addr))
            rows.append({"address": addr, "balance": _fmt(share + i, decimals), "signature": sig})
        entry: dict[str, Any] = {
            "asset": sym,
            "chain": chain,
            "block_height": 870_000 if chain == "bitcoin" else 21_000_000,
            "addresses": rows,
        }
        # a known token symbol must name its known contract (docs/spec.md 10.5)
        known = known_token(sym, 1) if chain == "ethereum" else None
        if known is not None:
            entry.update(token_contract=known.contract, chain_id=1)
        reserve_assets.append(entry)
    (tmp / "reserves.json").write_text(
        json.dumps(
            {
                "format": "zkpor-reserves-v1",
                "exchange": EXCHANGE,
                "round_id": ROUND,
                "assets": reserve_assets,
            }
        )
    )
    write_master_secret(tmp / "exchange.secret")
    bundle = tmp / "bundle"
    t0 = time.perf_counter()
    with ProcessPoolExecutor(2) as ex:
        _, digest = prove_round(
            tmp / "balances.csv",
            tmp / "assets.json",
            read_master_secret(tmp / "exchange.secret"),
            ProveOptions(round_id=ROUND),
            bundle,
            ex,
            reserves=tmp / "reserves.json",
            exchange=EXCHANGE,
        )
    prove_s = time.perf_counter() - t0
    assert digest is not None
    export_user(bundle, USER, tmp / "proof.json", "json")
    export_user(bundle, USER, tmp / "proof.zkpi", "binary")
    manifest = json.loads((bundle / "manifest.json").read_text())
    return {
        "manifest": str(bundle / "manifest.json"),
        "digest": digest,
        "proofs": {"json": str(tmp / "proof.json"), "binary": str(tmp / "proof.zkpi")},
        "info": {
            "prove_s": round(prove_s, 1),
            "arity": manifest["parameters"]["arity"],
            "leaf_count": {s: a["leaf_count"] for s, a in manifest["assets"].items()},
            "depth": {s: a["depth"] for s, a in manifest["assets"].items()},
            "bytes": {
                "manifest_json": (bundle / "manifest.json").stat().st_size,
                "proof_json": (tmp / "proof.json").stat().st_size,
                "proof_binary": (tmp / "proof.zkpi").stat().st_size,
            },
        },
    }


def _env(name: str, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZKPOR_", "BENCH_"))}
    env.update(CONFIGS[name])
    env.pop("PYTHONPATH", None)
    if name == "no-coincurve":
        blocker = tmp / "block-coincurve"
        blocker.mkdir(exist_ok=True)
        (blocker / "sitecustomize.py").write_text(_BLOCKER)
        env["PYTHONPATH"] = str(blocker)
    return env


def _load() -> list[float]:
    """1, 5 and 15 minute load averages (the machine is shared: read timings with them)."""
    return [round(x, 2) for x in os.getloadavg()]


def _run(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds user + system) of one run; exit status 0 required. On a
    shared machine the CPU time is the steadier figure (wall = CPU on an idle core)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, cwd=cwd)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def time_cli(name: str, rnd: dict[str, Any], tmp: Path, repeat: int) -> dict[str, Any]:
    """Wall seconds of the command as a customer runs it, per proof format."""
    env = _env(name, tmp)
    out: dict[str, Any] = {}
    startup = [_run([sys.executable, "-c", "pass"], env, tmp)[0] for _ in range(repeat)]
    out["python_startup_median_s"] = round(statistics.median(startup), 4)
    probe = (
        "import zkpor.crypto.group as g\ntry:\n    import coincurve  # noqa\n    ok = 1\n"
        "except ImportError:\n    ok = 0\nprint(g.active_backend().name, ok)"
    )
    r = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp, check=True
    )
    backend, importable = r.stdout.split()
    out["backend"], out["coincurve_importable"] = backend, importable == "1"
    for fmt, proof in rnd["proofs"].items():
        cmd = [sys.executable, "-m", "zkpor", "verify", "user", proof]
        cmd += ["--manifest", rnd["manifest"], "--digest", rnd["digest"]]
        first = _run(cmd, env, tmp)[0]
        runs = [_run(cmd, env, tmp) for _ in range(repeat)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        out[fmt] = {
            "warmup_s": round(first, 4),
            "median_s": round(statistics.median(walls), 4),
            "min_s": round(min(walls), 4),
            "runs_s": [round(x, 4) for x in walls],
            "cpu_median_s": round(statistics.median(cpus), 4),
            "cpu_min_s": round(min(cpus), 4),
        }
    return out


def profile_cli(name: str, rnd: dict[str, Any], tmp: Path, top: int = 12) -> dict[str, Any]:
    """The command (JSON proof) once under cProfile: own time and calls of the top functions,
    and the cumulative time of the stages."""
    prof = tmp / f"{name}.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "zkpor", "verify", "user"]
    cmd += [rnd["proofs"]["json"], "--manifest", rnd["manifest"], "--digest", rnd["digest"]]
    wall = _run(cmd, _env(name, tmp), tmp)[0]
    st = pstats.Stats(str(prof))
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = st.stats  # type: ignore[attr-defined]

    def label(key: tuple[str, int, str]) -> str:
        file, line, func = key
        parts = Path(file).parts
        if "zkpor" in parts:
            file = "/".join(parts[parts.index("zkpor") :])
        elif file.startswith("~"):
            return func
        else:
            file = Path(file).name
        return f"{file}:{line}({func})"

    rows = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    cumulative: dict[str, dict[str, float]] = {}
    for stage, (suffix, func) in PROFILE_STAGES.items():
        hits = [
            (nc, ct)
            for k, (_, nc, _, ct, _) in raw.items()
            if k[2] == func and k[0].endswith(suffix)
        ]
        if hits:
            cumulative[stage] = {
                "calls": sum(nc for nc, _ in hits),
                "cumulative_s": round(sum(ct for _, ct in hits), 4),
            }
    return {
        "wall_s_under_profiler": round(wall, 3),
        "cumulative": cumulative,
        "top_own_time": [
            {"function": label(k), "calls": nc, "own_s": round(tt, 4), "cumulative_s": round(ct, 4)}
            for k, (_, nc, tt, ct, _) in rows
        ],
    }


def worker(args: argparse.Namespace) -> dict[str, Any]:
    """The command's work in this process, stage by stage (see module doc)."""
    if os.environ.get("BENCH_BLOCK_COINCURVE"):
        sys.modules["coincurve"] = None  # type: ignore[assignment]
    first: dict[str, float] = {}

    def stage(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        value = fn()
        first[name] = round(time.perf_counter() - t0, 4)
        return value

    stage("import_cli", lambda: __import__("zkpor.cli"))

    def import_verifier() -> None:
        import zkpor.formats.strictjson
        import zkpor.formats.zkpi
        import zkpor.reserves.verify
        import zkpor.verify.inclusion
        import zkpor.verify.manifest  # noqa: F401

    stage("import_verifier", import_verifier)
    from zkpor.crypto.generators import generators
    from zkpor.crypto.group import active_backend
    from zkpor.formats.manifest import Manifest
    from zkpor.formats.models import InclusionProof
    from zkpor.formats.strictjson import parse_public
    from zkpor.formats.zkpi import decode_inclusion
    from zkpor.reserves import verify_asset_reserves
    from zkpor.verify.inclusion import verify_inclusion
    from zkpor.verify.manifest import manifest_roots, verify_manifest

    m_bytes = Path(args.manifest).read_bytes()
    p_json = Path(args.proof_json).read_bytes()
    p_bin = Path(args.proof_binary).read_bytes()

    def load() -> tuple[Manifest, InclusionProof]:
        return (
            parse_public(Manifest, m_bytes, "manifest.json"),
            parse_public(InclusionProof, p_json, "proof.json"),
        )

    manifest, proof = stage("load_json", load)
    stage("decode_binary_proof", lambda: decode_inclusion(p_bin))
    stage("generators", generators)

    def manifest_nosig() -> None:
        verify_manifest(manifest, check_signatures=False, expected_digest=args.digest)

    def signatures() -> None:
        for sym, entry in manifest.assets.items():
            verify_asset_reserves(
                sym,
                entry.reserves.chain,
                entry.reserves.addresses,
                exchange=manifest.exchange,
                round_id=manifest.round_id,
                decimals=entry.decimals,
            )

    roots = manifest_roots(manifest)

    def inclusion() -> None:
        verify_inclusion(proof, roots.assets, round_id=roots.round_id, arity=roots.arity)

    work = {
        "manifest_checks_no_signatures": manifest_nosig,
        "reserve_signatures": signatures,
        "inclusion": inclusion,
    }
    for name, fn in work.items():
        stage(name, fn)
    later: dict[str, float] = {}
    for name, fn in work.items():
        samples = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        later[name] = round(statistics.median(samples), 4)
    return {
        "backend": active_backend().name,
        "one_time": one_time_costs(roots.arity * 64),
        "coincurve_imported": sys.modules.get("coincurve") is not None,
        "first_s": first,
        "later_median_s": later,
        "addresses": sum(len(e.reserves.addresses) for e in manifest.assets.values()),
        "proof_assets": len(proof.assets),
    }


def one_time_costs(count: int) -> dict[str, Any]:
    """What the first batch verification of a process pays before its msm: deriving
    ``count`` G_i and ``count`` H_i (hash_to_curve) and their byte-powers (with_powers), and
    what the powers save in one msm over those ``2 * count`` points."""
    from zkpor.crypto.generators import (
        G_VECTOR_PREFIX,
        GENERATOR_DST,
        H_VECTOR_PREFIX,
        GeneratorSet,
    )
    from zkpor.crypto.group import N, active_backend, hash_to_curve

    pt = active_backend().Point
    t0 = time.perf_counter()
    GeneratorSet(pt).vectors(count)
    vectors_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pts = [
        hash_to_curve(prefix + i.to_bytes(4, "big"), GENERATOR_DST, pt)
        for i in range(count)
        for prefix in (G_VECTOR_PREFIX, H_VECTOR_PREFIX)
    ]
    h2c_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    powered = [p.with_powers() for p in pts]
    powers_s = time.perf_counter() - t0
    rng = random.Random(1)
    scalars = [rng.randrange(N) for _ in pts]
    t0 = time.perf_counter()
    pt.msm(scalars, pts)
    plain_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pt.msm(scalars, powered)
    msm_powers_s = time.perf_counter() - t0
    return {
        "points": 2 * count,
        "GeneratorSet.vectors_s": round(vectors_s, 4),
        "hash_to_curve_s": round(h2c_s, 4),
        "with_powers_s": round(powers_s, 4),
        "msm_plain_s": round(plain_s, 4),
        "msm_with_powers_s": round(msm_powers_s, 4),
    }


def split(name: str, rnd: dict[str, Any], tmp: Path, repeat: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.verify_user", "--worker"]
    cmd += ["--manifest", rnd["manifest"], "--digest", rnd["digest"], "--repeat", str(repeat)]
    cmd += ["--proof-json", rnd["proofs"]["json"], "--proof-binary", rnd["proofs"]["binary"]]
    env = _env(name, tmp)
    root = str(Path(__file__).resolve().parent.parent)  # benchmarks/ importable
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), root]))
    r = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, cwd=tmp)
    if r.returncode != 0:
        raise SystemExit(f"split {name} failed:\n{r.stderr}")
    data: dict[str, Any] = json.loads(r.stdout)
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=300, help="customers (all hold 5 assets)")
    ap.add_argument("--addresses", type=int, default=50, help="signed addresses per asset")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per measurement")
    ap.add_argument("--config", choices=list(CONFIGS), action="append")
    ap.add_argument("--quick", action="store_true", help="40 customers, 5 addresses, 3 runs")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile runs")
    ap.add_argument("--out", help="also write the JSON report to this file")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("--manifest", "--digest", "--proof-json", "--proof-binary"):
        ap.add_argument(hidden, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return
    if args.quick:
        args.customers, args.addresses, args.repeat = 40, 5, 3
    report: dict[str, Any] = {
        "benchmark": "verify_user",
        "machine": machine_info(),
        "parameters": {
            "customers": args.customers,
            "assets": [{"asset": s, "chain": c, "decimals": d} for s, c, d, _ in ASSETS],
            "addresses_per_asset": args.addresses,
            "repeat": args.repeat,
            "command": "python -m zkpor verify user PROOF --manifest manifest.json --digest D",
        },
        "configs": {},
    }
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rnd = make_round(tmp, args.customers, args.addresses)
        report["round"] = rnd["info"]
        print(f"round proven in {rnd['info']['prove_s']} s", file=sys.stderr)
        for name in args.config or list(CONFIGS):
            entry: dict[str, Any] = {"env": CONFIGS[name], "load_average_before": _load()}
            entry["cli"] = time_cli(name, rnd, tmp, args.repeat)
            entry["split"] = split(name, rnd, tmp, args.repeat)
            if not args.no_profile:
                entry["profile"] = profile_cli(name, rnd, tmp)
            entry["load_average_after"] = _load()
            report["configs"][name] = entry
            js, bi = entry["cli"]["json"], entry["cli"]["binary"]
            print(
                f"{name:13} verify user: json median {js['median_s']:.3f} s wall "
                f"(min {js['min_s']:.3f}, CPU {js['cpu_median_s']:.3f}), binary median "
                f"{bi['median_s']:.3f} s (CPU {bi['cpu_median_s']:.3f})",
                file=sys.stderr,
            )
    configs = report["configs"]

    def met(config: str, limit: float) -> dict[str, Any] | None:
        if config not in configs:
            return None
        worst = max(configs[config]["cli"][f]["median_s"] for f in ("json", "binary"))
        cpu = max(configs[config]["cli"][f]["cpu_median_s"] for f in ("json", "binary"))
        return {"median_s": worst, "cpu_median_s": cpu, "limit_s": limit, "met": worst <= limit}

    report["targets"] = {
        **TARGETS,
        "fast": met("fast", TARGETS["fast_s"]),
        "reference": met("reference", TARGETS["reference_s"]),
        "no-coincurve": met("no-coincurve", TARGETS["reference_s"]),
    }
    report["targets"]["met"] = all(
        v["met"] for k, v in report["targets"].items() if isinstance(v, dict)
    )
    emit(report, args.out)


if __name__ == "__main__":
    main()
