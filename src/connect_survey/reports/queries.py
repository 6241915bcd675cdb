"""The report SQL, written once in Athena's (Trino) dialect: the stack saves it as named queries,
`connect-survey report` translates it for DuckDB. Also the CTR table schema both sides read.

Every query is self-contained (the two views are inlined as CTEs), so it runs in Athena as saved,
and reads the date range as two `?` execution parameters (first day, last day, `YYYY-MM-DD`),
which keeps Athena's partition pruning on `contact_date`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from connect_survey.lambda_asset.survey import contract
from connect_survey.lambda_asset.survey.contract import FALSE
from connect_survey.lambda_asset.survey.sampling import (
    DECISION_ATTRIBUTE,
    ELIGIBLE_ATTRIBUTE,
    Decision,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from connect_survey.lambda_asset.survey.definition import Metric, SurveyDefinition

TABLE: Final = "ctr"
PARTITION_COLUMN: Final = "contact_date"
PARTITION_FORMAT: Final = "yyyy-MM-dd"  # as Athena partition projection and Firehose write it
# The CTR fields reports read (Hive types, lower case as Glue and Parquet store them), but the
# attributes (`ctr_columns`). Connect adds fields over time; the table names only these, and
# Firehose's Parquet conversion drops every JSON key the table does not name, the customer's and
# system's endpoints (phone numbers) among them.
CTR_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("awscontacttracerecordformatversion", "string"),
    ("awsaccountid", "string"),
    ("instancearn", "string"),
    ("contactid", "string"),
    ("initialcontactid", "string"),
    ("previouscontactid", "string"),
    ("channel", "string"),
    ("initiationmethod", "string"),
    ("initiationtimestamp", "string"),
    ("disconnecttimestamp", "string"),
    ("lastupdatetimestamp", "string"),
    ("disconnectreason", "string"),
    ("agent", "struct<username:string,arn:string,connectedtoagenttimestamp:string>"),
    ("queue", "struct<name:string,arn:string>"),
)
ATTRIBUTES_COLUMN: Final = "attributes"
# The follow-up task a low score starts (channel TASK, `FOLLOW_UP_FOR_ATTRIBUTE` = the surveyed
# contact): accepted when an agent connected to it, expired when Connect ended it unassigned.
TASK_CHANNEL: Final = "TASK"
EXPIRED_REASON: Final = "EXPIRED"


class FollowUp(StrEnum):
    """What became of a low-score contact's follow-up task (`follow_up`; `--json` says the same)."""

    ACCEPTED = "accepted"  # an agent accepted a task: followed up
    EXPIRED = "expired"  # Connect ended the task unassigned (DisconnectReason EXPIRED)
    ENDED = "ended"  # the task ended otherwise, never accepted (a flow or StopContact ended it)
    OPEN = "open"  # no ended task in the records: still open, or not created


NO_VALUE: Final = "(none)"  # group name of contacts without an agent, queue, mode or language
GROUPINGS: Final[dict[str, str]] = {
    "byDay": "contact_date",
    "byQueue": "queue",
    "byAgent": "agent",
    "byMode": "mode",
    "byLanguage": "language",
}
# Why a contact was not offered a survey: the flows store the outcome in `SurveyEligible`
# (true/false) and the reason (a `Decision` value) in `DECISION_ATTRIBUTE`; a skipped contact
# without a reason (records written before the flows stored it) counts under `skipped` only.
SKIPPED: Final = (Decision.SAMPLING, Decision.COOLDOWN, Decision.WITHHELD)


@dataclass(frozen=True)
class DecisionFigure:
    """A count of contacts by eligibility decision: the decision, and its name in `--json`."""

    decision: Decision
    json_name: str


