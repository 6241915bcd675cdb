"""Actions and characters of every flow of a stage with 10 questions in 3 languages, against
Connect's limits (250 actions, 256,000 characters): `python -m connect_survey.bench.flow_sizes`.

The stage is cdk.json's dev stage with the language menu, English (built in), Korean (built-in
prompts, the questions translated) and Japanese, whose prompts are the English defaults standing
in for a translation (same length class) with the Japanese voice Mizuki.
"""

from __future__ import annotations

import copy
import json
from dataclasses import fields
from typing import Any

from connect_survey import PROJECT_ROOT
from connect_survey.config.prompts import OPTIONAL_PROMPTS
from connect_survey.config.stage import load_stage
from connect_survey.flows.prompts import Prompts
from connect_survey.flows.render import to_content

QUESTIONS = 10
LANGUAGES = ("en-US", "ko-KR", "ja-JP")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def stage_context() -> dict[str, Any]:
    context: dict[str, Any] = copy.deepcopy(
        json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    )
    questions = [
        {
            "key": f"q{n}",
            "attribute": f"Question{n}Score",
            "prompt": f"Question {n}: how was it? " * 4,
        }
        for n in range(QUESTIONS)
    ]
    english = Prompts()
    japanese_prompts = {
        _camel(f.name): getattr(english, f.name)
        for f in fields(english)
        if f.name not in OPTIONAL_PROMPTS
    }
    japanese_prompts["voice"] = "Mizuki"
    context["stages"]["dev"].update(
        languages=list(LANGUAGES),
        languageMenu=True,
        survey={"questions": questions},
        translations={
            "ko-KR": {
                "questions": {f"q{n}": f"질문 {n}: 어떠셨습니까? " * 4 for n in range(QUESTIONS)}
            },
            "ja-JP": {
                "prompts": japanese_prompts,
                "questions": {f"q{n}": f"質問 {n}: いかがでしたか? " * 4 for n in range(QUESTIONS)},
            },
        },
    )
    return context


def flow_sizes() -> list[tuple[str, int, int]]:
    """(flow key, actions, characters) for every flow the stage deploys."""
    stage = load_stage(stage_context(), "dev").offline
    sizes = []
    for key in stage.flow_keys:
        document = stage.render(key)
        sizes.append((key, len(document["Actions"]), len(to_content(document))))
    return sizes


if __name__ == "__main__":
    for key, actions, characters in flow_sizes():
        print(f"{key:32} {actions:4} actions {characters:8,} characters")
