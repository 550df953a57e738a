"""A borrower's inclusion proof before and after leaf margin tags (issue 21): proof size and
``zkpor verify user`` time, two zkpor versions in one run.

    python -m benchmarks.borrower --python-before PY1 --python-after PY2
        [--users 1000] [--seed 7] [--workers 2] [--repeat 7] [--inproc-repeat 21]
        [--pad-granularity 256] [--out FILE]

``PY1`` and ``PY2`` are interpreters with one zkpor version each installed (non-editable:
every zkpor command below runs from a scratch directory with PYTHONPATH unset, and a
version whose ``zkpor`` does not import from its own interpreter's prefix is refused). One
set of inputs for both: the AFTER version's ``zkpor demo --users U --seed S --round R``
writes balances.csv (about 10% margin customers with debts), assets.json (prices and tiers),
reserves.json (signed addresses) and the master secret; then each version's own CLI proves
them (``zkpor prove``, arity 16, padding 256 per asset as ``zkpor prove`` pads by default
and 16 per debt tree as the demo does) and exports the same two customers' proofs (``zkpor
export --format json`` and ``binary``): a borrower (by default the demo's first exported
customer with a debt) and a non-borrower (its first exported customer without). The proofs' byte sizes and their shape (paths, children
per level, children carrying a margin tag) are recorded. Each run places the leaves by a
fresh secret permutation (zkpor/prover/liabilities/keys.py), so the same customer sits at other
positions in the two rounds; with every node below the root full (leaf counts multiples of
16 x 16 and of 16) a path's shape does not depend on the position, and ``growth`` checks it
(``same_path_shape``). With ``--pad-granularity 64`` (the demo's) a path through a partial
node of one round but not the other changes the size by hundreds of bytes.

Timings, for each version, customer and format:

- ``cli``: ``PY -m zkpor verify user PROOF --manifest M --digest D`` as a fresh process
  (interpreter start-up, manifest checks, signatures, inclusion; exit status 0 required):
  one warm-up run each, then ``--repeat`` rounds, each running every command of one version
  then of the other (which version goes first alternates), so that a drift of the machine's
  speed hits both; median and minimum wall time and the child's CPU time (user + system);
- ``in_process``: ``zkpor.verify.inclusion.verify_inclusion`` with the manifest's roots and
  margin terms, as ``zkpor verify user`` calls it, in one long-lived process per version
  (benchmarks/_borrower_worker.py; generators already derived), the two processes asked in
  turn, ``--inproc-repeat`` rounds; also the parse of each proof file (``load_json``,
  ``load_binary``). Wall and CPU time of the call (``time.process_time``) per sample.

Prints JSON (``--out`` also writes it): ``before``, ``after`` and ``ratio`` (after / before)
per customer, the customers' ids and proof shapes, the trees (``assets``, ``depth``), the
commits each interpreter's zkpor was installed from (``commits``) and ``machine``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from benchmarks._harness import emit, machine_info

WORKER = Path(__file__).resolve().parent / "_borrower_worker.py"
VERSIONS = ("before", "after")
FORMATS = {"json": "json", "binary": "zkpi"}
ROLES = ("borrower", "non_borrower")
TAG_BYTES = 8  # .zkpi v4: one margin tag per child at level 1
PROBE = """\
import importlib.metadata as m, json, sys, zkpor
d = m.distribution("zkpor")
def v(name):
    try:
        return m.version(name)
    except m.PackageNotFoundError:
        return None
print(json.dumps({"zkpor_file": zkpor.__file__, "prefix": sys.prefix,
    "python": sys.version.split()[0], "zkpor_version": d.version,
    "direct_url": json.loads(d.read_text("direct_url.json") or "null"),
    "coincurve": v("coincurve"), "pydantic": v("pydantic")}))
