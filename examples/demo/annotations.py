"""Hand-written judgments of the example's annotation sample, as a Label Studio JSON export.

``intentkg eval annotate export -w WORKDIR --out OUT --per-relation 2 --seed 0`` on a
finished demo run draws 45 assertions. The verdicts below were written by the
developer who built the example, reading each intention in its post or co-buy pair,
twice, under two rubrics:

* ``strict@example.org`` — plausible only if a person would give this as *the* reason or
  reaction for exactly this post or pair; typical only if it is the obvious reading;
* ``lenient@example.org`` — plausible if a reasonable person might mean it; typical
  when plausible.

So there is one judge here, not two people: the agreement figures this gives show what
the report computes, not how well people agree. An intention missing from the table
is an error (re-judge after changing ``answers.jsonl``).

Run: ``.venv/bin/python examples/demo/annotations.py OUT/tasks.json export.json``, then
``intentkg eval annotate import export.json -w WORKDIR``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# (relation, intention) -> (strict: plausible, typical), (lenient: plausible, typical)
Verdict = tuple[tuple[bool, bool], tuple[bool, bool]]
Y, N = (True, True), (False, False)
YA = (True, False)  # plausible, not typical
VERDICTS: dict[tuple[str, str], Verdict] = {
    ("can", "protect their knees and ankles on descents"): (Y, Y),
    ("capableOf", "reducing neck and wrist pain"): (Y, Y),
    ("capableOf", "making baking results consistent"): (YA, Y),
    ("cobuyOpen", "new boots need thick socks to fit well"): (Y, Y),
    ("cobuyOpen", "a laptop on a stand needs an external keyboard, mouse and monitor "
                  "connected through a hub"): (Y, Y),
    ("createdBy", "the same brand"): (N, Y),
    ("createdBy", "pet brands"): (N, N),
    ("distinctFrom", "a standard mouse and a flat laptop"): (N, YA),
    ("effect", "perfect cookies"): (Y, Y),
    ("effect", "staying warm outside for hours"): (Y, Y),
    ("isA", "ergonomic office accessories"): (Y, Y),
    ("isA", "hiking gear"): (Y, Y),
    ("madeOf", "plastic and aluminum"): (N, N),
    ("madeOf", "ceramic and plastic"): (N, N),
    ("oEffect", "recommend a sturdier grinder"): (Y, Y),
    ("oEffect", "bake something on their next snowy day"): (N, Y),
    ("oReact", "hungry"): (Y, Y),
    ("oReact", "amused"): (Y, Y),
    ("oWant", "stay visible to drivers at night"): (Y, Y),
    ("oWant", "work comfortably from home"): (Y, Y),
    ("open", "she wants to remember the first snow of the winter"): (YA, Y),
    ("open", "she wants to mark the start of a new hobby"): (Y, Y),
    ("partOf", "a running outfit"): (Y, Y),
    ("partOf", "a home coffee bar"): (Y, Y),
    ("propertyOf", "aluminum"): (N, Y),
    ("propertyOf", "lightweight"): (Y, Y),
    ("relatedTo", "road running"): (Y, Y),
    ("relatedTo", "winter running"): (N, Y),
    ("similarTo", "a thermal layer"): (N, N),
    ("symbolOf", "dedication"): (N, N),
    ("symbolOf", "coffee snobbery"): (N, YA),
    ("usedFor", "brewing pour-over coffee"): (Y, Y),
    ("usedFor", "setting up a home office desk"): (Y, Y),
    ("xAttr", "detail-oriented"): (YA, Y),
    ("xAttr", "dedicated and safety-conscious"): (Y, Y),
    ("xEffect", "make friends laugh"): (Y, Y),
    ("xEffect", "get tips on insulating the tube"): (N, Y),
    ("xIntent", "pass on useful advice for winter hikes"): (Y, Y),
    ("xIntent", "show her commitment to running in the cold"): (Y, Y),
    ("xNeed", "bake a loaf of bread"): (Y, Y),
    ("xNeed", "make a cup of coffee"): (Y, Y),
    ("xReact", "satisfied"): (Y, Y),
    ("xReact", "amused and fond"): (Y, Y),
    ("xWant", "stay warm on winter hikes"): (Y, Y),
    ("xWant", "plan more winter hikes"): (Y, Y),
}
ANNOTATORS = ("strict@example.org", "lenient@example.org")


def result(plausible: bool, typical: bool) -> list[dict[str, Any]]:
    """A Label Studio annotation result for the project's labeling config."""
    return [
        {"from_name": "plausible", "to_name": "intention", "type": "choices",
         "value": {"choices": ["plausible" if plausible else "implausible"]}},
        {"from_name": "typical", "to_name": "intention", "type": "choices",
         "value": {"choices": ["typical" if typical else "atypical"]}},
    ]


def verdicts_for(data: dict[str, Any]) -> Verdict:
    """The two verdicts on one task's intention (KeyError when it is not in the table)."""
    return VERDICTS[(data["relation"], data["intention"])]


def main(tasks_path: Path, out: Path) -> int:
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    export = []
    for i, task in enumerate(tasks):
        verdict = verdicts_for(task["data"])
        anns = [{"id": 2 * i + k + 1, "completed_by": {"id": k + 1, "email": who},
                 "result": result(*verdict[k]), "was_cancelled": False,
                 "created_at": "2026-12-02T00:00:00Z"} for k, who in enumerate(ANNOTATORS)]
        export.append({"id": i + 1, "data": task["data"], "annotations": anns})
    out.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {len(export)} annotated tasks to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
