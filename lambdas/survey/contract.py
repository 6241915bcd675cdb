"""Names shared by the flows, the handlers and the stack: defined here once, imported everywhere.

This is the lowest layer (flows and stacks import it; it imports nothing of theirs), so every
string that crosses the flow/handler boundary lives here.
"""

from __future__ import annotations

from typing import Final

# Contact attributes set by the flows.
OPT_IN_ATTRIBUTE: Final = "Survey_Opt_in"
OPT_IN_ACCEPTED: Final = "true"
OPT_IN_COMPLETE: Final = "Complete"
# Who was offered a survey and how far they got: reports count response rates from it.
SURVEY_STATUS_ATTRIBUTE: Final = "SurveyStatus"
SURVEY_STATUS_OFFERED: Final = "offered"  # offered, survey not reached (yet)
SURVEY_STATUS_COMPLETE: Final = "complete"  # every question answered
SURVEY_STATUS_PARTIAL: Final = "partial"  # some questions answered
SURVEY_STATUS_UNANSWERED: Final = "unanswered"  # survey started, no answer
SURVEY_STATUSES: Final = (
    SURVEY_STATUS_OFFERED,
    SURVEY_STATUS_COMPLETE,
    SURVEY_STATUS_PARTIAL,
    SURVEY_STATUS_UNANSWERED,
)
# The survey mode of the contact's flows (one of MODES), so reports can group by it.
SURVEY_MODE_ATTRIBUTE: Final = "SurveyMode"

# Parameters the flows send in Details.Parameters.
PARAM_QUESTION: Final = "question"
PARAM_DIGITS: Final = "digits"
PARAM_MODE: Final = "mode"

# Keys of the flat string maps the handlers answer with (read by the flows as $.External.<key>).
VALID: Final = "valid"
SCORE: Final = "score"
REASON: Final = "reason"
ATTRIBUTE: Final = "attribute"
STORED: Final = "stored"
ESCALATE: Final = "escalate"
LOWEST: Final = "lowest"
ANSWERED: Final = "answered"
ALERTED: Final = "alerted"
TRUE: Final = "true"
FALSE: Final = "false"

# Why an answer was rejected, or why a handler could not do all its work.
REASON_OUT_OF_RANGE: Final = "out_of_range"
REASON_NOT_A_NUMBER: Final = "not_a_number"
REASON_TIMEOUT: Final = "timeout"
REASON_EMPTY: Final = "empty"
REASON_UNKNOWN_QUESTION: Final = "unknown_question"
REASON_MALFORMED_EVENT: Final = "malformed_event"
REASON_STORAGE_ERROR: Final = "storage_error"
REASON_ALERT_ERROR: Final = "alert_error"
REASON_INTERNAL_ERROR: Final = "internal_error"

# The survey modes; a mode is also the first part of its two flow keys.
MODE_ON_DEMAND: Final = "on-demand"
MODE_OPT_IN: Final = "opt-in"
MODE_ESCALATION: Final = "escalation"
MODES: Final = (MODE_ON_DEMAND, MODE_OPT_IN, MODE_ESCALATION)

# Environment the stack gives the handlers (the simulator gives the same).
ENV_TABLE: Final = "RESULTS_TABLE_NAME"
ENV_TOPIC: Final = "ALERT_TOPIC_ARN"
ENV_BUS: Final = "ALERT_EVENT_BUS_NAME"
ENV_SURVEY: Final = "SURVEY_DEFINITION"
ENV_RETENTION_DAYS: Final = "RESULT_RETENTION_DAYS"

# The results table: one item per answer (sort key = question key) and one summary per contact.
TABLE_PARTITION_KEY: Final = "contactId"
TABLE_SORT_KEY: Final = "question"
TABLE_TTL_ATTRIBUTE: Final = "expiresAt"
TABLE_QUESTION_INDEX: Final = "byQuestion"
TABLE_QUESTION_INDEX_SORT_KEY: Final = "answeredAt"
SUMMARY_SORT_KEY: Final = "#summary"
ITEM_ATTRIBUTE: Final = "attribute"  # answer item: the contact attribute the question fills
ITEM_SCORE: Final = "score"  # answer item: the score, a number

# The low-score alert on EventBridge.
EVENT_SOURCE: Final = "connect-survey"
EVENT_DETAIL_TYPE: Final = "Survey low score"

# Metrics namespace (EMF).
METRICS_NAMESPACE: Final = "ConnectSurvey"
