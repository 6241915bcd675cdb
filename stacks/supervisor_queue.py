"""The supervisor queue the escalation flow transfers to, when the stage does not name one."""

from __future__ import annotations

from aws_cdk import aws_connect as connect
from constructs import Construct

DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


class SupervisorQueue(Construct):
    """A queue open 24x7 (supervisors decide who answers through their routing profiles)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, instance_arn: str, name: str
    ) -> None:
        super().__init__(scope, construct_id)
        hours = connect.CfnHoursOfOperation(
            self,
            "Hours",
            instance_arn=instance_arn,
            name=f"{name}-24x7",
            description="Always open: low-score callers may ask for a supervisor at any time.",
            time_zone="UTC",
            config=[
                connect.CfnHoursOfOperation.HoursOfOperationConfigProperty(
                    day=day,
                    start_time=connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(
                        hours=0, minutes=0
                    ),
                    end_time=connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(
                        hours=23, minutes=59
                    ),
                )
                for day in DAYS
            ],
        )
        self.queue = connect.CfnQueue(
            self,
            "Queue",
            instance_arn=instance_arn,
            name=name,
            description="Callers who gave a low survey score and asked for a supervisor.",
            hours_of_operation_arn=hours.attr_hours_of_operation_arn,
        )
        self.queue_arn: str = self.queue.attr_queue_arn
