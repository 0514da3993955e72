"""The ``intentkg`` command line: one thin module per command group."""

__all__: list[str] = []
