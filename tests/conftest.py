"""Session-wide fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from testkit.raycluster import start_ray_cluster


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Any]:
    """The ``ray`` module, connected to a real local cluster for the whole session."""
    yield from start_ray_cluster()
