"""Run the Athena named queries on DuckDB over local CTR files (translated once with sqlglot)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, overload

import duckdb
import sqlglot

from connect_survey.lambda_asset.survey import contract
from connect_survey.reports import queries
from connect_survey.reports.files import arrow_schema, partition_date, read_sources

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa

    from connect_survey.lambda_asset.survey.definition import SurveyDefinition
    from connect_survey.reports.files import Problem

FIRST_DAY: Final = "0000-01-01"
LAST_DAY: Final = "9999-12-31"
EMPTY: Final[dict[str, Any]] = {
    "contacts": 0, "offered": 0, "answered": 0, "response_rate": None, "skipped": 0,
    **dict.fromkeys(queries.DECISION_FIGURES, 0),
    "low_score_contacts": 0, "followed_up": 0, "follow_up_rate": None, "not_followed_up": 0,
    "follow_up_minutes_median": None, "follow_up_minutes_p90": None,
    "csat": None, "nps": None, "ces": None, "ces_share": None,
}  # fmt: skip


@functools.cache
def to_duckdb(athena_sql: str) -> str:
    """The Athena (Trino) statement in DuckDB's dialect."""
    return str(sqlglot.transpile(athena_sql, read="trino", write="duckdb")[0])


@dataclass(frozen=True)
class Filters:
    """Which contacts a report covers; empty tuples mean all."""

    first_day: str | None = None
    last_day: str | None = None
    queues: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()

    def athena_condition(self) -> str:
        """The filters as an Athena condition on the CTR table (translated like the queries).
        They choose survey contacts by the surveyed agent, queue and mode: follow-up tasks
        (another queue, a supervisor) all stay, to be matched with the contacts chosen."""

        def among(expression: str, values: tuple[str, ...]) -> str:
            quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
            return f"{expression} IN ({quoted})"

        conditions = ["TRUE"]
        if self.queues:
            conditions.append(among("queue.name", self.queues))
        if self.agents:
            conditions.append(among("agent.username", self.agents))
        if self.modes:
            mode = queries.attribute_value(contract.SURVEY_MODE_ATTRIBUTE)
            conditions.append(among(mode, self.modes))
        task = f"COALESCE(channel = '{queries.TASK_CHANNEL}', FALSE)"
        return f"{task} OR ({' AND '.join(conditions)})"

    @property
    def dates(self) -> tuple[str, str]:
        return self.first_day or FIRST_DAY, self.last_day or LAST_DAY


def _minutes(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


class LowScores(Sequence[dict[str, Any]]):
    """Low-score contacts (all, or those not followed up) as a query over the report's
    contacts, run when read: a report of a million contacts can list a hundred thousand, the
    tables print only their number and the page the first 500; `--json` reads them all."""

    def __init__(self, relation: duckdb.DuckDBPyRelation, survey: SurveyDefinition) -> None:
        self.relation = relation
        self.survey = survey
        self._count: int | None = None
        self._rows: pa.Table | None = None

    def __len__(self) -> int:
        if self._rows is not None:
            return int(self._rows.num_rows)
        if self._count is None:
            self._count = int(self.relation.aggregate("count(*)").fetchall()[0][0])
        return self._count

    def _table(self) -> pa.Table:
        """Every row in the query's order (fetched once, as columns)."""
        if self._rows is None:
            self._rows = self.relation.to_arrow_table()
        return self._rows

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._contacts(self._table().slice(start, max(0, stop - start)))
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._contacts(self._table().slice(index % len(self), 1))[0]

    def _contacts(self, table: pa.Table) -> list[dict[str, Any]]:
        keys = [(q.key, queries.score_column(q.key)) for q in self.survey.questions]
        return [
            {
                "contactDate": row["contact_date"],
                "contactId": row["contact_id"],
                "agent": row["agent"],
                "queue": row["queue"],
                "mode": row["mode"],
                "language": row["language"],
                "lowest": row["lowest"],
                "scores": {key: row[column] for key, column in keys},
                "followUp": row["follow_up"],
                "followUpMinutes": _minutes(row["follow_up_minutes"]),
            }
            for row in table.to_pylist()
        ]


@dataclass
class Report:
    """Every figure of one report, and what was skipped on the way."""

    overall: dict[str, Any]
    groups: dict[str, dict[str, dict[str, Any]]]
    distribution: dict[str, dict[int, int]]
    low_scores: Sequence[dict[str, Any]]
    not_followed_up: Sequence[dict[str, Any]] = ()
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            **self.groups,
            "scoreDistribution": {
                question: {str(score): n for score, n in counts.items()}
                for question, counts in self.distribution.items()
            },
            "lowScores": list(self.low_scores[:]),
            "notFollowedUpContacts": list(self.not_followed_up[:]),
            "skipped": [str(p) for p in self.problems],
        }


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    def pct(value: Any) -> float | None:
        return None if value is None else round(float(value), 2)

    return {
        "contacts": int(row["contacts"] or 0),
        "offered": int(row["offered"] or 0),
        "answered": int(row["answered"] or 0),
        "responseRate": pct(row["response_rate"]),
        "skipped": int(row["skipped"] or 0),
        **{f.json_name: int(row[column] or 0) for column, f in queries.DECISION_FIGURES.items()},
        "csat": pct(row["csat"]),
        "nps": pct(row["nps"]),
        "ces": {"mean": pct(row["ces"]), "share": pct(row["ces_share"])},
        "lowScoreContacts": int(row["low_score_contacts"] or 0),
        "followedUp": int(row["followed_up"] or 0),
        "followUpRate": pct(row["follow_up_rate"]),
        "followUpMinutesMedian": _minutes(row["follow_up_minutes_median"]),
        "followUpMinutesP90": _minutes(row["follow_up_minutes_p90"]),
        "notFollowedUp": int(row["not_followed_up"] or 0),
    }


