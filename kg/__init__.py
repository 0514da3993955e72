"""intention-kg core: records, settings, errors, canonicalization, concepts, stores, pipeline, CLI.

The bottom layer (:mod:`kg.records`, :mod:`kg.errors`, :mod:`kg.settings`, :mod:`kg.ids`,
:mod:`kg.relations`, :mod:`kg.io`) is what every other package builds on.
"""

__all__: list[str] = []
