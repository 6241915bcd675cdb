"""The report SQL, written once in Athena's (Trino) dialect: the stack saves it as named queries,
`connect-survey report` translates it for DuckDB. Also the CTR table schema both sides read.

Every query is self-contained (the two views are inlined as CTEs), so it runs in Athena as saved,
and reads the date range as two `?` execution parameters (first day, last day, `YYYY-MM-DD`),
which keeps Athena's partition pruning on `contact_date`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from lambdas.survey import contract

if TYPE_CHECKING:
    from lambdas.survey.definition import Metric, SurveyDefinition

TABLE: Final = "ctr"
PARTITION_COLUMN: Final = "contact_date"
PARTITION_FORMAT: Final = "yyyy-MM-dd"  # as Athena partition projection and Firehose write it
# The CTR fields reports read (Hive types, lower case as Glue and Parquet store them). Connect
# adds fields over time; the table names only these, and Firehose drops the rest.
CTR_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
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
    ("agent", "struct<username:string,arn:string>"),
    ("queue", "struct<name:string,arn:string>"),
    ("attributes", "map<string,string>"),
)
NO_VALUE: Final = "(none)"  # group name of contacts without an agent, queue or mode
GROUPINGS: Final[dict[str, str]] = {
    "byDay": "contact_date",
    "byQueue": "queue",
    "byAgent": "agent",
    "byMode": "mode",
}


@dataclass(frozen=True)
class NamedQuery:
    """One saved Athena query; `sql` reads two `?` parameters: first and last contact date."""

    name: str
    description: str
    sql: str


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _score(attribute: str) -> str:
    """The answer in `attribute` as an integer, NULL if it is not a whole number."""
    return f"TRY_CAST(element_at(attributes, {_quote(attribute)}) AS INTEGER)"


def score_column(key: str) -> str:
    """The survey_contacts column holding the valid answer to question `key`."""
    return f"score_{key.replace('-', '_')}"


def contacts_view(definition: SurveyDefinition) -> str:
    """One row per contact (the latest copy: Connect delivers CTRs at least once), with its
    groups, survey status and one column per question holding the valid answer or NULL.

    Fields leave the attribute map before copies are merged (GROUP BY contact, latest copy's
    values by max_by), so the merge never carries the map: five times faster on DuckDB than a
    window over whole records, and less data shuffled in Athena.
    """
    score_names = [score_column(q.key) for q in definition.questions]
    names = ", ".join(score_names)
    scores = ",\n      ".join(
        f"COALESCE({_score(q.attribute)}, -1) AS {score_column(q.key)}"
        for q in definition.questions
    )
    in_range = ",\n    ".join(
        f"CASE WHEN {score_column(q.key)} BETWEEN {definition.scale_min} AND "
        f"{definition.scale_max} THEN {score_column(q.key)} END AS {score_column(q.key)}"
        for q in definition.questions
    )
    answers = " + ".join(
        f"CASE WHEN {score_column(q.key)} IS NULL THEN 0 ELSE 1 END" for q in definition.questions
    )
    statuses = ", ".join(_quote(s) for s in contract.SURVEY_STATUSES)
    groups = "contact_id, contact_date, agent, queue, mode, survey_status"
    # The latest copy's value of each field. Values are never NULL here (NULL becomes '' or
    # -1 until after the GROUP BY): DuckDB's arg_max skips NULLs, Athena's max_by keeps them.
    latest = ",\n    ".join(
        f"max_by({name}, last_update) AS {name}"
        for name in ("agent", "queue", "mode", "survey_status", *score_names)
    )
    return f"""SELECT {groups}, {names}, answers,
    COALESCE(survey_status IN ({statuses}), FALSE) OR answers > 0 AS offered
  FROM (
  SELECT {groups}, {names}, {answers} AS answers
  FROM (
  SELECT contact_id, contact_date, agent, queue, mode,
    NULLIF(survey_status, '') AS survey_status,
    {in_range}
  FROM (
  SELECT contact_id, contact_date, {latest}
  FROM (
    SELECT contactid AS contact_id, {PARTITION_COLUMN} AS contact_date,
      lastupdatetimestamp AS last_update,
      COALESCE(agent.username, {_quote(NO_VALUE)}) AS agent,
      COALESCE(queue.name, {_quote(NO_VALUE)}) AS queue,
      COALESCE(element_at(attributes, {_quote(contract.SURVEY_MODE_ATTRIBUTE)}),
        {_quote(NO_VALUE)}) AS mode,
      COALESCE(element_at(attributes, {_quote(contract.SURVEY_STATUS_ATTRIBUTE)}), '')
        AS survey_status,
      {scores}
    FROM {TABLE}
    WHERE {PARTITION_COLUMN} BETWEEN ? AND ?
  ) AS copies
  GROUP BY contact_date, contact_id
  ) AS latest
  ) AS scored
  ) AS counted"""


def answers_view(definition: SurveyDefinition) -> str:
    """One row per valid answer: the contact's groups, the question, its metric and score."""
    arms = "\n  UNION ALL\n  ".join(
        f"SELECT contact_id, contact_date, agent, queue, mode, {_quote(q.key)} AS question, "
        f"{_quote(q.metric) if q.metric else 'CAST(NULL AS VARCHAR)'} AS metric, "
        f"{score_column(q.key)} AS score FROM survey_contacts"
        for q in definition.questions
    )
    return f"""SELECT * FROM (
  {arms}
  ) AS answer
  WHERE score IS NOT NULL"""


