"""Names shared by the flows, the handlers and the stack: defined here once, imported everywhere.

This is the lowest layer (flows and stacks import it; it imports nothing of theirs), so every
string that crosses the flow/handler boundary lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from .definition import QUESTION_KEY_PATTERN

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

# Contact attributes set by the flows.
OPT_IN_ATTRIBUTE: Final = "Survey_Opt_in"
OPT_IN_ACCEPTED: Final = "true"
OPT_IN_COMPLETE: Final = "Complete"
# Set by an inbound flow just before it ends the call itself (queue full, transfer error): the
# disconnect flow then runs with no caller and must end at once.
ENDED_IN_FLOW_ATTRIBUTE: Final = "Survey_Ended_In_Flow"
# Where the survey got to, for response rates: "offered" once the caller heard the survey
# begin, then what the finish handler reports (complete, partial, unanswered).
SURVEY_STATUS_ATTRIBUTE: Final = "SurveyStatus"
STATUS_OFFERED: Final = "offered"
STATUS_COMPLETE: Final = "complete"
STATUS_PARTIAL: Final = "partial"
STATUS_UNANSWERED: Final = "unanswered"
SURVEY_STATUSES: Final = (STATUS_OFFERED, STATUS_COMPLETE, STATUS_PARTIAL, STATUS_UNANSWERED)
# The survey mode of the contact's flows (one of MODES), so reports can group by it.
SURVEY_MODE_ATTRIBUTE: Final = "SurveyMode"
LANGUAGE_ATTRIBUTE: Final = "SurveyLanguage"  # the call's language, for contact records
# Set on the follow-up task a low score starts (StartTaskContact): the surveyed contact's id, so
# reports link the task's contact record to the survey, and the alert that started the task.
FOLLOW_UP_FOR_ATTRIBUTE: Final = "SurveyFollowUpFor"
ALERT_ID_ATTRIBUTE: Final = "SurveyAlertId"
# Set by the task flow on a follow-up task it could not queue (it then ends the task), so its
# contact record says why no one took it.
FOLLOW_UP_ROUTING_ATTRIBUTE: Final = "SurveyFollowUpRouting"
ROUTING_QUEUE_FULL: Final = "queue-full"
ROUTING_TRANSFER_ERROR: Final = "transfer-error"

# Parameters the flows send in Details.Parameters.
PARAM_QUESTION: Final = "question"
PARAM_DIGITS: Final = "digits"  # $.StoredCustomerInput: the keys, or STORED_TIMEOUT
# What "Store customer input" leaves in $.StoredCustomerInput when the caller pressed nothing in
# time (the Flow Language toolkit states it too; a test keeps the two equal).
STORED_TIMEOUT: Final = "Timeout"
PARAM_MODE: Final = "mode"
# Set only by the deploy check (`connect-survey verify`), never by a flow: answer, store nothing.
PARAM_VERIFICATION: Final = "verification"
PARAM_LANGUAGE: Final = "language"  # BCP-47: the language the survey was asked in

# Keys of the flat string maps the handlers answer with (read by the flows as $.External.<key>).
VALID: Final = "valid"
SCORE: Final = "score"
REASON: Final = "reason"
ATTRIBUTE: Final = "attribute"
STORED: Final = "stored"
ESCALATE: Final = "escalate"
LOWEST: Final = "lowest"
ANSWERED: Final = "answered"
STATUS: Final = "status"
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
REASON_INTERNAL_ERROR: Final = "internal_error"
REASON_VERIFICATION: Final = "verification"  # a verification event: nothing stored or sent
REASON_INVALID_PARAMETER: Final = "invalid_parameter"  # a parameter not of its allowed form

# The survey modes; a mode is also the first part of its two flow keys.
MODE_ON_DEMAND: Final = "on-demand"
MODE_OPT_IN: Final = "opt-in"
MODE_ESCALATION: Final = "escalation"
MODES: Final = (MODE_ON_DEMAND, MODE_OPT_IN, MODE_ESCALATION)

# A BCP-47 tag as Connect's languages are written: language[-Script][-REGION] (en-US, ko-KR, arb,
# cmn-CN, zh-Hant-TW, es-419). The stage's languages are held to it too.
LANGUAGE_CODE: Final = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?")

# The allowed form of each flow parameter. A value of another form is never stored or sent: the
# handler answers as for an invalid input (REASON_INVALID_PARAMETER) and counts it. Values are
# read stripped; an empty one is no parameter. The digits are held to the survey's scale instead
# (answers.py), the caller key to its own form (sampling.CALLER_KEY_FORM).
PARAMETER_FORMS: Final[Mapping[str, Callable[[str], bool]]] = {
    PARAM_QUESTION: lambda value: QUESTION_KEY_PATTERN.fullmatch(value) is not None,
    PARAM_MODE: lambda value: value in MODES,
    PARAM_LANGUAGE: lambda value: LANGUAGE_CODE.fullmatch(value) is not None,
    PARAM_VERIFICATION: lambda value: value in (TRUE, FALSE),
}


def invalid_parameters(parameters: Mapping[str, str]) -> list[str]:
    """The names (never the values) of the parameters present but not of their allowed form."""
    return [
        name
        for name, allowed in PARAMETER_FORMS.items()
        if (value := parameters.get(name, "").strip()) and not allowed(value)
    ]


# The functions: logical name (function names are `{namePrefix}-{name}`) → entry point inside
# the asset (the `lambdas/` directory is the asset root).
SCORE_FUNCTION: Final = "score"
FINISH_FUNCTION: Final = "finish"
ELIGIBILITY_FUNCTION: Final = "eligibility"  # inbound flows: sampling and cooldown
ENTRY_POINTS: Final = {
    SCORE_FUNCTION: "survey.score.handler",
    FINISH_FUNCTION: "survey.finish.handler",
    ELIGIBILITY_FUNCTION: "survey.eligibility.handler",
}
# The alert function reads the table's stream (the outbox); no flow invokes it.
ALERT_FUNCTION: Final = "alert"
ALERT_ENTRY_POINT: Final = "survey.alert.handler"
# Run on a schedule: completes what the stream left (unsent alerts, its dead letters).
SWEEPER_FUNCTION: Final = "sweeper"
SWEEPER_ENTRY_POINT: Final = "survey.sweeper.handler"
# The stage's own bus for the alert events (`{namePrefix}-surveys`): only the alert function may
# put events on it, so rules there see no spoofed `connect-survey` events.
ALERT_EVENT_BUS: Final = "surveys"


@dataclass(frozen=True)
class StreamMapping:
    """How Lambda hands the results table's stream to the alert function: the stack sets these
    on the event source mapping, and the simulator's TableStream plays them."""

    batch_size: int
    max_retries: int  # of a failing batch, before it is discarded to the dead letters
    max_record_age_seconds: int
    bisect_on_error: bool  # a function error splits the batch in two (costs no retry)
    report_batch_item_failures: bool