# Skip reasons and the undecided outcome, by figure name (SQL column).
DECISION_FIGURES: Final[dict[str, DecisionFigure]] = {
    "skipped_sampling": DecisionFigure(Decision.SAMPLING, "skippedBySampling"),
    "skipped_cooldown": DecisionFigure(Decision.COOLDOWN, "skippedByCooldown"),
    "skipped_withheld": DecisionFigure(Decision.WITHHELD, "skippedWithheldNumber"),
    "undecided": DecisionFigure(Decision.UNDECIDED, "undecided"),
}


@dataclass(frozen=True)
class NamedQuery:
    """One saved Athena query; `sql` reads two `?` parameters: first and last contact date."""

    name: str
    description: str
    sql: str


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def survey_contact_attributes(definition: SurveyDefinition) -> tuple[str, ...]:
    """The contact attributes that make a record a survey contact's (any one of them): those the
    flows set and the answers, in table order; names equal but for case count once (the table
    stores them in lower case)."""
    names = (
        contract.SURVEY_STATUS_ATTRIBUTE,
        contract.SURVEY_MODE_ATTRIBUTE,
        contract.LANGUAGE_ATTRIBUTE,
        ELIGIBLE_ATTRIBUTE,
        DECISION_ATTRIBUTE,
        *(q.attribute for q in definition.questions),
    )
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.lower(), name)
    return tuple(unique.values())


def report_attributes(definition: SurveyDefinition) -> tuple[str, ...]:
    """Every contact attribute the reports read: the survey contact's and the follow-up link.
    Only these reach the table: no caller key, no other attribute of the instance."""
    return (*survey_contact_attributes(definition), contract.FOLLOW_UP_FOR_ATTRIBUTE)


def attribute_field(name: str) -> str:
    """The field of the `attributes` struct that holds contact attribute `name` (Firehose's
    case-insensitive JSON reading lower-cases keys, and Glue stores names in lower case)."""
    return name.lower()


def ctr_columns(definition: SurveyDefinition) -> tuple[tuple[str, str], ...]:
    """The table's columns (Hive types): the CTR fields reports read, and the attributes they
    read as a struct, never a map, so no other attribute can be stored."""
    fields = ",".join(f"{attribute_field(a)}:string" for a in report_attributes(definition))
    return (*CTR_FIELDS, (ATTRIBUTES_COLUMN, f"struct<{fields}>"))


def attribute_value(name: str) -> str:
    """The SQL of contact attribute `name` (a field of the attributes struct), NULL when unset."""
    return f"{ATTRIBUTES_COLUMN}.{attribute_field(name)}"


def _score(attribute: str) -> str:
    """The answer in `attribute` as an integer, NULL if it is not a whole number."""
    return f"TRY_CAST({attribute_value(attribute)} AS INTEGER)"


def _epoch(timestamp: str) -> str:
    """A CTR timestamp (ISO 8601 text) in seconds since the epoch, NULL if it is not one."""
    return f"to_unixtime(TRY(from_iso8601_timestamp({timestamp})))"


def score_column(key: str) -> str:
    """The survey_contacts column holding the valid answer to question `key`."""
    return f"score_{key.replace('-', '_')}"


