"""Where escalations go: the supervisor queue, a callback queue, and a routing profile holding both.

A queue is answered only by agents whose routing profile contains it, so the stack always
creates `{namePrefix}-supervisors` (voice) with both queues; supervisors are assigned to it in
the Connect console. Queued callbacks count toward their queue's size, so they get a queue of
their own rather than filling the supervisor queue.
https://docs.aws.amazon.com/connect/latest/adminguide/concepts-routing.html
"""

from __future__ import annotations

from aws_cdk import aws_connect as connect
from constructs import Construct

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
VOICE = "VOICE"
TASK = "TASK"
# Follow-up tasks a supervisor may hold at once (Connect allows 1 to 10 per agent).
SUPERVISOR_TASKS = 10
# Connect writes "open all day" as 00:00 to 00:00 (an end of 23:59 would close for a minute).
MIDNIGHT = connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(hours=0, minutes=0)


class SupervisorRouting(Construct):
    """Creates the queues the stage does not name, and the routing profile supervisors use."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        instance_arn: str,
        supervisor_name: str,
        callback_name: str,
        routing_profile_name: str,
        supervisor_queue_arn: str | None,
        callback_queue_arn: str | None,
        max_contacts: int,
        callback_caller_id_number_arn: str | None,
        supervisor_tasks: bool = False,
    ) -> None:
        """`supervisor_tasks`: follow-up tasks wait in the supervisor queue, so the profile
        takes tasks from it too."""
        super().__init__(scope, construct_id)
        hours: connect.CfnHoursOfOperation | None = None
        if supervisor_queue_arn is None or callback_queue_arn is None:
            hours = connect.CfnHoursOfOperation(
                self,
                "Hours",
                instance_arn=instance_arn,
                name=f"{supervisor_name}-24x7",
                description="Always open: low-score callers may ask for a supervisor at any time.",
                time_zone="UTC",
                config=[
                    connect.CfnHoursOfOperation.HoursOfOperationConfigProperty(
                        day=day, start_time=MIDNIGHT, end_time=MIDNIGHT
                    )
                    for day in DAYS
                ],
            )
        if supervisor_queue_arn is None:
            assert hours is not None
            supervisor_queue_arn = connect.CfnQueue(
                self,
                "Queue",
                instance_arn=instance_arn,
                name=supervisor_name,
                description="Callers who gave a low survey score and asked for a supervisor.",
                hours_of_operation_arn=hours.attr_hours_of_operation_arn,
                # Without a maximum, QueueAtCapacity never fires and callers wait indefinitely.
                max_contacts=max_contacts,
            ).attr_queue_arn
        if callback_queue_arn is None:
            assert hours is not None
            callback_queue_arn = connect.CfnQueue(
                self,
                "CallbackQueue",
                instance_arn=instance_arn,
                name=callback_name,
                description="Callbacks promised to low-score callers when no supervisor was free.",
                hours_of_operation_arn=hours.attr_hours_of_operation_arn,
                outbound_caller_config=connect.CfnQueue.OutboundCallerConfigProperty(
                    outbound_caller_id_name="Customer care",
                    outbound_caller_id_number_arn=callback_caller_id_number_arn,
                ),
            ).attr_queue_arn
        self.supervisor_queue_arn: str = supervisor_queue_arn
        self.callback_queue_arn: str = callback_queue_arn
        self.routing_profile = connect.CfnRoutingProfile(
            self,
            "RoutingProfile",
            instance_arn=instance_arn,
            name=routing_profile_name,
            description="Supervisors: escalated survey callers and their callbacks (voice)"
            + (", and follow-up tasks of low scores (task)." if supervisor_tasks else "."),
            default_outbound_queue_arn=callback_queue_arn,
            media_concurrencies=[
                connect.CfnRoutingProfile.MediaConcurrencyProperty(channel=VOICE, concurrency=1),
                *(
                    [
                        connect.CfnRoutingProfile.MediaConcurrencyProperty(
                            channel=TASK, concurrency=SUPERVISOR_TASKS
                        )
                    ]
                    if supervisor_tasks
                    else []
                ),
            ],
            queue_configs=[
                connect.CfnRoutingProfile.RoutingProfileQueueConfigProperty(
                    delay=0,
                    priority=priority,
                    queue_reference=connect.CfnRoutingProfile.RoutingProfileQueueReferenceProperty(
                        channel=channel, queue_arn=arn
                    ),
                )
                for priority, channel, arn in (
                    (1, VOICE, supervisor_queue_arn),
                    (2, VOICE, callback_queue_arn),
                    *([(1, TASK, supervisor_queue_arn)] if supervisor_tasks else []),
                )
            ],
        )
