"""``python -m intentkg``: the same as the ``intentkg`` console script."""

from intentkg.main import run

run()
