"""The reporting resources: CTR bucket, Firehose to Parquet, Glue table, Athena, CTR source."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk.assertions import Match, Template

from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage
from connect_survey.reports import queries
from tests.infra.conftest import build_stack

if TYPE_CHECKING:
    from connect_survey.config.stage import StageConfig

EXISTING_STREAM = "arn:aws:kinesis:us-east-1:111122223333:stream/contact-records"


def template_for(stages: dict[str, Any], reporting: dict[str, Any] | None) -> Template:
    if reporting is None:
        stages["dev"].pop("reporting", None)
    else:
        stages["dev"]["reporting"] = reporting
    config: StageConfig = load_stage({"stages": stages}, "dev")
    return Template.from_stack(build_stack(config))


def stage_key_id(template: Template) -> str:
    [key_id] = template.find_resources("AWS::KMS::Key")
    return key_id


def test_records_bucket_is_encrypted_tls_only_versioned_and_expires(
    dev_template: Template,
) -> None:
    # GIVEN the dev stage (reporting on) WHEN synthesized THEN the bucket is locked down
    dev_template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": {"Fn::GetAtt": [stage_key_id(dev_template), "Arn"]},
                        }
                    }
                ]
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "PublicAccessBlockConfiguration": Match.object_like({"BlockPublicAcls": True}),
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [
                        Match.object_like({"Prefix": "athena-results/", "ExpirationInDays": 30}),
                        Match.object_like({"NoncurrentVersionExpiration": {"NoncurrentDays": 30}}),
                    ]
                )
            },
        },
    )
    dev_template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def lifecycle_rules(template: Template) -> dict[str, dict[str, Any]]:
    (bucket,) = template.find_resources("AWS::S3::Bucket").values()
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    return {rule["Id"]: rule for rule in rules}


def test_contact_records_expire_with_the_answers_unless_set_otherwise(
    stages: dict[str, Any],
) -> None:
    # GIVEN dev keeps answers 90 days and sets no CTR retention; prod sets 1096 days
    dev = lifecycle_rules(template_for(stages, {"ctrSource": "create"}))["contact-records"]
    stages["dev"]["resultRetentionDays"] = 400
    longer = lifecycle_rules(template_for(stages, {"ctrSource": "create"}))["contact-records"]
    stages["dev"]["reporting"] = {"ctrSource": "create", "retentionDays": 1096}
    explicit = lifecycle_rules(template_for(stages, stages["dev"]["reporting"]))

    # THEN records follow the answers' days, or the explicit setting; records kept past 90 days
    # move to Infrequent Access first (S3 wants the expiry after the transition)
    assert (dev["Prefix"], dev["ExpirationInDays"], dev["Status"]) == ("ctr/", 90, "Enabled")
    assert "Transitions" not in dev
    assert longer["ExpirationInDays"] == 400
    assert explicit["contact-records"]["ExpirationInDays"] == 1096
    assert explicit["contact-records"]["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": 90}
    ]


def test_failed_records_with_phone_numbers_are_kept_a_week_and_no_older_version(
    dev_template: Template,
) -> None:
    rules = lifecycle_rules(dev_template)
    errors = rules["delivery-errors"]
    assert (errors["Prefix"], errors["ExpirationInDays"]) == ("errors/", 7)
    assert errors["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert rules["delivery-error-markers"]["ExpiredObjectDeleteMarker"] is True
    expiring = [rule for rule in rules.values() if "ExpirationInDays" in rule]
    assert all(rule.get("Prefix") for rule in expiring)  # no rule outlives errors/ unprefixed


def test_firehose_writes_only_under_ctr_and_errors(dev_template: Template) -> None:
    # GIVEN the delivery role's policy
    (role_id,) = dev_template.find_resources(
        "AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp("^Firehose")}}
    )
    policies = dev_template.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role_id}]}}
    )
    statements = [
        statement
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(str(action).startswith("s3:") for action in _list(statement["Action"]))
    ]

    # THEN object actions name the two prefixes, and bucket actions only the bucket
    objects = [s for s in statements if "s3:PutObject" in _list(s["Action"])]
    assert len(objects) == 1
    suffixes = sorted(resource["Fn::Join"][1][1] for resource in objects[0]["Resource"])
    assert suffixes == ["/ctr/*", "/errors/*"]
    for statement in statements:
        for resource in _list(statement["Resource"]):
            if "Fn::GetAtt" in resource:
                assert "s3:PutObject" not in _list(statement["Action"])


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_glue_table_holds_only_the_attributes_reports_read_and_no_map(
    dev_template: Template, dev_config: StageConfig
) -> None:
    # GIVEN the table Firehose converts against and Athena reads
    (table,) = dev_template.find_resources("AWS::Glue::Table").values()
    columns = table["Properties"]["TableInput"]["StorageDescriptor"]["Columns"]
    types = {column["Name"]: column["Type"] for column in columns}

    # THEN no column or map can hold an endpoint address or the caller key: the attributes are
    # a struct of the survey's own and the follow-up link
    assert not any("map<" in kind for kind in types.values())
    assert not any("endpoint" in name or "endpoint" in kind for name, kind in types.items())
    survey = dev_config.offline.inputs.survey
    fields = [a.lower() for a in queries.report_attributes(survey)]
    assert types["attributes"] == "struct<" + ",".join(f"{f}:string" for f in fields) + ">"
    assert "surveycallerkey" not in types["attributes"]
    assert "surveyfollowupfor:string" in types["attributes"]
    assert "connectedtoagenttimestamp:string" in types["agent"]


def test_firehose_converts_to_parquet_partitions_by_contact_date_and_keeps_errors_apart(
    dev_template: Template,
) -> None:
    dev_template.has_resource_properties(
        "AWS::KinesisFirehose::DeliveryStream",
        {
            "DeliveryStreamType": "KinesisStreamAsSource",
            "ExtendedS3DestinationConfiguration": Match.object_like(
                {
                    "Prefix": "ctr/contact_date=!{partitionKeyFromQuery:contact_date}/",
                    "ErrorOutputPrefix": Match.string_like_regexp(
                        r"^errors/!\{firehose:error-output-type\}/"
                    ),
                    "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 300},
                    "DynamicPartitioningConfiguration": Match.object_like({"Enabled": True}),
                    "ProcessingConfiguration": {
                        "Enabled": True,
                        "Processors": [
                            {
                                "Type": "MetadataExtraction",
                                "Parameters": Match.array_with(
                                    [
                                        {
                                            "ParameterName": "MetadataExtractionQuery",
                                            "ParameterValue": "{contact_date: "
                                            ".InitiationTimestamp[0:10]}",
                                        }
                                    ]
                                ),
                            }
                        ],
                    },
                    "DataFormatConversionConfiguration": Match.object_like(
                        {
                            "Enabled": True,
                            "OutputFormatConfiguration": {
                                "Serializer": {"ParquetSerDe": {"Compression": "SNAPPY"}}
                            },
                            "SchemaConfiguration": Match.object_like(
                                {
                                    "DatabaseName": "survey_dev_reports",
                                    "TableName": "ctr",
                                    "VersionId": "LATEST",
                                }
                            ),
                        }
                    ),
                }
            ),
        },
    )


def test_delivery_failures_and_failed_conversions_raise_alarms(dev_template: Template) -> None:
    for metric in ("DeliveryToS3.Success", "FailedConversion.Records"):
        dev_template.has_resource_properties(
            "AWS::CloudWatch::Alarm", {"Namespace": "AWS/Firehose", "MetricName": metric}
        )


def test_glue_table_declares_ctr_columns_and_projects_contact_date_partitions(
    dev_template: Template, dev_config: StageConfig
) -> None:
    survey = dev_config.offline.inputs.survey
    dev_template.has_resource_properties(
        "AWS::Glue::Table",
        {
            "DatabaseName": "survey_dev_reports",
            "TableInput": Match.object_like(
                {
                    "Name": "ctr",
                    "PartitionKeys": [{"Name": "contact_date", "Type": "string"}],
                    "Parameters": Match.object_like(
                        {
                            "projection.enabled": "true",
                            "projection.contact_date.type": "date",
                            "projection.contact_date.format": "yyyy-MM-dd",
                            "storage.location.template": Match.any_value(),
                        }
                    ),
                    "StorageDescriptor": Match.object_like(
                        {
                            "SerdeInfo": {
                                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet."
                                "serde.ParquetHiveSerDe"
                            },
                            "Columns": [
                                {"Name": name, "Type": kind}
                                for name, kind in queries.ctr_columns(survey)
                            ],
                        }
                    ),
                }
            ),
        },
    )


def test_workgroup_enforces_encrypted_results_and_a_scan_limit(dev_template: Template) -> None:
    dev_template.has_resource_properties(
        "AWS::Athena::WorkGroup",
        {
            "Name": "survey-dev-reports",
            "WorkGroupConfiguration": Match.object_like(
                {
                    "EnforceWorkGroupConfiguration": True,
                    "BytesScannedCutoffPerQuery": 10 * 1024**3,
                    "ResultConfiguration": {
                        "OutputLocation": Match.any_value(),
                        "EncryptionConfiguration": {
                            "EncryptionOption": "SSE_KMS",
                            "KmsKey": {"Fn::GetAtt": [stage_key_id(dev_template), "Arn"]},
                        },
                    },
                }
            ),
        },
    )


def test_every_report_query_is_saved_as_a_named_query(
    dev_template: Template, dev_config: StageConfig
) -> None:
    survey = dev_config.offline.inputs.survey
    expected = (*queries.named_queries(survey), *queries.view_queries(survey))
    assert len(dev_template.find_resources("AWS::Athena::NamedQuery")) == len(expected)
    for query in expected:
        dev_template.has_resource_properties(
            "AWS::Athena::NamedQuery",
            {
                "Name": f"survey-dev-{query.name}",
                "Database": "survey_dev_reports",
                "QueryString": query.sql,
            },
        )


def test_ctr_source_create_makes_a_stream_and_the_instance_storage_config(
    dev_template: Template, dev_config: StageConfig
) -> None:
    dev_template.resource_count_is("AWS::Kinesis::Stream", 1)
    dev_template.has_resource_properties(
        "AWS::Connect::InstanceStorageConfig",
        {
            "InstanceArn": dev_config.offline.instance_arn,
            "ResourceType": "CONTACT_TRACE_RECORDS",
            "StorageType": "KINESIS_STREAM",
            "KinesisStreamConfig": {"StreamArn": Match.any_value()},
        },
    )


def test_ctr_source_arn_reads_the_existing_stream_and_leaves_the_instance_alone(
    stages: dict[str, Any],
) -> None:
    # GIVEN an instance that already streams its CTRs
    template = template_for(stages, {"ctrSource": EXISTING_STREAM})

    # THEN Firehose reads that stream, and no stream or storage config is created
    template.resource_count_is("AWS::Kinesis::Stream", 0)
    template.resource_count_is("AWS::Connect::InstanceStorageConfig", 0)
    template.has_resource_properties(
        "AWS::KinesisFirehose::DeliveryStream",
        {
            "KinesisStreamSourceConfiguration": Match.object_like(
                {"KinesisStreamARN": EXISTING_STREAM}
            )
        },
    )


def test_ctr_source_off_keeps_athena_but_delivers_nothing(stages: dict[str, Any]) -> None:
    template = template_for(stages, {"ctrSource": "off"})
    template.resource_count_is("AWS::Kinesis::Stream", 0)
    template.resource_count_is("AWS::Connect::InstanceStorageConfig", 0)
    template.resource_count_is("AWS::KinesisFirehose::DeliveryStream", 0)
    template.resource_count_is("AWS::Athena::WorkGroup", 1)


def test_stage_without_reporting_deploys_none_of_it(stages: dict[str, Any]) -> None:
    template = template_for(stages, None)
    for kind in ("AWS::Glue::Table", "AWS::Athena::WorkGroup", "AWS::S3::Bucket"):
        template.resource_count_is(kind, 0)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("kinesis", 'is not valid; write "create", "off" or a Kinesis stream ARN'),
        (
            "arn:aws:kinesis:eu-west-1:111122223333:stream/records",
            "the stream must be in the stage's account 111122223333 and region us-east-1",
        ),
    ],
)
def test_bad_ctr_source_stops_synth_naming_the_setting(
    stages: dict[str, Any], source: str, message: str
) -> None:
    stages["dev"]["reporting"] = {"ctrSource": source}
    with pytest.raises(ConfigError) as error:
        load_stage({"stages": stages}, "dev")
    assert str(error.value).startswith("stages.dev.reporting.ctrSource: ")
    assert message in str(error.value)


def test_named_queries_report_per_language_and_why_contacts_were_skipped(
    dev_template: Template,
) -> None:
    dev_template.has_resource_properties(
        "AWS::Athena::NamedQuery",
        {
            "Name": "survey-dev-survey-metrics-by-language",
            "QueryString": Match.string_like_regexp(r"SELECT language AS group_name"),
        },
    )
    for name in ("metrics-overall", "response-rate"):
        dev_template.has_resource_properties(
            "AWS::Athena::NamedQuery",
            {
                "Name": f"survey-dev-survey-{name}",
                "QueryString": Match.string_like_regexp(
                    r"AS skipped_sampling[\s\S]*AS skipped_cooldown[\s\S]*AS skipped_withheld"
                ),
            },
        )