class ReportDatabase:
    """An in-memory DuckDB holding the `ctr` table the Athena queries read."""

    def __init__(
        self, paths: Sequence[Path], survey: SurveyDefinition, filters: Filters | None = None
    ) -> None:
        self.survey = survey
        self.filters = filters or Filters()
        sources = read_sources(paths, survey)
        self.problems = sources.problems
        self.connection = duckdb.connect()
        # Every query that returns rows in an order says so (ORDER BY); the rest may go faster.
        self.connection.execute("SET preserve_insertion_order = false")
        # Each join has the smaller relation on its right, to build the hash table from. DuckDB
        # would otherwise judge a UNION's size (it has no estimate) smaller than the follow-up
        # tasks, and build from every contact instead (a sixth of the report's CPU time).
        self.connection.execute("SET disabled_optimizers = 'build_side_probe_side'")
        self.connection.execute("SET enable_progress_bar = false")  # stdout is the report's
        self.connection.register("json_ctr", sources.json_records)
        schema = arrow_schema(survey)
        columns = ", ".join(schema.names)
        # Only sources that hold records: an empty Arrow scan in the union would still cost
        # DuckDB its parallel plan.
        selects = [f"SELECT {columns} FROM json_ctr"] if sources.json_records.num_rows else []
        first, last = self.filters.dates
        partitioned, flat = [], []
        for path in sources.parquet_files:
            day = partition_date(path)
            if day is None:
                flat.append(str(path))
            elif first <= day <= last:  # partition pruning, as Athena's projection does
                partitioned.append(str(path))
        if partitioned:
            selects.append(
                f"SELECT {columns} FROM read_parquet({partitioned!r}, hive_partitioning = true, "
                f"hive_types = {{'{queries.PARTITION_COLUMN}': VARCHAR}}, union_by_name = true)"
            )
        if flat:
            plain = ", ".join(n for n in schema.names if n != queries.PARTITION_COLUMN)
            selects.append(
                f"SELECT {plain}, substr(initiationtimestamp, 1, 10) AS "
                f"{queries.PARTITION_COLUMN} FROM read_parquet({flat!r}, union_by_name = true)"
            )
        if not selects:
            selects.append(f"SELECT {columns} FROM json_ctr")  # no records: an empty table
        condition = to_duckdb(f"SELECT * FROM t WHERE {self.filters.athena_condition()}")
        where = condition.split(" WHERE ", 1)[1]
        self.connection.execute(
            f"CREATE VIEW {queries.TABLE} AS SELECT * FROM ("
            + " UNION ALL BY NAME ".join(selects)
            + f") WHERE {where}"
        )

    def run(self, athena_sql: str) -> list[dict[str, Any]]:
        """One named query (Athena SQL) over the filtered dates, rows as dicts."""
        result = self.connection.execute(to_duckdb(athena_sql), list(self.filters.dates))
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def materialize_contacts(self) -> None:
        """Compute the `survey_contacts` CTE once, as a table the report's queries share."""
        view = to_duckdb(f"SELECT * FROM ({queries.contacts_view(self.survey)}) AS contacts")
        self.connection.execute(
            f"CREATE OR REPLACE TEMP TABLE survey_contacts AS {view}", list(self.filters.dates)
        )

    def run_over_contacts(self, athena_sql: str) -> list[dict[str, Any]]:
        """A named query over the materialized `survey_contacts` (see `materialize_contacts`)."""
        result = self.connection.execute(to_duckdb(queries.over_contacts(self.survey, athena_sql)))
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def report(self) -> Report:
        """Every figure; the contacts are de-duplicated and scored once for all queries."""
        survey = self.survey
        self.materialize_contacts()
        run = self.run_over_contacts
        groups: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in queries.GROUPINGS}
        overall = _figures(EMPTY)
        for row in run(queries.all_metrics_query(survey)):
            if row["grouping_name"] == "overall":
                overall = _figures(row)
            else:
                groups[row["grouping_name"]][str(row["group_name"])] = _figures(row)
        distribution: dict[str, dict[int, int]] = {q.key: {} for q in survey.questions}
        for row in run(queries.distribution_query(survey)):
            distribution[row["question"]][int(row["score"])] = int(row["answers"])
        low_scores, not_followed_up = (
            LowScores(self.connection.sql(to_duckdb(queries.over_contacts(survey, sql))), survey)
            for sql in (queries.low_scores_query(survey), queries.not_followed_up_query(survey))
        )
        return Report(
            overall=overall,
            groups=groups,
            distribution=distribution,
            low_scores=low_scores,
            not_followed_up=not_followed_up,
            problems=self.problems,
        )
