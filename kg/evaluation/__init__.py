"""How good the knowledge is: human judgments, agreement, calibration, downstream tasks.

Pure statistics live in :mod:`kg.evaluation.stats`; the work-dir files in
:mod:`kg.evaluation.layout`. Model calls (IntentionQA) live in
:mod:`distill.intentionqa`; the application layer ties them together.
"""

from __future__ import annotations

from kg.evaluation.layout import EvalPaths
from kg.evaluation.stats import Interval, bootstrap_paired

__all__ = ["EvalPaths", "Interval", "bootstrap_paired"]
