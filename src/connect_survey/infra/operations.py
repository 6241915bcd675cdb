"""Operations: alarms on everything that can lose or delay an answer or an alert, and a dashboard.

Alarms go to their own topic (encrypted with the stage key, which admits this account's alarms;
TLS-only), with optional e-mail subscribers (`opsEmails`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from connect_survey.flows.catalog import resource_name
from connect_survey.infra.alerting import encrypted_tls_only_topic
from connect_survey.lambda_asset.survey.budget import (
    ALERT_FUNCTION_TIMEOUT_SECONDS,
    CALL_PATH,
    UNFINISHED_ALARM_SECONDS,
)
from connect_survey.lambda_asset.survey.contract import (
    ALERT_FUNCTION,
    ELIGIBILITY_FUNCTION,
    METRICS_NAMESPACE,
    SWEEPER_FUNCTION,
    Metric,
)
from connect_survey.lambda_asset.survey.sampling import Decision

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_sqs as sqs

    from connect_survey.infra.stage_key import StageKey

FIVE_MINUTES = Duration.minutes(5)
# Alarm when p99 duration passes this share of the function's time budget.
DURATION_ALARM_SHARE = 0.8
# Handler metrics that mean an answer, an alert, a cooldown or a summary is at risk, and what to do.
ERROR_METRICS: Mapping[Metric, str] = {
    Metric.STORAGE_ERROR: "handlers reported StorageError",
    Metric.ALERT_ERROR: "handlers reported AlertError",
    Metric.INTERNAL_ERROR: "handlers reported InternalError",
    Metric.SKIPPED_WRITE: "handlers reported SkippedWrite: a cooldown record or a complete summary "
    "was not written in time; items marked pendingWork wait for the sweeper, the logs say which "
    "were not marked",
    Metric.INVALID_PARAMETER: "handlers reported InvalidParameter: a flow sent a parameter (or "
    "caller key) not of its allowed form; nothing was stored. Check the flows for console edits",
}
# What the sweeper reports after every sweep (seconds): the oldest work still unfinished.
SWEEP_AGE_METRICS: Mapping[Metric, str] = {
    Metric.UNSENT_ALERT_AGE: "an alert stayed unsent past its bound, or no sweep ran: a channel is "
    "down or the sweeper fails; read the sweeper's logs (docs/alerts.md)",
    Metric.UNFINISHED_WRITE_AGE: "a skipped cooldown record or summary stayed unfinished past its "
    "bound, or no sweep ran; read the sweeper's logs",
}
# The follow-up task channel's counts, on the dashboard.
TASK_METRICS = (Metric.TASK_CREATED, Metric.TASK_POSSIBLE_DUPLICATE, Metric.TASK_FAILED)
# A record older than this in the stream means alerts are late.
ITERATOR_AGE_ALARM = Duration.minutes(5)


class Operations(Construct):
    """Ops topic, alarms per function and per risk metric, and one dashboard per stage."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        functions: Mapping[str, lambda_.Function],
        dead_letters: sqs.IQueue,
        emails: Sequence[str],
        stage_key: StageKey,
        follow_up_tasks: bool = False,
    ) -> None:
        """`follow_up_tasks`: the alert function starts tasks (an alarm and a widget of theirs)."""
        super().__init__(scope, construct_id)
        self.topic = encrypted_tls_only_topic(
            self, "Topic", display_name="Post-call survey operations alarms", key=stage_key
        )
        stage_key.admit_alarms(self.topic)
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        notify = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        def alarm(
            alarm_id: str,
            metric: cloudwatch.IMetric,
            threshold: float,
            what: str,
            missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
        ) -> None:
            created = cloudwatch.Alarm(
                self,
                alarm_id,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=missing,
                alarm_description=what,
            )
            created.add_alarm_action(notify)
            self.alarms.append(created)

        for key, function in functions.items():
            title = key.title()
            seconds = (
                ALERT_FUNCTION_TIMEOUT_SECONDS
                if key in (ALERT_FUNCTION, SWEEPER_FUNCTION)
                else CALL_PATH.function_timeout_seconds
            )
            limit_ms = seconds * 1000 * DURATION_ALARM_SHARE
            alarm(f"{title}Errors", function.metric_errors(period=FIVE_MINUTES), 0,
                  f"{key}: invocations failed")  # fmt: skip
            alarm(f"{title}Throttles", function.metric_throttles(period=FIVE_MINUTES), 0,
                  f"{key}: invocations throttled")  # fmt: skip
            p99 = function.metric_duration(period=FIVE_MINUTES, statistic="p99")
            alarm(f"{title}SlowP99", p99, limit_ms,
                  f"{key}: p99 duration above 80 % of its {seconds} s timeout")  # fmt: skip
        alert = functions[ALERT_FUNCTION]
        iterator_age = cloudwatch.Metric(
            namespace="AWS/Lambda",
            metric_name="IteratorAge",
            dimensions_map={"FunctionName": alert.function_name},
            statistic="Maximum",
            period=FIVE_MINUTES,
        )
        alarm("AlertIteratorAge", iterator_age, ITERATOR_AGE_ALARM.to_milliseconds(),
              "alert function: stream records wait too long (alerts are late)")  # fmt: skip
        depth = dead_letters.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES)
        alarm("AlertDeadLetters", depth, 0,
              "alert records given up on: an alert that may not have arrived, or a record that "
              "could not be read; the queue names their stream range")  # fmt: skip
        for metric, what in ERROR_METRICS.items():
            alarm(f"Handler{metric.value}", handler_metric(metric, functions), 0, what)
        sweeper = functions.get(SWEEPER_FUNCTION)
        for metric, what in SWEEP_AGE_METRICS.items():
            if sweeper is None:
                break
            age = cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name=metric.value,
                dimensions_map={"service": sweeper.function_name},
                statistic="Maximum",
                period=FIVE_MINUTES,
            )
            # Every sweep reports it (0 when nothing is left): silence means no sweep ran.
            alarm(f"Sweeper{metric.value}", age, UNFINISHED_ALARM_SECONDS, what,
                  missing=cloudwatch.TreatMissingData.BREACHING)  # fmt: skip
        # Tasks are started by whoever sends alerts: the alert function and the sweeper.
        senders = {
            key: functions[key] for key in (ALERT_FUNCTION, SWEEPER_FUNCTION) if key in functions
        }
        if follow_up_tasks:
            alarm("FollowUpTaskFailures", handler_metric(Metric.TASK_FAILED, senders), 0,
                  "StartTaskContact failed: a low score's follow-up task is late (retried); "
                  "see the alert function's log for Connect's error")  # fmt: skip

        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=resource_name(name_prefix, "surveys")
        )
        counts = [
            Metric.ANSWER_RECORDED,
            Metric.INVALID_ANSWER,
            Metric.LOW_SCORE,
            Metric.ALERT_PUBLISHED,
            Metric.ALERT_POSSIBLE_DUPLICATE,
        ]
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Answers, low scores, alerts",
                left=[handler_metric(metric, functions) for metric in counts],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Errors",
                left=[handler_metric(metric, functions) for metric in ERROR_METRICS]
                + [function.metric_errors(period=FIVE_MINUTES) for function in functions.values()],
                width=12,
            ),
        )
        if follow_up_tasks:
            self.dashboard.add_widgets(
                cloudwatch.GraphWidget(
                    title="Follow-up tasks: created, possibly duplicated, failed (retried)",
                    left=[handler_metric(metric, senders) for metric in TASK_METRICS],
                    width=24,
                )
            )
        # Who is offered a survey: the denominator of the response rate, and what sampling and
        # the cooldown hold back (one count per inbound call, from the eligibility function).
        eligibility = {ELIGIBILITY_FUNCTION: functions[ELIGIBILITY_FUNCTION]}
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Survey offers: offered, skipped by sampling, cooldown, withheld number",
                left=[handler_metric(decision.metric, eligibility) for decision in Decision],
                width=24,
            )
        )
        self.dashboard.add_widgets(
            *(
                cloudwatch.GraphWidget(
                    title=f"{key} duration p50 / p99",
                    left=[
                        function.metric_duration(period=FIVE_MINUTES, statistic="p50"),
                        function.metric_duration(period=FIVE_MINUTES, statistic="p99"),
                    ],
                    width=8,
                )
                for key, function in functions.items()
            )
        )


def handler_metric(
    metric: str, functions: Mapping[str, lambda_.Function]
) -> cloudwatch.MathExpression:
    """A handler EMF count (a `Metric`, or an eligibility decision's) summed over `functions`
    (alarms accept math, not SEARCH)."""
    name = str(metric)
    parts = {
        f"{name[0].lower()}{name[1:]}{i}": cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=name,
            dimensions_map={"service": function.function_name},
            statistic="Sum",
            period=FIVE_MINUTES,
        )
        for i, function in enumerate(functions.values())
    }
    return cloudwatch.MathExpression(
        expression=" + ".join(f"FILL({name}, 0)" for name in parts),
        using_metrics=parts,
        label=name,
        period=FIVE_MINUTES,
    )