"""


def _env() -> dict[str, str]:
    """The environment of every child: no PYTHONPATH (nothing but the interpreter's own
    site-packages), no ZKPOR_ or BENCH_ settings."""
    skip = ("ZKPOR_", "BENCH_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.pop("PYTHONPATH", None)
    return env


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _run(cmd: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, child CPU seconds, stdout) of one command; exit status 0 required."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, check=False, env=_env(), cwd=cwd)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, r.stdout


def probe(python: str, cwd: Path) -> dict[str, Any]:
    """Where ``python`` imports zkpor from (run from ``cwd``, as every zkpor command here),
    and the commit its source tree had when it was installed (pip's direct_url.json)."""
    info: dict[str, Any] = json.loads(_run([python, "-c", PROBE], cwd)[2])
    info["interpreter"] = python
    url = info.pop("direct_url") or {}
    info["editable"] = bool(url.get("dir_info", {}).get("editable"))
    info["installed_from"] = src = url.get("url", "").removeprefix("file://") or None
    inside = Path(info["zkpor_file"]).resolve().is_relative_to(Path(info["prefix"]).resolve())
    info["own_install"] = inside and not info["editable"]
    info["commit"] = info["dirty"] = None
    if src and Path(src, ".git").exists():
        git = ["git", "-C", src]
        head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", "zkpor", "pyproject.toml"],
            capture_output=True,
            text=True,
        )
        if head.returncode == 0:
            info["commit"] = head.stdout.strip()
            info["dirty"] = bool(status.stdout.strip())
    return info


def zkpor(python: str, *args: str) -> list[str]:
    return [python, "-m", "zkpor", *args]


