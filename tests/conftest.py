"""Shared fixtures: every group-level test runs on each backend."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from zkpor.crypto.group import Backend, available_backends, get_backend

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

BACKENDS = [b.name for b in available_backends()]


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each available group backend in turn."""
    return get_backend(request.param)


@pytest.fixture(scope="session")
def ref() -> Backend:
    return get_backend("reference")


@pytest.fixture(scope="session")
def fast() -> Backend:
    try:
        return get_backend("fast")
    except Exception:  # pragma: no cover - coincurve is a hard dependency
        pytest.skip("fast backend unavailable")