def _with_contacts(definition: SurveyDefinition, body: str) -> str:
    return f"WITH survey_contacts AS (\n  {contacts_view(definition)}\n)\n{body}"


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


def _figures(definition: SurveyDefinition) -> str:
    """Contacts, offered, answered, response rate, CSAT, NPS, CES over the grouped contacts.

    A metric counts answers, not contacts: two CSAT questions give two answers per contact.
    """
    bands = definition.bands

    def columns(metric: Metric) -> list[str]:
        return [score_column(q.key) for q in definition.questions if q.metric == metric]

    def share(metric: Metric, condition: str) -> list[str]:
        return [f"count_if({c} {condition})" for c in columns(metric)]

    def counted(metric: Metric) -> list[str]:
        return [f"count({c})" for c in columns(metric)]

    figures = """count(*) AS contacts, count_if(offered) AS offered,
    count_if(answers > 0) AS answered,
    100E0 * count_if(answers > 0) / NULLIF(count_if(offered), 0) AS response_rate"""
    if bands is None:
        return figures + (
            ",\n    CAST(NULL AS DOUBLE) AS csat, CAST(NULL AS DOUBLE) AS nps, "
            "CAST(NULL AS DOUBLE) AS ces, CAST(NULL AS DOUBLE) AS ces_share"
        )
    promoters = share("nps", f">= {bands.promoter_min}")
    detractors = share("nps", f"<= {bands.detractor_max}")
    nps = [f"{a} - {b}" for a, b in zip(promoters, detractors, strict=True)]
    ces_sum = [f"COALESCE(sum({c}), 0)" for c in columns("ces")]
    return f"""{figures},
    {_ratio(share("csat", f">= {bands.satisfied_min}"), counted("csat"))} AS csat,
    {_ratio(nps, counted("nps"))} AS nps,
    {_ratio(ces_sum, counted("ces"), "1E0 * ")} AS ces,
    {_ratio(share("ces", f">= {bands.satisfied_min}"), counted("ces"))} AS ces_share"""


def metrics_query(definition: SurveyDefinition, group: str | None) -> str:
    """The figures per group (a survey_contacts column), or overall."""
    key = group or "'all'"
    body = f"""SELECT {key} AS group_name,
    {_figures(definition)}
FROM survey_contacts GROUP BY 1 ORDER BY 1"""
    return _with_contacts(definition, body)


