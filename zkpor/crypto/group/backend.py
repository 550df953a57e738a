"""Choosing a group backend.

Two backends implement the same :class:`~zkpor.crypto.group.point.Point` API and give byte-identical
results:

- ``"reference"``: pure Python (:mod:`zkpor.crypto.group.reference`), runs anywhere;
- ``"fast"``: libsecp256k1 through coincurve (:mod:`zkpor.crypto.group.fast`).

The active backend is ``fast`` when coincurve imports and ``reference`` otherwise. The
environment variable ``ZKPOR_BACKEND=reference|fast`` forces one (an unavailable forced
backend is an error, never a silent fallback). The choice is made once, on first use.

Spec: docs/spec/group-and-commitments.md (sections 1-2).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Final

from zkpor.crypto.group.point import Point, set_active_point_type
from zkpor.errors import BackendError

__all__ = ["BACKEND_NAMES", "Backend", "active_backend", "available_backends", "get_backend"]

BACKEND_NAMES: Final[tuple[str, ...]] = ("reference", "fast")
ENV_VAR: Final[str] = "ZKPOR_BACKEND"


@dataclass(frozen=True)
class Backend:
    """A group backend: its name and its concrete Point class."""

    name: str
    Point: type[Point]


_cache: dict[str, Backend] = {}
_active: Backend | None = None


def get_backend(name: str) -> Backend:
    """The backend called ``name``; raises BackendError if unknown or not importable."""
    if name in _cache:
        return _cache[name]
    if name == "reference":
        from zkpor.crypto.group.reference import ReferencePoint

        backend = Backend("reference", ReferencePoint)
    elif name == "fast":
        try:
            from zkpor.crypto.group.fast import FastPoint
        except ImportError as exc:  # coincurve missing or broken
            raise BackendError(f"fast backend unavailable: {exc}") from None
        backend = Backend("fast", FastPoint)
    else:
        raise BackendError(f"unknown backend {name!r}; expected one of {', '.join(BACKEND_NAMES)}")
    _cache[name] = backend
    return backend


def available_backends() -> list[Backend]:
    """Every backend that can be loaded here, reference first."""
    out = []
    for name in BACKEND_NAMES:
        with contextlib.suppress(BackendError):
            out.append(get_backend(name))
    return out


def active_backend() -> Backend:
    """The backend used by ``Point``'s classmethods and by default everywhere."""
    global _active
    if _active is None:
        forced = os.environ.get(ENV_VAR, "").strip()
        if forced:
            _active = get_backend(forced)
        else:
            try:
                _active = get_backend("fast")
            except BackendError:
                _active = get_backend("reference")
    return _active


set_active_point_type(lambda: active_backend().Point)
