"""A report as text tables, and as one self-contained HTML page with charts (inline SVG made
with matplotlib: no script, no font or file fetched, so it reads the same with no network)."""

from __future__ import annotations

import html
import io
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from connect_survey.reports.engine import Report

GROUP_TITLES: Final = {
    "byDay": "day", "byQueue": "queue", "byAgent": "agent", "byMode": "survey mode",
    "byLanguage": "language",
}  # fmt: skip
# Why contacts were not offered a survey (and checks that failed): `--json` name -> label.
SKIP_LABELS: Final = {
    "skippedBySampling": "by sampling",
    "skippedByCooldown": "by cooldown",
    "skippedWithheldNumber": "withheld no.",
    "undecided": "undecided",
}
RESPONSE_CHART: Final = "Response rate and skipped contacts per day"
LANGUAGE_CHART: Final = "CSAT, NPS and response rate per language"
FOLLOW_UP_CHART: Final = "Follow-up of low scores per day: rate and minutes to a task accepted"
FOLLOW_UP_RATE_COLOUR: Final = "#0072B2"  # Okabe-Ito blue, in no other chart
# The response chart's stacked bars: label -> colour (colour-blind friendly, Okabe-Ito).
OUTCOME_COLOURS: Final = {
    "answered": "#009E73",
    "offered, no answer": "#56B4E9",
    "skipped by sampling": "#E69F00",
    "skipped by cooldown": "#CC79A7",
    "skipped: withheld number": "#D55E00",
    "skipped, reason not recorded": "#999999",
}
COLUMNS: Final = (
    "contacts", "offered", "answered", "response %", "skipped", *SKIP_LABELS.values(),
    "CSAT %", "NPS", "CES", "CES 4-5 %",
)  # fmt: skip
FOLLOW_UP_COLUMNS: Final = (
    "low-score", "followed up", "follow-up %", "median min", "p90 min", "not followed up",
)  # fmt: skip
FOLLOW_UP_TITLE: Final = (
    "Follow-up of low scores (a task accepted by an agent; minutes from the end of the call)"
)
LISTED: Final = 500  # contacts the page lists; --json has them all


