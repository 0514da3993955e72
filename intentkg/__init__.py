"""The application layer: the ``intentkg`` CLI, the pipeline, the demo and server wiring.

The only package that ties ``ingest``, ``distill``, ``kg`` and ``queries`` together.
"""

__all__: list[str] = []
