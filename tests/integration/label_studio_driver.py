"""Drives a Label Studio server with label-studio-sdk; runs in Label Studio's own virtualenv.

Not a test module: tests/integration/test_label_studio.py runs it with ``.venv-ls``'s
python (Label Studio pins packages below this project's, so it cannot share our env).

    driver.py validate PROJECT_DIR
        parse label_config.xml and every task of tasks.json with the SDK's LabelInterface
    driver.py roundtrip URL TOKEN PROJECT_DIR VERDICTS OUT
        create the project, import the tasks, post each verdict as an annotation (a second
        annotator is created as a user), export the project as JSON into OUT

VERDICTS: JSON {assertion_id: [[annotator_index, plausible, typical, comment], ...]}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _result(plausible: bool, typical: bool, comment: str) -> list[dict[str, Any]]:
    # the same shape as tests/testkit/annotation.py ls_result (this file runs in .venv-ls)
    out: list[dict[str, Any]] = [
        {"from_name": "plausible", "to_name": "intention", "type": "choices",
         "value": {"choices": ["plausible" if plausible else "implausible"]}},
        {"from_name": "typical", "to_name": "intention", "type": "choices",
         "value": {"choices": ["typical" if typical else "atypical"]}}]
    if comment:
        out.append({"from_name": "comment", "to_name": "intention", "type": "textarea",
                    "value": {"text": [comment]}})
    return out


def validate(project: Path) -> int:
    from label_studio_sdk.label_interface import LabelInterface

    config = (project / "label_config.xml").read_text(encoding="utf-8")
    li = LabelInterface(config)
    li.validate()
    tasks = json.loads((project / "tasks.json").read_text(encoding="utf-8"))
    bad = [i for i, t in enumerate(tasks) if not li.validate_task(t)]
    ok = li.validate_annotation({"result": _result(True, False, "fine")})
    print(json.dumps({"tasks": len(tasks), "bad_tasks": bad, "annotation_ok": bool(ok),
                      "controls": sorted(c.name for c in li.controls)}))
    return 0 if not bad and ok else 1


def roundtrip(url: str, token: str, project_dir: Path, verdicts_path: Path, out: Path) -> int:
    from label_studio_sdk import LabelStudio

    ls = LabelStudio(base_url=url, api_key=token)
    me = ls.users.whoami()
    second = ls.users.create(username="second", email="second@example.org",
                             password="second-annotator-pw")
    users = [me.id, second.id]
    config = (project_dir / "label_config.xml").read_text(encoding="utf-8")
    project = ls.projects.create(title="intention-kg round trip", label_config=config)
    tasks = json.loads((project_dir / "tasks.json").read_text(encoding="utf-8"))
    ls.projects.import_tasks(id=project.id, request=tasks)
    verdicts = json.loads(verdicts_path.read_text(encoding="utf-8"))
    posted = 0
    for task in ls.tasks.list(project=project.id):
        for who, plausible, typical, comment in verdicts.get(task.data["assertion_id"], []):
            ls.annotations.create(id=task.id, result=_result(plausible, typical, comment),
                                  completed_by=users[who], was_cancelled=False)
            posted += 1
    with out.open("wb") as fh:
        for chunk in ls.projects.exports.download_sync(id=project.id, export_type="JSON",
                                                       download_all_tasks=True):
            fh.write(chunk)
    print(json.dumps({"project": project.id, "tasks": len(tasks), "annotations": posted,
                      "users": users}))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "validate":
        sys.exit(validate(Path(sys.argv[2])))
    sys.exit(roundtrip(sys.argv[2], sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5]),
                       Path(sys.argv[6])))
