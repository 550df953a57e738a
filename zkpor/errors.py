"""The exception hierarchy of zkpor.

Every error the library raises on purpose derives from :class:`ZkporError`, so a caller
can catch one type. Beneath it:

- :class:`EncodingError`: bytes that are not the canonical encoding of a point or scalar
  (wrong length, bad prefix, value out of range, not on the curve, identity where it is not
  allowed).
- :class:`VerificationError`: a proof, commitment opening or tree path did not verify. Its
  message says which check failed only when that leaks nothing secret.
  :class:`CustomerCheckFailed`, raised by a customer's check (``verify_user``), also says
  what failed: the digest, the manifest or the proof.
- :class:`InputError`: bad user input (files, rows, fields). It carries where the problem is.
- :class:`ParameterError`: a caller asked for something the protocol does not allow (an
  unsupported bit length, an aggregation size that is not a power of two, ...).
- :class:`BackendError`: a group backend was requested that cannot be loaded.
- :class:`TranscriptError`: a Fiat-Shamir challenge came out as zero (probability 2^-256);
  the proof attempt is abandoned rather than continued with a degenerate challenge.

Spec: docs/spec/errors.md (section 13).
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "ClusterLost",
    "CustomerCheckFailed",
    "EthNodeError",
    "InputErrors",
    "InsolventError",
    "EncodingError",
    "InputError",
    "ParameterError",
    "TranscriptError",
    "VerificationError",
    "ZkporError",
]


class ZkporError(Exception):
    """Base class of every error zkpor raises deliberately.

    ``failed`` says what failed in a customer's check (docs/spec/errors.md 13): "digest",
    "manifest" or "proof" (:class:`CustomerCheckFailed`), or "input" (an :class:`InputError`
    of ``zkpor verify user``: a file or the digest could not be read); None elsewhere.
    """

    failed: str | None = None


class EncodingError(ZkporError, ValueError):
    """Bytes are not the canonical encoding of the expected object."""


class VerificationError(ZkporError):
    """A proof or opening failed to verify.

    Raised for every failure of a verifier, malformed input included: a caller never has to
    catch anything else from ``verify`` functions.
    """


class CustomerCheckFailed(VerificationError):
    """A customer's check failed, with what failed (docs/spec/errors.md 13).

    ``failed`` is "digest" (the manifest is not the one whose digest the customer gave),
    "manifest" (the manifest's own checks: solvency proofs, signatures, reserves) or
    "proof" (the inclusion proof against the manifest's roots); ``reason`` is the failed
    check's own message, naming the check and where; ``said`` is what it means for the
    customer and what to do (zkpor.verify.recipes.FAILURES). ``str(err)`` is the reason,
    then ``said`` on one more line.
    """

    def __init__(self, failed: str, reason: str, said: str) -> None:
        self.failed = failed
        self.reason = reason
        self.said = said
        super().__init__(f"{reason}\n{said}")

    def __reduce__(self) -> tuple[type[CustomerCheckFailed], tuple[object, ...]]:
        return (type(self), (self.failed, self.reason, self.said))


class ParameterError(ZkporError, ValueError):
    """A protocol parameter is outside what the protocol supports."""


class BackendError(ZkporError):
    """The requested group backend is unknown or cannot be imported."""


class TranscriptError(ZkporError):
    """The transcript produced a zero challenge; the protocol run must be abandoned."""


class InputError(ZkporError, ValueError):
    """Bad user-supplied input, with its location.

    ``source`` names the file (or other origin), ``line`` the 1-based line number and
    ``field`` the column or key, each when known. ``str(err)`` renders them as
    ``source:line: field: reason``.
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.source is not None:
            where = self.source
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        if self.field is not None:
            where += f"{self.field}: "
        return where + self.reason


class InsolventError(ZkporError):
    """Reserves do not cover liabilities (times the requested ratio) for an asset: the
    prover refuses to make a solvency proof (docs/spec/solvency-and-manifest.md 11.3, 11.8)."""


class InputErrors(InputError):
    """Several input errors at once; ``errors`` lists them (up to a limit)."""

    def __init__(self, errors: list[InputError], truncated: bool = False) -> None:
        self.errors = errors
        self.truncated = truncated
        lines = [str(e) for e in errors]
        if truncated:
            lines.append(f"(stopped after {len(errors)} errors)")
        super().__init__("\n".join(lines))

    def _render(self) -> str:
        return self.reason


class EthNodeError(ZkporError):
    """The Ethereum node cannot answer what the check needs (one line, no URL secrets)."""


class ClusterLost(ZkporError):
    """The Dask cluster stopped serving the run (scheduler lost, or a task kept killing its
    workers). Nothing is published; the checkpoints in ``BUNDLE.partial`` are kept."""
