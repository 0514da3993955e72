"""One real local Ray cluster per test session (starting Ray takes 10-20 s on 2 cores).

Tests that need it take the ``ray_cluster`` fixture (declared in ``tests/conftest.py``);
they are skipped when the ``ray`` extra is not installed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest

CLIENT_RESOURCE = "intentkg_client"
"""A custom resource of the test node (tests pin workers with ``ray.worker_resources``)."""


def start_ray_cluster() -> Iterator[Any]:
    """Start Ray on loopback with 2 CPUs, no dashboard; shut it down at the end."""
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    pytest.importorskip("ray.data", reason="the ray extra is not installed")
    started = not ray.is_initialized()
    if started:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # as kg.raycluster does
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
                 _node_ip_address="127.0.0.1", logging_level=logging.WARNING,
                 resources={CLIENT_RESOURCE: 64})
    yield ray
    if started:
        ray.shutdown()
