"""ConnectSurvey-EndpointsAtRest: the reporting path writes no phone number or caller key."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesisfirehose as firehose

from connect_survey.infra.nag.pack import RULES
from tests.infra.nag.conftest import checked_stack, flagged

[RULE] = [rule for rule in RULES if rule.suffix == "EndpointsAtRest"]
SURVEY_ATTRIBUTES = "struct<effortscore:string,promoterscore:string,survey_opt_in:string>"


def table_findings(*columns: tuple[str, str]) -> list[str]:
    stack = checked_stack()
    glue.CfnTable(
        stack,
        "Table",
        catalog_id="111122223333",
        database_name="reports",
        table_input=glue.CfnTable.TableInputProperty(
            name="contact_records",
            partition_keys=[glue.CfnTable.ColumnProperty(name="contact_date", type="string")],
            storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in columns]
            ),
        ),
    )
    return [finding.finding for finding in flagged(stack, RULE)]


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("attributes", "map<string,string>"),  # any attribute, the caller key included
        ("customerendpoint", "struct<address:string,type:string>"),
        ("SystemEndpoint", "struct<address:string,type:string>"),
        ("attributes", "struct<surveycallerkey:string,effortscore:string>"),
        ("contact", "struct<id:string,customerendpoint:struct<address:string>>"),
    ],
)
def test_a_column_that_can_hold_a_number_or_the_caller_key_is_flagged(
    column: str, kind: str
) -> None:
    assert table_findings(("contactid", "string"), (column, kind)) == [f"Column::{column}"]


def test_the_survey_attributes_as_a_struct_pass() -> None:
    assert table_findings(("contactid", "string"), ("attributes", SURVEY_ATTRIBUTES)) == []


def delivery_findings(**destination: Any) -> list[str]:
    stack = checked_stack()
    firehose.CfnDeliveryStream(
        stack,
        "Delivery",
        extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn="arn:aws:s3:::reports", role_arn="arn:aws:iam::111122223333:role/r",
            prefix="ctr/", **destination,
        ),
    )  # fmt: skip
    return [finding.finding for finding in flagged(stack, RULE)]


CONVERSION = firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty(enabled=True)


def test_a_stream_writing_raw_records_or_backing_them_up_is_flagged() -> None:
    assert delivery_findings() == ["RawRecords::ctr/"]
    assert delivery_findings(
        data_format_conversion_configuration=CONVERSION, s3_backup_mode="Enabled"
    ) == ["SourceBackup"]


def test_a_converting_stream_without_a_raw_backup_passes() -> None:
    assert delivery_findings(data_format_conversion_configuration=CONVERSION) == []
