"""The languages a stage can speak: per language, the Polly voice and engine, every prompt, and
every default question's wording. Question keys, attributes, scale and threshold are shared.

Voices are the ones Amazon Connect's Set voice block offers for the language with the neural
engine (Amazon Polly: Joanna for en-US, Seoyeon for ko-KR).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from connect_survey.flows.prompts import Prompts
from connect_survey.lambda_asset.survey.definition import SurveyDefinition

if TYPE_CHECKING:
    from collections.abc import Mapping

ENGLISH: Final = "en-US"
KOREAN: Final = "ko-KR"


@dataclass(frozen=True)
class Language:
    """What a caller hears in one language (BCP-47 `code`)."""

    code: str
    prompts: Prompts
    questions: Mapping[str, str]  # question key -> wording of the default questions


# The seed's Korean statements and prompts, reworded as a Korean contact center says them: the
# formal polite style throughout (합니다 / 하십시오: "눌러 주십시오", "안녕히 계십시오"), the
# caller addressed with honorifics, "상담 관리자" for the supervisor.
_KOREAN_PROMPTS = Prompts(
    voice="Seoyeon",
    engine="neural",
    welcome="전화해 주셔서 감사합니다.",
    menu_option="{queue} 문의는 {digit}번을 눌러 주십시오.",
    menu_retry="죄송합니다. 입력이 확인되지 않았습니다.",
    language_option="한국어 안내는 {digit}번을 눌러 주십시오.",
    survey_offer=(
        "고객님의 의견은 저희에게 소중합니다. "
        "상담 종료 후 간단한 설문 조사에 참여하시려면 1번을 눌러 주십시오."
    ),
    stay_on_line=(
        "상담 종료 후 간단한 설문 조사가 이어집니다. "
        "상담이 끝나도 전화를 끊지 마시고 잠시만 기다려 주십시오."
    ),
    queue_full=(
        "죄송합니다. 지금은 모든 상담원이 통화 중이어서 연결해 드릴 수 없습니다. "
        "잠시 후 다시 전화해 주십시오. 감사합니다."
    ),
    transfer_error=(
        "죄송합니다. 전화를 연결하는 중에 문제가 발생했습니다. "
        "잠시 후 다시 전화해 주십시오. 감사합니다."
    ),
    survey_intro="설문 조사에 참여해 주셔서 감사합니다.",
    scale=(
        "각 문항을 듣고 {scaleMin}점부터 {scaleMax}점까지의 점수로 평가해 주십시오. "
        "{scaleMax}점은 '매우 그렇다', {scaleMin}점은 '전혀 그렇지 않다'입니다."
    ),
    invalid_answer=(
        "잘못 입력하셨습니다. {scaleMin}부터 {scaleMax}까지의 숫자 중 하나를 눌러 주십시오."
    ),
    not_recorded="죄송합니다. 응답을 저장하지 못했습니다. 다시 한 번 여쭙겠습니다.",
    thanks="소중한 의견 주셔서 감사합니다. 좋은 하루 보내십시오.",
    apology=(
        "고객님의 만족이 저희에게 가장 중요합니다. 기대에 미치지 못해 대단히 죄송합니다. "
        "부족했던 점을 바로잡을 수 있도록 기회를 주시면 감사하겠습니다."
    ),
    supervisor_offer="이 내용에 대해 상담 관리자와 통화를 원하시면 1번을 눌러 주십시오.",
    supervisor_busy=(
        "지금은 모든 상담 관리자가 통화 중입니다. "
        "1번을 누르시면 상담 관리자가 다시 전화드리겠습니다."
    ),
    callback_confirmed="감사합니다. 곧 상담 관리자가 다시 전화드리겠습니다. 안녕히 계십시오.",
    no_callback=(
        "죄송합니다. 지금은 연결 가능한 상담 관리자가 없으며, 지금 거신 번호로는 다시 "
        "전화드릴 수 없습니다. 남겨 주신 의견은 담당자에게 전달했습니다. 편하신 시간에 다시 "
        "전화해 주십시오. 안녕히 계십시오."
    ),
    supervisor_unavailable=(
        "죄송합니다. 지금은 상담 관리자와 연결할 수 없습니다. "
        "남겨 주신 의견을 확인한 뒤 연락드리겠습니다. 안녕히 계십시오."
    ),
)

LANGUAGES: Final[Mapping[str, Language]] = {
    ENGLISH: Language(
        code=ENGLISH,
        prompts=Prompts(),
        questions={q.key: q.prompt for q in SurveyDefinition().questions},
    ),
    KOREAN: Language(
        code=KOREAN,
        prompts=_KOREAN_PROMPTS,
        questions={
            "effort": "문의하신 내용이 쉽게 해결되었습니다.",
            "recommend": "저희 회사를 친구나 동료에게 추천할 의향이 있습니다.",
            "satisfaction": "방금 마친 상담에 전반적으로 매우 만족합니다.",
        },
    ),
}


def language(code: str) -> Language:
    """The built-in language `code`; KeyError names the ones there are."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise KeyError(
            f"{code!r} has no built-in texts; choose one of {', '.join(LANGUAGES)}"
        ) from None


def prompts_in(code: str, overrides: Mapping[str, str]) -> Prompts:
    """The language's prompts with a stage's own texts (`overrides`, by field name) on top."""
    return replace(language(code).prompts, **overrides)