def contacts_view(definition: SurveyDefinition) -> str:
    """One row per survey contact (the latest copy: Connect delivers CTRs at least once), with
    its groups, survey status, eligibility decision, one column per question holding the valid
    answer or NULL, and for a low-score contact its follow-up: `follow_up` (`FollowUp`) and
    `follow_up_minutes` from the end of the contact to an agent accepting its task.

    A survey contact's record has one of `survey_contact_attributes` and is not a task; a
    follow-up task's record is a task with `SurveyFollowUpFor` (it also carries the surveyed
    contact's attributes: StartTaskContact's RelatedContactId copies them). Tasks are read from
    the same contact dates as the surveys and count in no other figure.

    Fields leave the attributes first (`copies`). Most contacts have one copy: those pass
    straight through, and only the few re-delivered ones are ranked (ROW_NUMBER, latest first).
    DuckDB computes `copies` once; this is about twice as fast there as merging every
    contact's copies (GROUP BY with one max_by per field) and three times as fast as ranking
    every copy. Athena inlines `copies` where it is used: before the follow-up tasks it read
    2.7 times one pass's bytes (for a million demo contacts, 139 MB instead of 51 MB, under a
    tenth of a cent); `follow_ups` reads it once more (not measured in Athena).
    """
    score_names = [score_column(q.key) for q in definition.questions]
    names = ", ".join(score_names)
    scores = ",\n        ".join(
        f"{_score(q.attribute)} AS {score_column(q.key)}" for q in definition.questions
    )
    in_range = ",\n    ".join(
        f"CASE WHEN {score_column(q.key)} BETWEEN {definition.scale_min} AND "
        f"{definition.scale_max} THEN {score_column(q.key)} END AS {score_column(q.key)}"
        for q in definition.questions
    )
    answers = " + ".join(
        f"CASE WHEN {score_column(q.key)} IS NULL THEN 0 ELSE 1 END" for q in definition.questions
    )
    # A valid answer below the threshold (the threshold is above the scale's minimum). Known in
    # `copies` already, so only low-score contacts carry their end time further.
    low = " OR ".join(
        f"COALESCE({_score(q.attribute)} BETWEEN {definition.scale_min} AND "
        f"{definition.low_score_threshold - 1}, FALSE)"
        for q in definition.questions
    )
    statuses = ", ".join(_quote(s) for s in contract.SURVEY_STATUSES)
    decisions = ", ".join(_quote(d.value) for d in Decision)
    skips = ", ".join(_quote(d.value) for d in SKIPPED)
    marks = ", ".join(attribute_value(a) for a in survey_contact_attributes(definition))
    is_task = f"COALESCE(channel = {_quote(TASK_CHANNEL)}, FALSE)"
    follow_up_for = attribute_value(contract.FOLLOW_UP_FOR_ATTRIBUTE)
    groups = "contact_id, contact_date, agent, queue, mode, language"
    fields = f"{groups}, survey_status, eligible, decision, {names}, low_score, disconnected"
    copy_fields = ", ".join(f"copies.{name.strip()}" for name in fields.split(","))
    tasks = "tasks, accepted_tasks, expired_tasks, accepted_at"
    same_contact = (
        "repeated.contact_date = copies.contact_date AND repeated.contact_id = copies.contact_id"
    )
    offered = f"COALESCE(survey_status IN ({statuses}), FALSE) OR answers > 0"
    return f"""SELECT {groups}, survey_status, decision, {names}, answers, offered,
    NOT offered AND (COALESCE(eligible = {_quote(FALSE)}, FALSE)
      OR COALESCE(decision IN ({skips}), FALSE)) AS skipped,
    low_score,
    CASE WHEN NOT low_score THEN NULL
      WHEN accepted_tasks > 0 THEN {_quote(FollowUp.ACCEPTED)}
      WHEN expired_tasks > 0 THEN {_quote(FollowUp.EXPIRED)}
      WHEN tasks > 0 THEN {_quote(FollowUp.ENDED)}
      ELSE {_quote(FollowUp.OPEN)} END AS follow_up,
    CASE WHEN low_score THEN (accepted_at - {_epoch("disconnected")}) / 60E0
      END AS follow_up_minutes
  FROM (
  SELECT {groups}, survey_status, eligible, decision, {names}, answers, low_score,
    {offered} AS offered, disconnected, {tasks}
  FROM (
  SELECT {groups}, survey_status, eligible, decision, {names}, {answers} AS answers,
    low_score, disconnected, {tasks}
  FROM (
  SELECT {groups}, NULLIF(survey_status, '') AS survey_status, eligible,
    CASE WHEN decision IN ({decisions}) THEN decision END AS decision,
    {in_range},
    low_score, disconnected, {tasks}
  FROM (
    WITH copies AS (
      SELECT contactid AS contact_id, {PARTITION_COLUMN} AS contact_date,
        lastupdatetimestamp AS last_update, {is_task} AS is_task,
        COALESCE(agent.username, {_quote(NO_VALUE)}) AS agent,
        COALESCE(queue.name, {_quote(NO_VALUE)}) AS queue,
        COALESCE({attribute_value(contract.SURVEY_MODE_ATTRIBUTE)}, {_quote(NO_VALUE)}) AS mode,
        COALESCE({attribute_value(contract.LANGUAGE_ATTRIBUTE)}, {_quote(NO_VALUE)}) AS language,
        {attribute_value(contract.SURVEY_STATUS_ATTRIBUTE)} AS survey_status,
        {attribute_value(ELIGIBLE_ATTRIBUTE)} AS eligible,
        {attribute_value(DECISION_ATTRIBUTE)} AS decision,
        {scores},
        {low} AS low_score,
        CASE WHEN {low} THEN disconnecttimestamp END AS disconnected,
        CASE WHEN {is_task} THEN {follow_up_for} END AS follow_up_for,
        CASE WHEN {is_task} THEN NULLIF(agent.connectedtoagenttimestamp, '') END AS accepted,
        CASE WHEN {is_task} THEN disconnectreason END AS disconnect_reason
      FROM {TABLE}
      WHERE {PARTITION_COLUMN} BETWEEN ? AND ?
        AND CASE WHEN {is_task} THEN {follow_up_for} IS NOT NULL
          ELSE COALESCE({marks}) IS NOT NULL END
    ),
    repeated AS (
      SELECT contact_date, contact_id FROM copies WHERE NOT is_task
      GROUP BY contact_date, contact_id HAVING count(*) > 1
    ),
    follow_ups AS (
      SELECT follow_up_for, count(*) AS tasks, count(accepted) AS accepted_tasks,
        count_if(COALESCE(disconnect_reason = {_quote(EXPIRED_REASON)}, FALSE)) AS expired_tasks,
        min({_epoch("accepted")}) AS accepted_at
      FROM copies WHERE is_task
      GROUP BY follow_up_for
    )
    SELECT {fields}, {tasks} FROM (
      SELECT {copy_fields}
      FROM copies LEFT JOIN repeated ON {same_contact}
      WHERE repeated.contact_id IS NULL AND NOT copies.is_task
      UNION ALL
      SELECT {fields} FROM (
        SELECT {copy_fields},
          ROW_NUMBER() OVER (PARTITION BY copies.contact_date, copies.contact_id
            ORDER BY copies.last_update DESC NULLS LAST) AS copy
        FROM copies JOIN repeated ON {same_contact}
      ) AS ranked
      WHERE copy = 1
    ) AS latest
    LEFT JOIN follow_ups ON latest.contact_id = follow_ups.follow_up_for
  ) AS followed
  ) AS scored
  ) AS counted
  ) AS classified"""


