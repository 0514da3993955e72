"""Joining a Ray cluster for the stages that can fan out (distill, embeddings).

``ray`` is an optional extra (``pip install 'intention-kg[ray]'``): it is imported
only here, only when a setting asks for the Ray engine, and its absence is a
:class:`kg.errors.MissingExtraError` naming the extra.

:func:`ray_session` connects as ``ray.address`` says (``"local"``: a private
instance on loopback without a dashboard; ``"auto"``: the cluster of this node;
``"ray://..."``: Ray Client), keeps Ray Data's output in input order, and
disconnects at the end only when it connected itself; a caller (a test, a
notebook) that already called ``ray.init`` keeps its session.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kg.errors import ConfigError, MissingExtraError
from kg.settings import RaySettings

__all__ = ["import_ray", "ray_session"]

log = logging.getLogger(__name__)


def import_ray(purpose: str) -> Any:
    """The ``ray`` module with Ray Data loaded.

    Args:
        purpose: what needs it, for the error message.

    Raises:
        MissingExtraError: ray (or Ray Data) is not installed.
    """
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise MissingExtraError("ray", "ray", purpose) from exc
    return ray


@contextmanager
def ray_session(settings: RaySettings, purpose: str) -> Iterator[Any]:
    """Yield the ``ray`` module connected to the cluster ``settings`` names.

    Raises:
        MissingExtraError: the ``ray`` extra is not installed.
        ConfigError: the cluster cannot be reached.
    """
    ray = import_ray(purpose)
    started = False
    if not ray.is_initialized():
        # a cluster this process starts reports nothing to Ray's usage-statistics server
        # (the project downloads from and talks to no host it does not need)
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        kwargs: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False,
                                  "logging_level": logging.WARNING}
        if settings.address == "local":
            kwargs.update(address="local", _node_ip_address="127.0.0.1")
            if settings.num_cpus is not None:
                kwargs["num_cpus"] = settings.num_cpus
        else:
            kwargs["address"] = settings.address
            del kwargs["include_dashboard"]  # a setting of the cluster, not of a client
        try:
            ray.init(**kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ConfigError(f"cannot reach the Ray cluster at ray.address={settings.address!r}"
                              f" ({type(exc).__name__}: {exc}); start one with `ray start "
                              "--head` or set ray.address to 'local'") from None
        started = True
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # plans and progress lines
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # outputs in input order, as locally
    context.enable_progress_bars = False  # the CLI draws its own bar
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()
