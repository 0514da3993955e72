"""Record ``intentionqa_replay.jsonl``: hand-written answers to ``intentionqa.jsonl``.

``intentionqa.jsonl`` holds 8 IntentionQA-format questions about the example's
products (4 of task 1, 4 of task 2), written for this project. The answers below
were written by hand, not by a model, in the loose formats models use ("B",
"Answer: C", "The answer is B.", a reply naming no option), once without and once
with the graph's intentions in the prompt. They exercise the command end to end;
the accuracies they give say nothing about any model.

The with-graph requests carry the graph's sentences about the products, so the
file is tied to the example's distilled assertions: re-record it after changing
``answers.jsonl``.

Run: ``.venv/bin/python examples/demo/make_intentionqa_replay.py WORKDIR`` where
WORKDIR holds a finished ``intentkg demo`` run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from distill.intentionqa import load_questions, record_replay
from intentkg.eval_qa import context_for
from kg.evaluation.kg_context import product_intentions
from kg.settings import Settings

HERE = Path(__file__).resolve().parent
# question id -> (answer without the graph, answer with the graph's intentions)
ANSWERS = {
    "t1:DEMO_1": ("A", "A"),
    "t1:DEMO_2": ("Answer: C", "C"),
    "t1:DEMO_3": ("B) because they both are used for running safely in the dark.", "B"),
    "t1:DEMO_4": ("B", "D"),
    "t2:DEMO_5": ("The answer is B.", "B"),
    "t2:DEMO_6": ("C", "**A**"),
    "t2:DEMO_7": ("I would pick D.", "A"),
    "t2:DEMO_8": ("Item B is probably the hiking boots", "C"),
}


def main(workdir: Path) -> int:
    questions = load_questions([HERE / "intentionqa.jsonl"])
    context = context_for(product_intentions(workdir))
    model = Settings().llm.model
    items = [(q, [], ANSWERS[q.id][0]) for q in questions]
    items += [(q, context(q), ANSWERS[q.id][1]) for q in questions]
    n = record_replay(items, model, HERE / "intentionqa_replay.jsonl")
    print(f"recorded {n} answers into {HERE / 'intentionqa_replay.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