def answers_view(definition: SurveyDefinition) -> str:
    """One row per valid answer: the contact's groups, the question, its metric and score."""
    arms = "\n  UNION ALL\n  ".join(
        f"SELECT contact_id, contact_date, agent, queue, mode, language, "
        f"{_quote(q.key)} AS question, "
        f"{_quote(q.metric) if q.metric else 'CAST(NULL AS VARCHAR)'} AS metric, "
        f"{score_column(q.key)} AS score FROM survey_contacts"
        for q in definition.questions
    )
    return f"""SELECT * FROM (
  {arms}
  ) AS answer
  WHERE score IS NOT NULL"""


def _with_contacts(definition: SurveyDefinition, body: str, *ctes: str) -> str:
    """`body` over the `survey_contacts` CTE, and any further CTEs (`name AS (...)`) after it."""
    more = "".join(f",\n{cte}" for cte in ctes)
    return f"WITH survey_contacts AS (\n  {contacts_view(definition)}\n){more}\n{body}"


def over_contacts(definition: SurveyDefinition, sql: str) -> str:
    """A named query without its `survey_contacts` CTE, to run where that relation already
    exists (materialized once, as `connect-survey report` does for its several queries)."""
    head = f"WITH survey_contacts AS (\n  {contacts_view(definition)}\n)"
    if not sql.startswith(head):
        raise ValueError("not a query over survey_contacts")
    rest = sql[len(head) :]
    return "WITH " + rest[2:] if rest.startswith(",\n") else rest.lstrip("\n")


