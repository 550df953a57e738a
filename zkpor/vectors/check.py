"""Checking this implementation against the vector files: one checker per file.

For each test the checker runs zkpor's own code on the test's inputs, on a chosen backend:

- a ``valid`` test must be accepted, and every output the checker recomputes (hash-to-curve
  points, commitments, challenges, node hashes, seeded proofs...) must equal the recorded
  one;
- an ``invalid`` test must be rejected: zkpor raises one of its errors (``EncodingError``,
  ``VerificationError``, ``ParameterError``...) or, for a file that does not follow its
  format, pydantic's ``ValidationError`` (a ``ValueError``).

Any other exception (a missing field, a wrong type) is reported as a failure of that test.
A file that cannot be read or does not have the vector-file layout raises ``InputError``.

``reprove_limit`` bounds the seeded proofs the checker re-makes: a proof over ``n * m``
bits is re-made (and compared byte for byte) only when ``n * m <= reprove_limit`` (None: all).
Verification always covers every proof. The test suite uses a limit on the slow reference
backend.

See docs/vectors.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from zkpor.crypto.group import Backend, active_backend
from zkpor.errors import InputError
from zkpor.vectors.checkbase import (
    REJECTIONS,
    CheckContext,
    Checker,
    Json,
    MalformedTest,
    using_backend,
)
from zkpor.vectors.checkers import CHECKERS
from zkpor.vectors.common import FILE_NAMES
from zkpor.vectors.outputs import (
    generator_digest_preimage,
    generator_outputs,
    hash_to_curve_outputs,
    replay_transcript,
    trace_proof,
    tree_outputs,
)

__all__ = [
    "CheckContext",
    "FileReport",
    "check_data",
    "check_dir",
    "generator_digest_preimage",
    "generator_outputs",
    "hash_to_curve_outputs",
    "replay_transcript",
    "trace_proof",
    "tree_outputs",
    "using_backend",
]


@dataclass
class Failure:
    tc_id: int
    comment: str
    reason: str


@dataclass
class FileReport:
    """The outcome of checking one file."""

    name: str
    algorithm: str
    tests: int = 0
    valid: int = 0
    invalid: int = 0
    passed: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and self.passed == self.tests

    def to_json(self) -> Json:
        return {
            "file": f"{self.name}.json",
            "algorithm": self.algorithm,
            "tests": self.tests,
            "valid": self.valid,
            "invalid": self.invalid,
            "passed": self.passed,
            "failed": [
                {"tcId": f.tc_id, "comment": f.comment, "reason": f.reason} for f in self.failures
            ],
        }


# --- the harness -------------------------------------------------------------------------


def _short(value: object) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:38] + "..." + text[-38:]


def _run_test(
    checker: Checker, group: Json, test: Json, ctx: CheckContext, report: FileReport
) -> None:
    tc_id = test.get("tcId")
    comment = str(test.get("comment", ""))
    result = test.get("result")
    if not isinstance(tc_id, int) or result not in ("valid", "invalid"):
        raise InputError(f"{report.name}.json: a test without tcId or valid/invalid result")
    report.tests += 1
    if result == "valid":
        report.valid += 1
    else:
        report.invalid += 1

    def fail(reason: str) -> None:
        report.failures.append(Failure(tc_id, comment, reason))

    try:
        outputs = checker(group, test, ctx)
    except REJECTIONS as exc:
        if result == "invalid":
            report.passed += 1
        else:
            fail(f"valid vector rejected: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return
    except (MalformedTest, KeyError, TypeError, IndexError, AttributeError) as exc:
        fail(f"malformed test: {type(exc).__name__}: {exc}")
        return
    if result == "invalid":
        fail("invalid vector accepted")
        return
    for key, value in outputs.items():
        if test.get(key) != value:
            fail(f"{key}: recorded {_short(test.get(key))}, computed {_short(value)}")
            return
    report.passed += 1


def check_data(
    name: str, data: object, ctx: CheckContext, *, only: set[int] | None = None
) -> FileReport:
    """Check the parsed vector file ``name`` (tests whose tcId is in ``only``, or all)."""
    if name not in CHECKERS:
        raise InputError(f"unknown vector file {name!r}")
    where = f"{name}.json"
    if not isinstance(data, dict) or data.get("schema") != f"{name}.schema.json":
        raise InputError(f"{where}: not a zkpor vector file of this name")
    groups = data.get("testGroups")
    if not isinstance(groups, list):
        raise InputError(f"{where}: testGroups is not an array")
    report = FileReport(name, str(data.get("algorithm", "")))
    count = 0
    with using_backend(ctx.backend):
        for group in groups:
            if not isinstance(group, dict) or group.get("type") not in CHECKERS[name]:
                raise InputError(f"{where}: unknown test group type")
            checker = CHECKERS[name][str(group["type"])]
            tests = group.get("tests")
            if not isinstance(tests, list):
                raise InputError(f"{where}: a group's tests is not an array")
            for test in tests:
                if not isinstance(test, dict):
                    raise InputError(f"{where}: a test is not an object")
                count += 1
                if only is None or test.get("tcId") in only:
                    _run_test(checker, group, test, ctx, report)
    if data.get("numberOfTests") != count:
        report.failures.append(Failure(0, "", f"numberOfTests is not {count}"))
    return report


def check_dir(
    directory: Path,
    backend: Backend | None = None,
    *,
    names: list[str] | None = None,
    reprove_limit: int | None = None,
) -> list[FileReport]:
    """Check every vector file of ``directory`` (or those in ``names``) on ``backend`` (the
    active one by default). Raises InputError for a missing or unreadable file."""
    if not directory.is_dir():
        raise InputError("not a directory", source=str(directory))
    ctx = CheckContext(backend or active_backend(), reprove_limit)
    reports = []
    for name in names or list(FILE_NAMES):
        path = directory / f"{name}.json"
        if not path.is_file():
            raise InputError("vector file not found", source=str(path))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read vector file: {exc}", source=str(path)) from None
        reports.append(check_data(name, data, ctx))
    return reports