ALERT_STREAM: Final = StreamMapping(
    batch_size=100,
    max_retries=10,
    max_record_age_seconds=6 * 3600,
    bisect_on_error=True,
    report_batch_item_failures=True,
)

# Environment the stack gives the handlers (the simulator gives the same; environment.py reads
# it and builds it: `handler_environment`). Each alert channel names its own (channels/).
ENV_TABLE: Final = "RESULTS_TABLE_NAME"
ENV_SURVEY: Final = "SURVEY_DEFINITION"
ENV_RETENTION_DAYS: Final = "RESULT_RETENTION_DAYS"
ENV_INSTANCE_ALIAS: Final = "CONNECT_INSTANCE_ALIAS"  # optional: alerts link to the console
ENV_DEAD_LETTERS: Final = "ALERT_DEAD_LETTERS_URL"  # the sweeper: the stream's dead-letter queue

# The results table: one item per answer (sort key = question key) and one summary per contact.
TABLE_PARTITION_KEY: Final = "contactId"
TABLE_SORT_KEY: Final = "question"
TABLE_TTL_ATTRIBUTE: Final = "expiresAt"
TABLE_QUESTION_INDEX: Final = "byQuestion"
TABLE_QUESTION_INDEX_SORT_KEY: Final = "answeredAt"
SUMMARY_SORT_KEY: Final = "#summary"
ITEM_ATTRIBUTE: Final = "attribute"  # answer item: the contact attribute the question fills
ITEM_SCORE: Final = "score"  # answer item: the score, a number
# Answer item: the contact's details, each only when Connect sent it.
ITEM_INITIAL_CONTACT_ID: Final = "initialContactId"
ITEM_CHANNEL: Final = "channel"
ITEM_INITIATION_METHOD: Final = "initiationMethod"
ITEM_QUEUE: Final = "queue"
ITEM_MODE: Final = "mode"  # the survey mode the flow sent, when it sent one
ITEM_LANGUAGE: Final = "language"  # the language the question was asked in (BCP-47)
# Summary item (sort key SUMMARY_SORT_KEY): the finished survey.
SUMMARY_STATUS: Final = "status"
SUMMARY_MODE: Final = "mode"
SUMMARY_ANSWERED: Final = "answered"
SUMMARY_SCORES: Final = "scores"
SUMMARY_LOWEST: Final = "lowest"
SUMMARY_COMPLETED_AT: Final = "completedAt"
# Outbox item (sort key OUTBOX_SORT_KEY), written by the alert function alone: per alert channel
# ("sns", "events") a claim while one invocation sends it ({token, expiresAt}), then the time it
# was sent; a version that every write raises (optimistic locking). Tables written before the
# outbox item existed kept this state on the summary item: its sentAt still counts.
OUTBOX_SORT_KEY: Final = "#alert"
OUTBOX_VERSION: Final = "version"
ALERT_CLAIM_PREFIX: Final = "alertClaim_"
ALERT_SENT_PREFIX: Final = "alertSentAt_"
CLAIM_TOKEN: Final = "token"
CLAIM_EXPIRES_AT: Final = "expiresAt"  # epoch milliseconds