def _with_views(definition: SurveyDefinition, body: str) -> str:
    return (
        f"WITH survey_contacts AS (\n  {contacts_view(definition)}\n),\n"
        f"survey_answers AS (\n  {answers_view(definition)}\n)\n{body}"
    )


def _ratio(numerators: list[str], denominators: list[str], scale: str = "100E0 * ") -> str:
    """numerators / denominators as a DOUBLE (Athena reads `100.0` as a DECIMAL and would keep
    one decimal place; `100E0` is a DOUBLE in both engines)."""
    if not denominators:
        return "CAST(NULL AS DOUBLE)"
    return f"{scale}({' + '.join(numerators)}) / NULLIF({' + '.join(denominators)}, 0)"


def _decision_counters() -> dict[str, str]:
    """Contacts per skip reason (skipped ones only) and undecided checks (whatever followed).

    `COALESCE(..., FALSE)`: DuckDB's count_if gives NULL, not 0, when every input is NULL.
    """
    counters = {}
    for name, figure in DECISION_FIGURES.items():
        decision = figure.decision
        skipped = "skipped AND " if decision in SKIPPED else ""
        condition = f"COALESCE({skipped}decision = {_quote(decision.value)}, FALSE)"
        counters[name] = f"count_if({condition})"
    return counters


def _counters(definition: SurveyDefinition) -> dict[str, str]:
    """Every count the figures are made of: name -> aggregate over survey_contacts rows."""
    counters = {
        "contacts": "count(*)",
        "offered": "count_if(offered)",
        "answered": "count_if(answers > 0)",
        "skipped": "count_if(skipped)",
    }
    counters.update(_decision_counters())
    counters["low_score_contacts"] = "count_if(low_score)"
    counters["followed_up"] = f"count_if(COALESCE(follow_up = {_quote(FollowUp.ACCEPTED)}, FALSE))"
    bands = definition.bands
    if bands is None:
        return counters
    for question in definition.questions:
        column = score_column(question.key)
        if question.metric is None:
            continue
        counters[f"{column}_n"] = f"count({column})"
        if question.metric in ("csat", "ces"):
            counters[f"{column}_ok"] = f"count_if({column} >= {bands.satisfied_min})"
        if question.metric == "nps":
            counters[f"{column}_promoters"] = f"count_if({column} >= {bands.promoter_min})"
            counters[f"{column}_detractors"] = f"count_if({column} <= {bands.detractor_max})"
        if question.metric == "ces":
            counters[f"{column}_sum"] = f"COALESCE(sum({column}), 0)"
    return counters


