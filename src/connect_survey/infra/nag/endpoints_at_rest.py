"""The reporting path writes no caller's or dialled number (nor the caller key) to S3.

A contact record carries `CustomerEndpoint` and `SystemEndpoint` (phone numbers) and, in its
`Attributes`, whatever the flows set (`SurveyCallerKey` among them). Firehose's Parquet
conversion writes only the columns of the Glue table it converts against, so the table decides
what lands in S3: a column (or struct field) named after an endpoint or the caller key, or a map
(which holds any attribute it is given), can hold a number or the key. A stream that does not
convert writes the raw JSON records; a source backup copies them as they arrive.

Not checked here: Firehose's error output (records that failed conversion, raw), which the
bucket's lifecycle must expire; an L2 bucket's lifecycle is not readable from a rule.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from aws_cdk import aws_glue as glue
from aws_cdk import aws_kinesisfirehose as firehose
from cdk_nag import NagRuleCompliance

from connect_survey.infra.nag.template import Compliance, as_list, resolved, text
from connect_survey.lambda_asset.survey.sampling import CALLER_KEY_ATTRIBUTE

if TYPE_CHECKING:
    from aws_cdk import CfnResource

# Contact record fields holding a phone number, and the attribute holding the caller's key.
FORBIDDEN_FIELDS: Final = frozenset(
    name.lower() for name in ("CustomerEndpoint", "SystemEndpoint", CALLER_KEY_ATTRIBUTE)
)
STRUCT_FIELD: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*:")

READS: Final = (glue.CfnTable, firehose.CfnDeliveryStream)
"""The resource types the rule reads; the pack hands it no other."""


def reporting_path_holds_no_endpoints(node: CfnResource) -> Compliance:
    """Findings: `Column::<name>` (an endpoint, the caller key, or a map), `RawRecords::<prefix>`
    (no Parquet conversion), `SourceBackup` (raw records copied as they arrive)."""
    if isinstance(node, glue.CfnTable):
        return _column_findings(resolved(node, node.table_input)) or NagRuleCompliance.COMPLIANT
    if isinstance(node, firehose.CfnDeliveryStream):
        destination = resolved(node, node.extended_s3_destination_configuration)
        if not isinstance(destination, dict):
            return NagRuleCompliance.NOT_APPLICABLE
        return _delivery_findings(destination) or NagRuleCompliance.COMPLIANT
    return NagRuleCompliance.NOT_APPLICABLE


def _column_findings(table_input: Any) -> list[str]:
    if not isinstance(table_input, dict):
        return []
    descriptor = table_input.get("storageDescriptor") or {}
    columns = [
        *as_list(descriptor.get("columns") if isinstance(descriptor, dict) else None),
        *as_list(table_input.get("partitionKeys")),
    ]
    findings = []
    for column in columns:
        if not isinstance(column, dict):
            continue
        name, kind = text(column.get("name", "")), text(column.get("type", "")).lower()
        fields = {name.lower(), *(f.lower() for f in STRUCT_FIELD.findall(kind))}
        if fields & FORBIDDEN_FIELDS or "map<" in kind.replace(" ", ""):
            findings.append(f"Column::{name}")
    return findings


def _delivery_findings(destination: dict[str, Any]) -> list[str]:
    findings = []
    conversion = destination.get("dataFormatConversionConfiguration")
    converts = isinstance(conversion, dict) and conversion.get("enabled") is not False
    if not converts:
        findings.append(f"RawRecords::{text(destination.get('prefix', ''))}")
    if text(destination.get("s3BackupMode", "Disabled")) == "Enabled":
        findings.append("SourceBackup")
    return findings