# Work left unfinished on an item, for the sweeper (sweeper.py). Sparse: only an item with work
# left carries PENDING_WORK (a PendingWork value) and PENDING_SINCE (ISO-8601 UTC with
# milliseconds), so the index PENDING_INDEX holds exactly the unfinished work, oldest first per
# kind. Whoever finishes the work (a retry, the stream, the sweeper) removes the marker.
#   PendingWork.ALERT, on the outbox item: a channel is not recorded as sent. Set with the first
#     claim, kept while any channel is unsent, removed with the write recording the last one.
#   PendingWork.COOLDOWN, on an answer item: the caller's cooldown record may be missing. Write
#     `CooldownRecord.started(PENDING_CALLER_KEY, answeredAt, cooldown days)` the way the score
#     handler does (`eligibility.remember_caller`: a record already there is left alone), then
#     REMOVE the three attributes on condition that PENDING_SINCE is unchanged.
#   PendingWork.SUMMARY, on the summary item: it was written from the contact attributes alone
#     (the answers could not be read in time). Read the contact's answer items, let each stored
#     score replace the summary's for its attribute (the finish handler's rule), rewrite scores,
#     answered, lowest and status (`finish.survey_status`), then REMOVE PENDING_WORK and
#     PENDING_SINCE on the same condition.
# A marker younger than the function timeout may belong to an invocation still running; every
# completion is idempotent, so racing it is harmless.
PENDING_WORK: Final = "pendingWork"  # a PendingWork value
PENDING_SINCE: Final = "pendingSince"  # ISO-8601 UTC with milliseconds: when the work was left
PENDING_CALLER_KEY: Final = "pendingCallerKey"  # COOLDOWN: whose record (a caller key, no number)
PENDING_INDEX: Final = "byPendingWork"


class PendingWork(StrEnum):
    """What the sweeper has to finish on a marked item (one small function each: sweeper.py)."""

    ALERT = "alert"
    COOLDOWN = "cooldown"
    SUMMARY = "summary"


# The cooldown table: one item per caller key (a keyed hash of the number, never the number).
COOLDOWN_PARTITION_KEY: Final = "callerKey"
COOLDOWN_SURVEYED_AT: Final = "surveyedAt"  # epoch seconds of the caller's first answer
COOLDOWN_TTL_ATTRIBUTE: Final = "expiresAt"  # epoch seconds: the end of the cooldown


@dataclass(frozen=True)
class Index:
    """A global secondary index: its name, keys and projection (ALL or KEYS_ONLY)."""

    name: str
    partition_key: str
    sort_key: str
    projection: str = "ALL"


@dataclass(frozen=True)
class TableShape:
    """A table's keys, TTL, stream and indexes: the stack, the embedded AWS and tests build it
    from this one declaration."""

    partition_key: str
    ttl_attribute: str
    sort_key: str | None = None
    indexes: tuple[Index, ...] = ()
    stream_view_type: str | None = None  # what each stream record carries; None: no stream
    key_type: str = "S"  # every key attribute is a string

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """Every attribute a key of the table or of an index names, once each."""
        names = [self.partition_key, self.sort_key]
        names += [name for index in self.indexes for name in (index.partition_key, index.sort_key)]
        return tuple(dict.fromkeys(name for name in names if name is not None))

    def create_table_arguments(self, table_name: str) -> dict[str, Any]:
        """DynamoDB CreateTable arguments for a table of this shape (TTL is set separately)."""
        arguments: dict[str, Any] = {
            "TableName": table_name,
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": _key_schema(self.partition_key, self.sort_key),
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": self.key_type}
                for name in self.key_attributes
            ],
        }
        if self.indexes:
            arguments["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": _key_schema(index.partition_key, index.sort_key),
                    "Projection": {"ProjectionType": index.projection},
                }
                for index in self.indexes
            ]
        if self.stream_view_type is not None:
            arguments["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": self.stream_view_type,
            }
        return arguments

    def create(self, client: Any, table_name: str) -> None:
        """Create the table with `client` (a boto3 DynamoDB client) and turn its TTL on."""
        client.create_table(**self.create_table_arguments(table_name))
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"AttributeName": self.ttl_attribute, "Enabled": True},
        )