def _figures(definition: SurveyDefinition, total: Callable[[str], str] | None = None) -> str:
    """Contacts, offered, answered, response rate, skipped (and why), the follow-up of low
    scores (its times come from `_follow_up_times`), CSAT, NPS, CES over the grouped contacts.
    `total(counter)` is the SQL of one of `_counters` over the group: the aggregate itself
    (default), or the sum of per-subgroup counts (`all_metrics_query`).

    A metric counts answers, not contacts: two CSAT questions give two answers per contact.
    Skipped contacts were never offered, so they lower neither `offered` nor the response rate.
    """
    counters = _counters(definition)
    value = total or counters.__getitem__
    bands = definition.bands

    def columns(metric: Metric) -> list[str]:
        return [score_column(q.key) for q in definition.questions if q.metric == metric]

    def each(metric: Metric, counter: str) -> list[str]:
        return [value(f"{c}_{counter}") for c in columns(metric)]

    decided = ",\n    ".join(f"{value(name)} AS {name}" for name in DECISION_FIGURES)
    low, followed = value("low_score_contacts"), value("followed_up")
    figures = f"""{value("contacts")} AS contacts, {value("offered")} AS offered,
    {value("answered")} AS answered,
    {_ratio([value("answered")], [value("offered")])} AS response_rate,
    {value("skipped")} AS skipped,
    {decided},
    {low} AS low_score_contacts, {followed} AS followed_up,
    {_ratio([followed], [low])} AS follow_up_rate,
    {low} - {followed} AS not_followed_up"""
    if bands is None:
        return figures + (
            ",\n    CAST(NULL AS DOUBLE) AS csat, CAST(NULL AS DOUBLE) AS nps, "
            "CAST(NULL AS DOUBLE) AS ces, CAST(NULL AS DOUBLE) AS ces_share"
        )
    nps = [
        f"{a} - {b}"
        for a, b in zip(each("nps", "promoters"), each("nps", "detractors"), strict=True)
    ]
    return f"""{figures},
    {_ratio(each("csat", "ok"), each("csat", "n"))} AS csat,
    {_ratio(nps, each("nps", "n"))} AS nps,
    {_ratio(each("ces", "sum"), each("ces", "n"), "1E0 * ")} AS ces,
    {_ratio(each("ces", "ok"), each("ces", "n"))} AS ces_share"""


def _percentile(percent: int) -> str:
    """The `percent` percentile of a group's follow-up minutes (`sorted`, ascending),
    interpolated between the two nearest ranks, as `statistics.quantiles(...,
    method="inclusive")` and numpy's default do. Exact, where Athena has only approximate
    percentiles; the rank is counted in whole hundredths, so no rounding can miss an element."""
    rank = f"(100 + {percent} * (cardinality(sorted) - 1))"  # 100 x the 1-based rank
    share = f"mod({rank}, 100)"
    below = f"element_at(sorted, CAST(({rank} - {share}) / 100 AS BIGINT))"
    above = (
        f"element_at(sorted, CAST(({rank} - {share}) / 100 AS BIGINT) "
        f"+ CASE WHEN {share} > 0 THEN 1 ELSE 0 END)"
    )
    return f"{below} + {share} / 100E0 * ({above} - {below})"


def _follow_up_times(groupings: dict[str, str | None]) -> str:
    """The `follow_up_times` CTE: per `grouping_name` (a name in `groupings`) and `group_name`
    (the value of its survey_contacts column, or 'all' for None), the median and 90th
    percentile of the follow-up minutes. Percentiles do not add up, so these are not counted
    per combination of groups as the other figures are: each group sorts its own minutes."""
    columns = {name: column for name, column in groupings.items() if column}
    overall = [name for name, column in groupings.items() if not column]
    if not columns:  # overall only
        name, value, grouped = _quote(overall[0]), "'all'", ""
    elif not overall and len(columns) == 1:  # one grouping
        ((only, column),) = columns.items()
        name, value, grouped = _quote(only), column, f"GROUP BY {column}"
    else:
        arms = " ".join(f"WHEN grouping({c}) = 0 THEN {_quote(n)}" for n, c in columns.items())
        name = f"CASE {arms} ELSE {_quote(overall[0]) if overall else 'NULL'} END"
        value = f"COALESCE({', '.join(columns.values())}, 'all')"
        sets = ", ".join(["()"] * bool(overall) + [f"({c})" for c in columns.values()])
        grouped = f"GROUP BY GROUPING SETS ({sets})"
    return f"""follow_up_times AS (
  SELECT grouping_name, group_name,
    {_percentile(50)} AS follow_up_minutes_median,
    {_percentile(90)} AS follow_up_minutes_p90
  FROM (
    SELECT {name} AS grouping_name, {value} AS group_name,
      array_agg(follow_up_minutes ORDER BY follow_up_minutes) AS sorted
    FROM survey_contacts WHERE follow_up_minutes IS NOT NULL
    {grouped}
  ) AS timed
)"""