def make_inputs(python: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The AFTER version's demo round: its inputs serve both versions."""
    demo = work / "demo"
    cmd = zkpor(python, "demo", "--users", str(args.users), "--seed", str(args.seed))
    cmd += ["--round", args.round, "--out", str(demo), "--workers", str(args.workers), "--json"]
    wall, _, out = _run(cmd, work)
    summary: dict[str, Any] = json.loads(out)
    files = ("balances.csv", "assets.json", "reserves.json")
    exchange = json.loads((demo / "reserves.json").read_text())["exchange"]
    return {
        "dir": demo,
        "exchange": exchange,
        "summary": summary,
        "demo_s": round(wall, 1),
        "sha256": {f: hashlib.sha256((demo / f).read_bytes()).hexdigest() for f in files},
    }


def prove(
    python: str, work: Path, inputs: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """One version proves the shared inputs into its own bundle."""
    demo: Path = inputs["dir"]
    bundle = work / "bundle"
    cmd = zkpor(python, "prove", "--balances", str(demo / "balances.csv"))
    cmd += ["--assets", str(demo / "assets.json"), "--secret", str(demo / "exchange.secret")]
    cmd += ["--round", args.round, "--out", str(bundle), "--arity", "16"]
    cmd += ["--pad-granularity", str(args.pad_granularity)]
    cmd += ["--debt-pad-granularity", str(args.debt_pad_granularity)]
    cmd += ["--workers", str(args.workers), "--reserves", str(demo / "reserves.json")]
    cmd += ["--exchange", inputs["exchange"], "--json", "--quiet"]
    load = _load()
    wall, cpu, out = _run(cmd, work)
    summary = json.loads(out)
    return {
        "bundle": bundle,
        "manifest": bundle / "manifest.json",
        "digest": summary["manifest_digest"],
        "prove_s": round(wall, 1),
        "prove_cpu_s": round(cpu, 1),
        "load_average_before_prove": load,
        "manifest_bytes": (bundle / "manifest.json").stat().st_size,
    }


def proof_shape(path: Path) -> dict[str, Any]:
    """A JSON inclusion proof's paths: per path its tree, depth, children at level 1 and how
    many of them carry a ``margin`` tag; totals; the collateral proof's size."""
    proof = json.loads(path.read_text())
    paths = []
    for kind, entries in (("equity", proof["assets"]), ("debt", proof.get("debts") or [])):
        for e in entries:
            level1 = [s for s in e["path"] if s["level"] == 1]
            children = [c for s in level1 for c in s["children"]]
            paths.append(
                {
                    "asset": e["asset"],
                    "tree": kind,
                    "depth": len(e["path"]),
                    "level1_children": len(children),
                    "level1_tagged": sum("margin" in c for c in children),
                    "children_per_level": [len(s["children"]) for s in e["path"]],
                }
            )
    coll = proof.get("collateral")
    return {
        "format": proof["format"],
        "equity": [p["asset"] for p in paths if p["tree"] == "equity"],
        "debts": [p["asset"] for p in paths if p["tree"] == "debt"],
        "paths": paths,
        "level1_children": sum(p["level1_children"] for p in paths),
        "level1_tagged": sum(p["level1_tagged"] for p in paths),
        "collateral_proof_bytes": len(coll["proof"]) // 2 if coll else None,
        "collateral_inputs": len(coll["inputs"]) if coll else None,
    }


def export(python: str, run: dict[str, Any], user: str, out_dir: Path) -> dict[str, Any]:
    """One customer's proof, JSON and binary, by the version's ``zkpor export``."""
    files: dict[str, Path] = {}
    for fmt, ext in FORMATS.items():
        dest = out_dir / f"{user}.{ext}"
        cmd = zkpor(python, "export", str(run["bundle"]), "--user", user)
        _run([*cmd, "--out", str(dest), "--format", fmt], out_dir)
        files[fmt] = dest
    return {
        "files": files,
        "bytes": {fmt: p.stat().st_size for fmt, p in files.items()},
        "shape": proof_shape(files["json"]),
    }


def _stats(walls: list[float], cpus: list[float]) -> dict[str, Any]:
    ms = [round(1000 * x, 2) for x in walls]
    return {
        "median_ms": round(1000 * statistics.median(walls), 2),
        "min_ms": min(ms),
        "cpu_median_ms": round(1000 * statistics.median(cpus), 2),
        "runs_ms": ms,
    }


def time_cli(
    pythons: dict[str, str], runs: dict[str, Any], work: Path, repeat: int
) -> dict[str, Any]:
    """``verify user`` as a fresh process: a warm-up of every command, then ``repeat``
    rounds of every command of one version then the other (alternating which is first)."""
    cmds: dict[tuple[str, str, str], list[str]] = {}
    for v in VERSIONS:
        run = runs[v]
        for role in ROLES:
            for fmt, path in run["proofs"][role]["files"].items():
                cmd = zkpor(pythons[v], "verify", "user", str(path))
                cmds[v, role, fmt] = [
                    *cmd,
                    *("--manifest", str(run["manifest"]), "--digest", run["digest"]),
                ]
    samples: dict[tuple[str, str, str], list[tuple[float, float]]] = {k: [] for k in cmds}
    for key in cmds:
        _run(cmds[key], work)
    for i in range(repeat):
        order = VERSIONS if i % 2 == 0 else VERSIONS[::-1]
        for v in order:
            for key in (k for k in cmds if k[0] == v):
                samples[key].append(_run(cmds[key], work)[:2])
    out: dict[str, Any] = {v: {r: {} for r in ROLES} for v in VERSIONS}
    for (v, role, fmt), s in samples.items():
        out[v][role][fmt] = _stats([w for w, _ in s], [c for _, c in s])
    return out


class Worker:
    """One version's long-lived in-process verifier (benchmarks/_borrower_worker.py)."""

    def __init__(self, python: str, manifest: Path, proofs: list[Path], cwd: Path) -> None:
        cmd = [python, "-I", str(WORKER), str(manifest), *map(str, proofs)]
        self.cmd = cmd
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(), cwd=cwd
        )
        self.ready: dict[str, Any] = self._reply()

    def _reply(self) -> dict[str, Any]:
        stdout: IO[str] | None = self.proc.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            raise SystemExit(f"worker {self.cmd} ended (exit {self.proc.wait()})")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def ask(self, op: str, path: Path) -> tuple[float, float]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{op} {path}\n")
        self.proc.stdin.flush()
        r = self._reply()
        return r["wall_s"], r["cpu_s"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def time_in_process(
    pythons: dict[str, str], runs: dict[str, Any], work: Path, repeat: int
) -> dict[str, Any]:
    """verify_inclusion (and the parse of each file) in one process per version, the two
    asked in turn: per round every call of one version then of the other (alternating)."""
    workers: dict[str, Worker] = {}
    try:
        for v in VERSIONS:
            files = [f for role in ROLES for f in runs[v]["proofs"][role]["files"].values()]
            workers[v] = Worker(pythons[v], runs[v]["manifest"], files, work)
        jobs = []
        for v in VERSIONS:
            for role in ROLES:
                files = runs[v]["proofs"][role]["files"]
                jobs.append((v, role, "verify_inclusion", "verify", files["json"]))
                for fmt, path in files.items():
                    jobs.append((v, role, f"load_{fmt}", "load", path))
        samples: dict[tuple[str, str, str], list[tuple[float, float]]] = {j[:3]: [] for j in jobs}
        for i in range(repeat):
            order = VERSIONS if i % 2 == 0 else VERSIONS[::-1]
            for v in order:
                for ver, role, name, op, path in jobs:
                    if ver == v:
                        samples[ver, role, name].append(workers[v].ask(op, path))
        out: dict[str, Any] = {v: {r: {} for r in ROLES} for v in VERSIONS}
        for (v, role, name), s in samples.items():
            out[v][role][name] = _stats([w for w, _ in s], [c for _, c in s])
        for v, w in workers.items():
            out[v]["worker"] = {k: w.ready[k] for k in ("zkpor_file", "python", "verified")}
        return out
    finally:
        for w in workers.values():
            w.close()


def pick_customers(summary: dict[str, Any], args: argparse.Namespace) -> dict[str, str]:
    debtors = summary["debtors_verified"]
    others = [u for u in summary["verified_customers"] if u not in debtors]
    borrower = args.borrower or (debtors[0] if debtors else None)
    other = args.non_borrower or (others[0] if others else None)
    if borrower is None or other is None:
        raise SystemExit(f"the demo exported no borrower or no non-borrower: {summary}")
    return {"borrower": borrower, "non_borrower": other}


def _ratio(after: float | None, before: float | None) -> float | None:
    return round(after / before, 3) if after is not None and before else None


def ratios(report: dict[str, Any]) -> dict[str, Any]:
    """after / before per customer: bytes per format, CLI medians (wall, CPU), in-process
    medians (wall, CPU)."""
    out: dict[str, Any] = {}
    b, a = report["before"], report["after"]
    for role in ROLES:
        r: dict[str, Any] = {"bytes": {}, "cli": {}, "in_process": {}}
        for fmt in FORMATS:
            r["bytes"][fmt] = _ratio(a[role]["bytes"][fmt], b[role]["bytes"][fmt])
            r["cli"][fmt] = {
                k: _ratio(a[role]["cli"][fmt][k], b[role]["cli"][fmt][k])
                for k in ("median_ms", "cpu_median_ms")
            }
        for name in a[role]["in_process"]:
            r["in_process"][name] = {
                k: _ratio(a[role]["in_process"][name][k], b[role]["in_process"][name][k])
                for k in ("median_ms", "cpu_median_ms")
            }
        out[role] = r
    return out


def growth(report: dict[str, Any]) -> dict[str, Any]:
    """Bytes added per customer and format, against what the format change predicts for
    ``.zkpi`` (8 bytes per child at level 1, plus the v4 flags byte, minus v3's debt count
    byte when there is no debt); the JSON growth per child carrying a ``margin`` field."""
    out: dict[str, Any] = {}
    for role in ROLES:
        before, after = report["before"][role], report["after"][role]
        shape = after["shape"]
        header = 1 - (0 if shape["debts"] else 1)  # flags byte; v3's debt count when none
        out[role] = {
            "json_added": after["bytes"]["json"] - before["bytes"]["json"],
            "binary_added": after["bytes"]["binary"] - before["bytes"]["binary"],
            "binary_predicted": TAG_BYTES * shape["level1_children"] + header,
            "level1_children": shape["level1_children"],
            "level1_tagged": shape["level1_tagged"],
            "same_path_shape": _layout(before["shape"]) == _layout(shape),
            "json_added_per_tagged_child": round(
                (after["bytes"]["json"] - before["bytes"]["json"]) / shape["level1_tagged"], 1
            )
            if shape["level1_tagged"]
            else None,
        }
    return out


def _layout(shape: dict[str, Any]) -> list[tuple[str, str, list[int]]]:
    return [(p["asset"], p["tree"], p["children_per_level"]) for p in shape["paths"]]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--python-before", required=True, help="interpreter of the BEFORE version")
    ap.add_argument("--python-after", required=True, help="interpreter of the AFTER version")
    ap.add_argument("--users", type=int, default=1000, help="demo customers (default 1000)")
    ap.add_argument("--seed", type=int, default=7, help="demo seed (default 7)")
    ap.add_argument("--round", default="bench-2026-12-07", help="round id of both rounds")
    ap.add_argument("--workers", type=int, default=2, help="worker processes for proving")
    ap.add_argument("--repeat", type=int, default=7, help="verify user runs per measurement")
    ap.add_argument(
        "--inproc-repeat", type=int, default=21, help="in-process calls per measurement"
    )
    ap.add_argument(
        "--pad-granularity",
        type=int,
        default=256,
        help="zkpor prove's (default 256: with arity 16 every node below the root is full, "
        "so a path's shape does not depend on the leaf's secret placement)",
    )
    ap.add_argument("--debt-pad-granularity", type=int, default=16, help="(default 16)")
    ap.add_argument("--borrower", help="customer with a debt (default: the demo's first)")
    ap.add_argument("--non-borrower", help="customer without (default: the demo's first)")
    ap.add_argument("--dir", help="work directory (kept; default a temporary one)")
    ap.add_argument("--out", help="also write the JSON report to this file")
    args = ap.parse_args()
    pythons = {"before": args.python_before, "after": args.python_after}
    with tempfile.TemporaryDirectory() as tmp_name:
        work = Path(args.dir or tmp_name).resolve()
        if args.dir and work.exists() and any(work.iterdir()):
            raise SystemExit(f"--dir {work} is not empty")
        work.mkdir(parents=True, exist_ok=True)
        installs = {v: probe(p, work) for v, p in pythons.items()}
        # one environment as both versions (a smoke run); else each its own zkpor install
        same = installs["before"]["prefix"] == installs["after"]["prefix"]
        for v, info in installs.items():
            if not same and not info["own_install"]:
                raise SystemExit(
                    f"{v}: zkpor imports from {info['zkpor_file']}, not from a non-editable "
                    f"install in the prefix of {info['interpreter']}: the versions could mix"
                )
        report: dict[str, Any] = {
            "benchmark": "borrower",
            "machine": {**machine_info(), "load_average_start": _load()},
            "parameters": {
                "users": args.users,
                "seed": args.seed,
                "round": args.round,
                "workers": args.workers,
                "repeat": args.repeat,
                "inproc_repeat": args.inproc_repeat,
                "arity": 16,
                "pad_granularity": args.pad_granularity,
                "debt_pad_granularity": args.debt_pad_granularity,
                "same_environment": same,
                "command": "PY -m zkpor verify user PROOF --manifest manifest.json --digest D",
            },
            "commits": {v: installs[v]["commit"] for v in VERSIONS},
            "installs": installs,
        }
        print(f"demo of {args.users} customers (after's CLI) ...", file=sys.stderr)
        inputs = make_inputs(pythons["after"], work, args)
        users = pick_customers(inputs["summary"], args)
        report.update(borrower=users["borrower"], non_borrower=users["non_borrower"])
        report["inputs"] = {
            "made_by": "after: zkpor demo",
            "demo_s": inputs["demo_s"],
            "sha256": inputs["sha256"],
            "margin_customers": inputs["summary"]["margin_customers"],
        }
        runs: dict[str, Any] = {}
        for v in VERSIONS:
            vdir = work / v
            vdir.mkdir(exist_ok=True)
            print(f"{v}: prove ...", file=sys.stderr)
            run = prove(pythons[v], vdir, inputs, args)
            run["proofs"] = {r: export(pythons[v], run, users[r], vdir) for r in ROLES}
            runs[v] = run
        manifest = json.loads(runs["after"]["manifest"].read_text())
        report["assets"] = {
            sym: {
                k: a[k] if k in a else (a.get("debt") or {}).get(k.removeprefix("debt_"))
                for k in ("leaf_count", "depth", "debt_leaf_count", "debt_depth")
            }
            for sym, a in manifest["assets"].items()
        }
        report["depth"] = {sym: a["depth"] for sym, a in report["assets"].items()}
        print(f"verify user: {args.repeat} rounds, interleaved ...", file=sys.stderr)
        cli = time_cli(pythons, runs, work, args.repeat)
        print("in process: verify_inclusion ...", file=sys.stderr)
        inproc = time_in_process(pythons, runs, work, args.inproc_repeat)
        for v in VERSIONS:
            run = runs[v]
            report[v] = {
                "prove_s": run["prove_s"],
                "prove_cpu_s": run["prove_cpu_s"],
                "load_average_before_prove": run["load_average_before_prove"],
                "manifest_bytes": run["manifest_bytes"],
                "manifest_digest": run["digest"],
                "in_process_worker": inproc[v].pop("worker"),
            }
            for role in ROLES:
                p = run["proofs"][role]
                report[v][role] = {
                    "user": users[role],
                    "bytes": p["bytes"],
                    "shape": p["shape"],
                    "cli": cli[v][role],
                    "in_process": inproc[v][role],
                }
        report["ratio"] = ratios(report)
        report["growth"] = growth(report)
        report["machine"]["load_average_end"] = _load()
    emit(report, args.out)
    for role in ROLES:
        b, a, r = report["before"][role], report["after"][role], report["ratio"][role]
        print(
            f"{role} {a['user']}: json {b['bytes']['json']} -> {a['bytes']['json']} B, "
            f"zkpi {b['bytes']['binary']} -> {a['bytes']['binary']} B; verify user (json) "
            f"{b['cli']['json']['median_ms']:.0f} -> {a['cli']['json']['median_ms']:.0f} ms "
            f"(x{r['cli']['json']['median_ms']}); verify_inclusion "
            f"{b['in_process']['verify_inclusion']['median_ms']:.1f} -> "
            f"{a['in_process']['verify_inclusion']['median_ms']:.1f} ms",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