def _key_schema(partition_key: str, sort_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    if sort_key is not None:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    return schema


RESULTS_TABLE: Final = TableShape(
    partition_key=TABLE_PARTITION_KEY,
    sort_key=TABLE_SORT_KEY,
    ttl_attribute=TABLE_TTL_ATTRIBUTE,
    indexes=(
        # Reports read one question over a date range instead of scanning the table.
        Index(TABLE_QUESTION_INDEX, TABLE_SORT_KEY, TABLE_QUESTION_INDEX_SORT_KEY),
        # Sparse: the sweeper reads the unfinished work alone (keys are all it needs).
        Index(PENDING_INDEX, PENDING_WORK, PENDING_SINCE, projection="KEYS_ONLY"),
    ),
    # The outbox: the alert function reads every new item image from the stream.
    stream_view_type="NEW_IMAGE",
)
COOLDOWN_TABLE: Final = TableShape(
    partition_key=COOLDOWN_PARTITION_KEY, ttl_attribute=COOLDOWN_TTL_ATTRIBUTE
)

# The low-score alert on EventBridge.
EVENT_SOURCE: Final = "connect-survey"
EVENT_DETAIL_TYPE: Final = "Survey low score"
# Console page of one contact, when the stage names its instance alias.
CONSOLE_CONTACT_URL: Final = (
    "https://{alias}.my.connect.aws/contact-trace-records/details/{contact_id}"
)

# Metrics namespace (EMF); each function's metrics carry the dimension service = function name.
METRICS_NAMESPACE: Final = "ConnectSurvey"


class Metric(StrEnum):
    """What the handlers emit (EMF; counts unless said), named for the alarms and dashboards."""

    ANSWER_RECORDED = "AnswerRecorded"  # a valid answer (stored or not)
    INVALID_ANSWER = "InvalidAnswer"  # out of range, not a number, timeout, empty, unknown question
    STORAGE_ERROR = "StorageError"  # an answer that could not be written
    SURVEY_COMPLETED = "SurveyCompleted"
    LOW_SCORE = "LowScore"  # a finished survey with a score below the threshold
    ALERT_PUBLISHED = "AlertPublished"  # one per channel (SNS, EventBridge) sent
    ALERT_ERROR = "AlertError"  # one per channel that failed to send
    # One per alert sent after taking over an expired claim: its sender may have sent it too.
    ALERT_POSSIBLE_DUPLICATE = "AlertPossibleDuplicate"
    MALFORMED_EVENT = "MalformedEvent"
    INTERNAL_ERROR = "InternalError"
    # A flow parameter (or the caller key) not of its allowed form: never stored.
    INVALID_PARAMETER = "InvalidParameter"
    # A write the caller's path could not make in time or at all (the cooldown record, the
    # complete summary): marked on the item written where there was one (PENDING_WORK).
    SKIPPED_WRITE = "SkippedWrite"
    # Seconds (not a count), from every sweep: the oldest alert still unsent after it; 0 when
    # every alert is sent. Alarmed past a bound, and when missing (no sweep ran).
    UNSENT_ALERT_AGE = "UnsentAlertAge"
    # Seconds, likewise: the oldest skipped write (cooldown record, summary) still unfinished.
    UNFINISHED_WRITE_AGE = "UnfinishedWriteAge"
    # The follow-up task channel's own counts (each also counted in the alert counts above).
    TASK_CREATED = "FollowUpTaskCreated"  # StartTaskContact confirmed the contact's task
    TASK_FAILED = "FollowUpTaskFailed"  # a StartTaskContact call not confirmed (retried)
    # A task resent when Connect may no longer dedupe it on its ClientToken (channels/task.py).
    TASK_POSSIBLE_DUPLICATE = "FollowUpTaskPossibleDuplicate"