FOLLOW_UP_TIMES: Final = "times.follow_up_minutes_median, times.follow_up_minutes_p90"


def metrics_query(definition: SurveyDefinition, group: str | None) -> str:
    """The figures per group (a survey_contacts column), or overall."""
    key = group or "'all'"
    body = f"""SELECT figures.*, {FOLLOW_UP_TIMES}
FROM (
  SELECT {key} AS group_name,
    {_figures(definition)}
  FROM survey_contacts GROUP BY 1
) AS figures
LEFT JOIN follow_up_times AS times ON times.group_name = figures.group_name
ORDER BY 1"""
    return _with_contacts(definition, body, _follow_up_times({"group": group}))


def all_metrics_query(definition: SurveyDefinition) -> str:
    """Overall and every grouping in one pass; `grouping_name` says which.

    The contacts are counted once per combination of all groups (a few thousand rows), and
    the GROUPING SETS add those counts up: one pass over the contacts instead of one per set.
    """
    arms = " ".join(
        f"WHEN grouping({column}) = 0 THEN {_quote(name)}" for name, column in GROUPINGS.items()
    )
    value = ", ".join(GROUPINGS.values())
    sets = ", ".join(f"({column})" for column in GROUPINGS.values())
    counts = ",\n    ".join(f"{sql} AS {name}" for name, sql in _counters(definition).items())
    body = f"""SELECT figures.*, {FOLLOW_UP_TIMES}
FROM (
  SELECT CASE {arms} ELSE 'overall' END AS grouping_name,
    COALESCE({value}, 'all') AS group_name,
    {_figures(definition, lambda counter: f"sum({counter})")}
  FROM (
    SELECT {value},
      {counts}
    FROM survey_contacts
    GROUP BY {value}
  ) AS combinations
  GROUP BY GROUPING SETS ((), {sets})
) AS figures
LEFT JOIN follow_up_times AS times
  ON times.grouping_name = figures.grouping_name AND times.group_name = figures.group_name
ORDER BY 1, 2"""
    times = _follow_up_times({"overall": None, **GROUPINGS})
    return _with_contacts(definition, body, times)


def response_rate_query(definition: SurveyDefinition) -> str:
    """Per day: how many contacts were offered a survey and how far they got, and how many
    were not offered one (skipped by sampling, cooldown or a withheld number)."""
    status = contract
    decided = ",\n  ".join(f"{sql} AS {name}" for name, sql in _decision_counters().items())
    body = f"""SELECT contact_date, count(*) AS contacts, count_if(offered) AS offered,
  count_if(survey_status = {_quote(status.STATUS_COMPLETE)}) AS complete,
  count_if(survey_status = {_quote(status.STATUS_PARTIAL)}) AS partial,
  count_if(survey_status = {_quote(status.STATUS_UNANSWERED)}) AS unanswered,
  count_if(answers > 0) AS answered,
  100E0 * count_if(answers > 0) / NULLIF(count_if(offered), 0) AS response_rate,
  count_if(skipped) AS skipped,
  {decided}
FROM survey_contacts GROUP BY contact_date ORDER BY contact_date"""
    return _with_contacts(definition, body)


def distribution_query(definition: SurveyDefinition) -> str:
    """How many answers each score got, per question."""
    body = """SELECT question, score, count(*) AS answers
FROM survey_answers GROUP BY question, score ORDER BY question, score"""
    return _with_views(definition, body)