def all_metrics_query(definition: SurveyDefinition) -> str:
    """Overall and every grouping in one pass (GROUPING SETS); `grouping_name` says which."""
    arms = " ".join(
        f"WHEN grouping({column}) = 0 THEN {_quote(name)}" for name, column in GROUPINGS.items()
    )
    value = ", ".join(GROUPINGS.values())
    sets = ", ".join(f"({column})" for column in GROUPINGS.values())
    body = f"""SELECT CASE {arms} ELSE 'overall' END AS grouping_name,
    COALESCE({value}, 'all') AS group_name,
    {_figures(definition)}
FROM survey_contacts
GROUP BY GROUPING SETS ((), {sets})
ORDER BY 1, 2"""
    return _with_contacts(definition, body)


def response_rate_query(definition: SurveyDefinition) -> str:
    """Per day: how many contacts were offered a survey, and how far they got."""
    status = contract
    body = f"""SELECT contact_date, count_if(offered) AS offered,
  count_if(survey_status = {_quote(status.STATUS_COMPLETE)}) AS complete,
  count_if(survey_status = {_quote(status.STATUS_PARTIAL)}) AS partial,
  count_if(survey_status = {_quote(status.STATUS_UNANSWERED)}) AS unanswered,
  count_if(answers > 0) AS answered,
  100E0 * count_if(answers > 0) / NULLIF(count_if(offered), 0) AS response_rate
FROM survey_contacts GROUP BY contact_date ORDER BY contact_date"""
    return _with_contacts(definition, body)


def distribution_query(definition: SurveyDefinition) -> str:
    """How many answers each score got, per question."""
    body = """SELECT question, score, count(*) AS answers
FROM survey_answers GROUP BY question, score ORDER BY question, score"""
    return _with_views(definition, body)


def low_scores_query(definition: SurveyDefinition) -> str:
    """Every contact with an answer below the low-score threshold: who handled it, its lowest
    score and every answer (a column per question)."""
    names = [score_column(q.key) for q in definition.questions]
    low = " OR ".join(f"{n} < {definition.low_score_threshold}" for n in names)
    lowest = ", ".join(f"COALESCE({n}, {definition.scale_max})" for n in names)
    lowest_sql = f"least({lowest})" if len(names) > 1 else lowest
    body = f"""SELECT contact_date, contact_id, agent, queue, mode, {lowest_sql} AS lowest,
  {", ".join(names)}
FROM survey_contacts WHERE {low}
ORDER BY contact_date, contact_id"""
    return _with_contacts(definition, body)


def named_queries(definition: SurveyDefinition) -> tuple[NamedQuery, ...]:
    """Every report query, named as Athena shows it; parameters: first and last contact date."""
    dates = "Parameters: first and last contact date (YYYY-MM-DD)."
    per = {"byDay": "day", "byQueue": "queue", "byAgent": "agent", "byMode": "survey mode"}
    return (
        NamedQuery(
            "survey-metrics-overall",
            f"Contacts, response rate, CSAT, NPS and CES over a date range. {dates}",
            metrics_query(definition, None),
        ),
        *(
            NamedQuery(
                f"survey-metrics-by-{per[name].split()[-1]}",
                f"Contacts, response rate, CSAT, NPS and CES per {per[name]}. {dates}",
                metrics_query(definition, column),
            )
            for name, column in GROUPINGS.items()
        ),
        NamedQuery(
            "survey-metrics-all",
            "Overall and per day, queue, agent and mode in one pass (column grouping_name). "
            + dates,
            all_metrics_query(definition),
        ),
        NamedQuery(
            "survey-response-rate",
            f"Per day: offered, complete, partial, unanswered, response rate. {dates}",
            response_rate_query(definition),
        ),
        NamedQuery(
            "survey-score-distribution",
            f"Answers per score for each question. {dates}",
            distribution_query(definition),
        ),
        NamedQuery(
            "survey-low-scores",
            f"Answers below the low-score threshold with contact, agent and queue. {dates}",
            low_scores_query(definition),
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
