"""Built-in readers; importing this package registers them (detection order = import order)."""

from ingest.readers import amazon, snap, folkscope, intentionqa, twitter, social, generic  # noqa: I001

__all__ = ["amazon", "folkscope", "generic", "intentionqa", "snap", "social", "twitter"]