def _contact_list(definition: SurveyDefinition, condition: str) -> str:
    """Low-score contacts (`condition` narrows them): who handled each, its lowest score, every
    answer (a column per question) and what became of its follow-up task."""
    names = [score_column(q.key) for q in definition.questions]
    lowest = ", ".join(f"COALESCE({n}, {definition.scale_max})" for n in names)
    lowest_sql = f"least({lowest})" if len(names) > 1 else lowest
    body = f"""SELECT contact_date, contact_id, agent, queue, mode, language,
  {lowest_sql} AS lowest,
  {", ".join(names)},
  follow_up, follow_up_minutes
FROM survey_contacts WHERE {condition}
ORDER BY contact_date, contact_id"""
    return _with_contacts(definition, body)


def low_scores_query(definition: SurveyDefinition) -> str:
    """Every contact with an answer below the low-score threshold, with its follow-up."""
    return _contact_list(definition, "low_score")


def not_followed_up_query(definition: SurveyDefinition) -> str:
    """The low-score contacts no agent has accepted a follow-up task for (`follow_up`: the
    task expired, ended otherwise, or is still open)."""
    return _contact_list(definition, f"low_score AND follow_up <> {_quote(FollowUp.ACCEPTED)}")


def named_queries(definition: SurveyDefinition) -> tuple[NamedQuery, ...]:
    """Every report query, named as Athena shows it; parameters: first and last contact date."""
    dates = "Parameters: first and last contact date (YYYY-MM-DD)."
    follow = "low scores followed up (rate, median and p90 minutes to a task accepted)"
    per = {
        "byDay": "day", "byQueue": "queue", "byAgent": "agent", "byMode": "survey mode",
        "byLanguage": "language",
    }  # fmt: skip
    return (
        NamedQuery(
            "survey-metrics-overall",
            f"Contacts, response rate, skipped, CSAT, NPS, CES and {follow} over a date range. "
            + dates,
            metrics_query(definition, None),
        ),
        *(
            NamedQuery(
                f"survey-metrics-by-{per[name].split()[-1]}",
                f"Contacts, response rate, skipped, CSAT, NPS, CES and {follow} per {per[name]}. "
                + dates,
                metrics_query(definition, column),
            )
            for name, column in GROUPINGS.items()
        ),
        NamedQuery(
            "survey-metrics-all",
            "Overall and per day, queue, agent, mode and language in one pass (column "
            "grouping_name). " + dates,
            all_metrics_query(definition),
        ),
        NamedQuery(
            "survey-response-rate",
            "Per day: offered, complete, partial, unanswered, response rate, skipped by "
            f"sampling, cooldown or withheld number. {dates}",
            response_rate_query(definition),
        ),
        NamedQuery(
            "survey-score-distribution",
            f"Answers per score for each question. {dates}",
            distribution_query(definition),
        ),
        NamedQuery(
            "survey-low-scores",
            "Contacts with an answer below the low-score threshold with agent, queue and "
            f"follow-up (accepted, expired, ended, open). {dates}",
            low_scores_query(definition),
        ),
        NamedQuery(
            "survey-not-followed-up",
            "Low-score contacts whose follow-up task no agent accepted: expired, ended, or still "
            f"open. {dates}",
            not_followed_up_query(definition),
        ),
    )


def view_queries(definition: SurveyDefinition) -> tuple[NamedQuery, ...]:
    """`CREATE VIEW` statements for BI tools that browse tables (QuickSight, JDBC clients).

    Views cannot take parameters, so these cover every date; filter on `contact_date`.
    """
    everything = ("'0000-01-01'", "'9999-12-31'")

    def dated(sql: str) -> str:
        return sql.replace("BETWEEN ? AND ?", f"BETWEEN {everything[0]} AND {everything[1]}")

    return (
        NamedQuery(
            "survey-create-view-contacts",
            "Creates the view survey_contacts: one row per contact with its groups and status.",
            f"CREATE OR REPLACE VIEW survey_contacts AS\n{dated(contacts_view(definition))}",
        ),
        NamedQuery(
            "survey-create-view-answers",
            "Creates the view survey_answers: one row per valid answer with its metric.",
            f"CREATE OR REPLACE VIEW survey_answers AS\n{answers_view(definition)}",
        ),
    )