def _number(value: Any, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _follow_up_cells(figures: dict[str, Any]) -> list[str]:
    return [
        str(figures["lowScoreContacts"]),
        str(figures["followedUp"]),
        _number(figures["followUpRate"]),
        _number(figures["followUpMinutesMedian"]),
        _number(figures["followUpMinutesP90"]),
        str(figures["notFollowedUp"]),
    ]


def _cells(figures: dict[str, Any]) -> list[str]:
    number = _number
    return [
        str(figures["contacts"]),
        str(figures["offered"]),
        str(figures["answered"]),
        number(figures["responseRate"]),
        str(figures["skipped"]),
        *(str(figures[name]) for name in SKIP_LABELS),
        number(figures["csat"]),
        number(figures["nps"]),
        number(figures["ces"]["mean"], 2),
        number(figures["ces"]["share"]),
    ]


def text_tables(report: Report) -> str:
    """Overall, then one table per grouping; the follow-up of low scores the same way; then
    how many low-score contacts there are and how many were not followed up."""
    blocks = [_table("overall", {"all": report.overall})]
    for name, title in GROUP_TITLES.items():
        blocks.append(_table(title, report.groups[name]))
    blocks.append(FOLLOW_UP_TITLE)
    blocks.append(_table("overall", {"all": report.overall}, FOLLOW_UP_COLUMNS, _follow_up_cells))
    for name, title in GROUP_TITLES.items():
        blocks.append(_table(title, report.groups[name], FOLLOW_UP_COLUMNS, _follow_up_cells))
    blocks.append(
        f"low-score contacts: {len(report.low_scores)}, not followed up: "
        f"{len(report.not_followed_up)} (--json lists them)"
    )
    return "\n\n".join(blocks)


def _table(
    title: str,
    rows: dict[str, dict[str, Any]],
    columns: tuple[str, ...] = COLUMNS,
    cells: Callable[[dict[str, Any]], list[str]] = _cells,
) -> str:
    header = [title, *columns]
    body = [[name, *cells(figures)] for name, figures in rows.items()]
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )
        for row in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    # No date in the metadata: the same report gives the same page.
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def charts(report: Report) -> dict[str, str]:
    """Chart title -> inline SVG: trend per day, per agent, per language, score distribution,
    response rate and skipped contacts, follow-up of low scores per day."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "path", "figure.dpi": 96, "font.size": 9})
    out: dict[str, str] = {}
    days = report.groups["byDay"]
    names = list(days)

    figure, left = plt.subplots(figsize=(9, 3.4))
    for key, label in (("csat", "CSAT %"), ("nps", "NPS")):
        left.plot(names, [days[d][key] for d in names], marker="o", markersize=3, label=label)
    left.set_ylabel("percent / NPS points")
    right = left.twinx()
    right.plot(
        names, [days[d]["ces"]["mean"] for d in names], color="tab:green", marker="s",
        markersize=3, label="CES (mean)",
    )  # fmt: skip
    right.set_ylabel("CES mean score")
    right.set_ylim(1, 5)  # the whole 1-5 scale, so small daily moves look small
    handles, labels = left.get_legend_handles_labels()
    more_handles, more_labels = right.get_legend_handles_labels()
    left.legend(handles + more_handles, labels + more_labels, loc="lower left", fontsize=8)
    left.tick_params(axis="x", labelrotation=60, labelsize=7)
    out["CSAT, NPS and CES per day"] = _svg(figure)
    plt.close(figure)

    agents = report.groups["byAgent"]
    agent_names = [a for a in agents if agents[a]["answered"]]
    figure, axes = plt.subplots(figsize=(9, 3.4))
    width = 0.4
    positions = range(len(agent_names))
    axes.bar([p - width / 2 for p in positions], [agents[a]["csat"] or 0 for a in agent_names],
             width, label="CSAT %")  # fmt: skip
    axes.bar([p + width / 2 for p in positions], [agents[a]["nps"] or 0 for a in agent_names],
             width, label="NPS")  # fmt: skip
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_xticks(list(positions), agent_names, rotation=30, ha="right")
    axes.legend(fontsize=8)
    out["CSAT and NPS per agent"] = _svg(figure)
    plt.close(figure)

    languages = report.groups["byLanguage"]
    language_names = list(languages)
    figure, axes = plt.subplots(figsize=(9, 3.0))
    width = 0.27
    positions = range(len(language_names))
    for shift, (key, label) in zip(
        (-width, 0.0, width),
        (("csat", "CSAT %"), ("nps", "NPS"), ("responseRate", "response rate %")),
        strict=True,
    ):
        values = [languages[name][key] or 0 for name in language_names]
        axes.bar([p + shift for p in positions], values, width, label=label)
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_xticks(list(positions), language_names)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside the bars
    out[LANGUAGE_CHART] = _svg(figure)
    plt.close(figure)

    questions = list(report.distribution)
    figure, axes = plt.subplots(figsize=(9, 3.4))
    scores = sorted({s for counts in report.distribution.values() for s in counts})
    width = 0.8 / max(1, len(questions))
    for i, question in enumerate(questions):
        counts = report.distribution[question]
        axes.bar([s + (i - (len(questions) - 1) / 2) * width for s in scores],
                 [counts.get(s, 0) for s in scores], width, label=question)  # fmt: skip
    axes.set_xticks(scores)
    axes.set_xlabel("score")
    axes.set_ylabel("answers")
    axes.legend(fontsize=8)
    out["Score distribution per question"] = _svg(figure)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(9, 3.8))
    outcomes = {
        "answered": [days[d]["answered"] for d in names],
        "offered, no answer": [days[d]["offered"] - days[d]["answered"] for d in names],
        "skipped by sampling": [days[d]["skippedBySampling"] for d in names],
        "skipped by cooldown": [days[d]["skippedByCooldown"] for d in names],
        "skipped: withheld number": [days[d]["skippedWithheldNumber"] for d in names],
        "skipped, reason not recorded": [
            days[d]["skipped"]
            - days[d]["skippedBySampling"]
            - days[d]["skippedByCooldown"]
            - days[d]["skippedWithheldNumber"]
            for d in names
        ],
    }
    bottom = [0] * len(names)
    for label, contacts in outcomes.items():
        if any(contacts):  # a legend entry only for what happened
            axes.bar(names, contacts, bottom=bottom, color=OUTCOME_COLOURS[label], label=label)
            bottom = [b + c for b, c in zip(bottom, contacts, strict=True)]
    axes.set_ylabel("contacts")
    axes.tick_params(axis="x", labelrotation=60, labelsize=7)
    rate = axes.twinx()
    rate.plot(names, [days[d]["responseRate"] for d in names], color="black", marker="o",
              markersize=3, label="response rate % (answered / offered)")  # fmt: skip
    rate.set_ylabel("response rate %")
    rate.set_ylim(0, 100)
    handles, labels = axes.get_legend_handles_labels()
    more_handles, more_labels = rate.get_legend_handles_labels()
    axes.legend(handles + more_handles, labels + more_labels, fontsize=7, loc="upper center",
                bbox_to_anchor=(0.5, -0.32), ncol=4, frameon=False)  # fmt: skip
    out[RESPONSE_CHART] = _svg(figure)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(9, 3.4))
    axes.bar(names, [days[d]["followUpRate"] or 0 for d in names], color=FOLLOW_UP_RATE_COLOUR,
             label="followed up % (of low-score contacts)")  # fmt: skip
    axes.set_ylabel("followed up %")
    axes.set_ylim(0, 100)
    axes.tick_params(axis="x", labelrotation=60, labelsize=7)
    minutes = axes.twinx()
    for key, label, style in (("followUpMinutesMedian", "median minutes", "-"),
                              ("followUpMinutesP90", "p90 minutes", "--")):  # fmt: skip
        values = [days[d][key] for d in names]
        minutes.plot(names, [float("nan") if v is None else v for v in values], color="black",
                     linestyle=style, marker="o", markersize=3, label=label)  # fmt: skip
    minutes.set_ylabel("minutes to a task accepted")
    minutes.set_ylim(bottom=0)
    handles, labels = axes.get_legend_handles_labels()
    more_handles, more_labels = minutes.get_legend_handles_labels()
    axes.legend(handles + more_handles, labels + more_labels, fontsize=7, loc="upper center",
                bbox_to_anchor=(0.5, -0.32), ncol=3, frameon=False)  # fmt: skip
    out[FOLLOW_UP_CHART] = _svg(figure)
    plt.close(figure)
    return out


def html_page(report: Report, *, title: str = "Post-call survey report") -> str:
    """One HTML file: figures, charts as inline SVG, tables, the follow-up of low scores, the
    low-score contacts and those not followed up, skipped input."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1000px}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
        "figure{margin:1.5em 0}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        _html_table("overall", {"all": report.overall}),
    ]
    for caption, svg in charts(report).items():
        parts.append(
            f'<figure class="chart"><figcaption>{html.escape(caption)}</figcaption>{svg}</figure>'
        )
    for name, heading in GROUP_TITLES.items():
        parts.append(f"<h2>Per {heading}</h2>")
        parts.append(_html_table(heading, report.groups[name]))
    parts.append(f"<h2>{html.escape(FOLLOW_UP_TITLE)}</h2>")
    parts.append(
        _html_table("overall", {"all": report.overall}, FOLLOW_UP_COLUMNS, _follow_up_cells)
    )
    for name, heading in GROUP_TITLES.items():
        parts.append(_html_table(heading, report.groups[name], FOLLOW_UP_COLUMNS, _follow_up_cells))
    parts.extend(_html_contacts("Low-score contacts", report.low_scores))
    parts.extend(_html_contacts("Not followed up", report.not_followed_up))
    if report.problems:
        parts.append(f"<h2>Skipped input ({len(report.problems)})</h2><ul>")
        parts.extend(f"<li>{html.escape(str(p))}</li>" for p in report.problems[:200])
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_contacts(heading: str, contacts: Sequence[dict[str, Any]]) -> list[str]:
    """A list of contacts (the first `LISTED`) with their follow-up."""
    keys = ("contactDate", "contactId", "agent", "queue", "mode", "lowest", "followUp")
    parts = [
        f"<h2>{html.escape(heading)} ({len(contacts)})</h2>",
        "<table><tr>"
        + "".join(
            f"<th>{h}</th>"
            for h in ("date", "contact", "agent", "queue", "mode", "lowest", "follow-up")
        )
        + "</tr>",
    ]
    for row in contacts[:LISTED]:
        parts.append(
            "<tr>" + "".join(f"<td>{html.escape(str(row[k]))}</td>" for k in keys) + "</tr>"
        )
    parts.append("</table>")
    if len(contacts) > LISTED:
        parts.append(f"<p>First {LISTED} shown; narrow the dates or use --json for all.</p>")
    return parts


def _html_table(
    title: str,
    rows: dict[str, dict[str, Any]],
    columns: tuple[str, ...] = COLUMNS,
    cells: Callable[[dict[str, Any]], list[str]] = _cells,
) -> str:
    header = "".join(f"<th>{html.escape(c)}</th>" for c in (title, *columns))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in [name, *cells(figures)]) + "</tr>"
        for name, figures in rows.items()
    )
    return f"<table><tr>{header}</tr>{body}</table>"
