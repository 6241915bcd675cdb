"""Contact records (CTRs) to S3 as Parquet through Firehose, and Athena to query them.

Connect streams CTRs to a Kinesis stream (an instance has one such stream: `ctrSource` either
creates it with the instance's storage config, names an existing one, or is "off"); Firehose
reads it, partitions by contact date, converts to Parquet against the Glue table, and writes to
a TLS-only, versioned bucket encrypted with the stage key (SSE-KMS, as are Athena's results).
Athena finds partitions by projection (no crawler) and runs the named queries of
`reports.queries`, the same SQL `connect-survey report` runs offline.

What reaches S3: the table names only the CTR fields and the contact attributes the reports
read (a struct, never a map), and the conversion drops every other JSON key, so no endpoint
address (phone number), caller key or other attribute of the instance is stored under `ctr/`.
Records that fail conversion are written whole under `errors/`: they expire after
`ERRORS_KEPT_DAYS`, and their noncurrent versions a day later.
https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_connect as connect
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from connect_survey.config.reporting import CTR_SOURCE_CREATE
from connect_survey.flows.catalog import resource_name
from connect_survey.infra.handlers import LOG_RETENTION
from connect_survey.reports import queries

if TYPE_CHECKING:
    from connect_survey.infra.stage_key import StageKey
    from connect_survey.lambda_asset.survey.definition import SurveyDefinition

RECORDS_PREFIX: Final = "ctr/"
ERRORS_PREFIX: Final = "errors/"
RESULTS_PREFIX: Final = "athena-results/"
# Records Firehose could not convert land under errors/ whole, phone numbers included: they are
# kept a week to be looked at (an alarm fires), then deleted, with no older version kept.
ERRORS_KEPT_DAYS: Final = 7
NONCURRENT_MINIMUM_DAYS: Final = 1  # the shortest NoncurrentDays S3 accepts
RESULTS_KEPT_DAYS: Final = 30
OLD_VERSIONS_KEPT_DAYS: Final = 30
INFREQUENT_ACCESS_AFTER_DAYS: Final = 90
PROJECTION_START: Final = "2020-01-01"
# Parquet conversion and dynamic partitioning both need a buffer of at least 64 MiB.
BUFFER_MIB: Final = 64
BUFFER_SECONDS: Final = 300
GIB: Final = 1024**3


class CtrStream(Construct):
    """The instance's contact record stream, created here: encrypted, on-demand Kinesis stream
    plus the `AWS::Connect::InstanceStorageConfig` that points Connect at it."""

    def __init__(self, scope: Construct, construct_id: str, *, instance_arn: str) -> None:
        super().__init__(scope, construct_id)
        self.stream = kinesis.Stream(
            self,
            "Stream",
            stream_mode=kinesis.StreamMode.ON_DEMAND,
            encryption=kinesis.StreamEncryption.MANAGED,
            retention_period=Duration.hours(24),
        )
        self.storage_config = connect.CfnInstanceStorageConfig(
            self,
            "StorageConfig",
            instance_arn=instance_arn,
            resource_type="CONTACT_TRACE_RECORDS",
            storage_type="KINESIS_STREAM",
            kinesis_stream_config=connect.CfnInstanceStorageConfig.KinesisStreamConfigProperty(
                stream_arn=self.stream.stream_arn
            ),
        )


class ContactRecordReports(Construct):
    """Bucket, Glue database and table, Firehose (when a stream is given), Athena workgroup and
    named queries, and an alarm on delivery failures."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        survey: SurveyDefinition,
        stream: kinesis.IStream | None,
        retention_days: int,
        query_limit_gb: int,
        log_retention_days: int,
        key: StageKey,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.key = key
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            # SSE-KMS with the stage key: reading the records takes kms:Decrypt on it as well.
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key.key,
            enforce_ssl=True,
            versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=_lifecycle_rules(retention_days),
            # Contact records are business records: keep them if the stack is deleted.
            removal_policy=RemovalPolicy.RETAIN,
        )
        database_name = f"{name_prefix.replace('-', '_').lower()}_reports"
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database_name,
                description="Contact records of the post-call surveys (Parquet, by contact date)",
            ),
        )
        location = f"s3://{self.bucket.bucket_name}/{RECORDS_PREFIX}"
        date_key = queries.PARTITION_COLUMN
        self.table = glue.CfnTable(
            self,
            "Table",
            catalog_id=stack.account,
            database_name=database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=queries.TABLE,
                table_type="EXTERNAL_TABLE",
                description="Amazon Connect contact records as Firehose writes them",
                parameters={
                    "classification": "parquet",
                    # Partition projection: Athena computes partitions, no crawler needed.
                    "projection.enabled": "true",
                    f"projection.{date_key}.type": "date",
                    f"projection.{date_key}.format": queries.PARTITION_FORMAT,
                    f"projection.{date_key}.range": f"{PROJECTION_START},NOW",
                    f"projection.{date_key}.interval": "1",
                    f"projection.{date_key}.interval.unit": "DAYS",
                    "storage.location.template": f"{location}{date_key}=${{{date_key}}}/",
                },
                partition_keys=[glue.CfnTable.ColumnProperty(name=date_key, type="string")],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    input_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.apache.hadoop.hive.ql.io.parquet.serde."
                        "ParquetHiveSerDe"
                    ),
                    columns=[
                        glue.CfnTable.ColumnProperty(name=name, type=kind)
                        for name, kind in queries.ctr_columns(survey)
                    ],
                ),
            ),
        )
        self.table.node.add_dependency(self.database)
        self.workgroup = athena.CfnWorkGroup(
            self,
            "Workgroup",
            name=resource_name(name_prefix, "reports"),
            description="Post-call survey reports over contact records",
            state="ENABLED",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=query_limit_gb * GIB,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.bucket.bucket_name}/{RESULTS_PREFIX}",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=key.key.key_arn
                    ),
                ),
            ),
        )
        self.named_queries = []
        for query in (*queries.named_queries(survey), *queries.view_queries(survey)):
            named = athena.CfnNamedQuery(
                self,
                f"Query{query.name.title().replace('-', '')}",
                name=resource_name(name_prefix, query.name),
                description=query.description,
                database=database_name,
                query_string=query.sql,
                work_group=self.workgroup.ref,
            )
            named.node.add_dependency(self.database)
            self.named_queries.append(named)
        self.delivery: firehose.CfnDeliveryStream | None = None
        self.delivery_role: iam.Role | None = None
        self.alarms: list[cloudwatch.Alarm] = []
        if stream is not None:
            self._deliver(stream, database_name, name_prefix, log_retention_days)

    def _deliver(
        self,
        stream: kinesis.IStream,
        database_name: str,
        name_prefix: str,
        log_retention_days: int,
    ) -> None:
        stack = Stack.of(self)
        role = iam.Role(
            self,
            "DeliveryRole",
            assumed_by=iam.ServicePrincipal(
                "firehose.amazonaws.com",
                conditions={"StringEquals": {"sts:ExternalId": stack.account}},
            ),
            description="Firehose: read contact records, read the Glue schema, write to S3",
        )
        self.delivery_role = role
        stream.grant_read(role)
        # The S3 actions Firehose documents for its destination: on the bucket, and on the
        # objects under the two prefixes it writes (records and failed records), no others.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                resources=[self.bucket.bucket_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                resources=[
                    self.bucket.arn_for_objects(f"{prefix}*")
                    for prefix in (RECORDS_PREFIX, ERRORS_PREFIX)
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
                resources=[
                    stack.format_arn(service="glue", resource="catalog"),
                    stack.format_arn(
                        service="glue", resource="database", resource_name=database_name
                    ),
                    stack.format_arn(
                        service="glue",
                        resource="table",
                        resource_name=f"{database_name}/{queries.TABLE}",
                    ),
                ],
            )
        )
        self.key.grant_object_writes(role, self.bucket)
        log_group = logs.LogGroup(
            self,
            "DeliveryLogs",
            retention=LOG_RETENTION[log_retention_days],
            removal_policy=RemovalPolicy.DESTROY,
        )
        log_stream = logs.LogStream(self, "DeliveryLogStream", log_group=log_group)
        log_group.grant_write(role)
        date_key = queries.PARTITION_COLUMN
        s3_destination = firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
            bucket_arn=self.bucket.bucket_arn,
            role_arn=role.role_arn,
            prefix=f"{RECORDS_PREFIX}{date_key}=!{{partitionKeyFromQuery:{date_key}}}/",
            error_output_prefix=(
                f"{ERRORS_PREFIX}!{{firehose:error-output-type}}/!{{timestamp:yyyy-MM-dd}}/"
            ),
            buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                size_in_m_bs=BUFFER_MIB, interval_in_seconds=BUFFER_SECONDS
            ),
            compression_format="UNCOMPRESSED",  # Parquet compresses (Snappy) itself
            cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                enabled=True,
                log_group_name=log_group.log_group_name,
                log_stream_name=log_stream.log_stream_name,
            ),
            dynamic_partitioning_configuration=firehose.CfnDeliveryStream.DynamicPartitioningConfigurationProperty(
                enabled=True,
                retry_options=firehose.CfnDeliveryStream.RetryOptionsProperty(
                    duration_in_seconds=300
                ),
            ),
            processing_configuration=firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
                enabled=True,
                processors=[
                    firehose.CfnDeliveryStream.ProcessorProperty(
                        type="MetadataExtraction",
                        parameters=[
                            firehose.CfnDeliveryStream.ProcessorParameterProperty(
                                parameter_name="MetadataExtractionQuery",
                                # The contact's UTC date, as the report's partition column.
                                parameter_value=f"{{{date_key}: .InitiationTimestamp[0:10]}}",
                            ),
                            firehose.CfnDeliveryStream.ProcessorParameterProperty(
                                parameter_name="JsonParsingEngine", parameter_value="JQ-1.6"
                            ),
                        ],
                    )
                ],
            ),
            data_format_conversion_configuration=firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty(
                enabled=True,
                input_format_configuration=firehose.CfnDeliveryStream.InputFormatConfigurationProperty(
                    deserializer=firehose.CfnDeliveryStream.DeserializerProperty(
                        open_x_json_ser_de=firehose.CfnDeliveryStream.OpenXJsonSerDeProperty(
                            case_insensitive=True
                        )
                    )
                ),
                output_format_configuration=firehose.CfnDeliveryStream.OutputFormatConfigurationProperty(
                    serializer=firehose.CfnDeliveryStream.SerializerProperty(
                        parquet_ser_de=firehose.CfnDeliveryStream.ParquetSerDeProperty(
                            compression="SNAPPY"
                        )
                    )
                ),
                schema_configuration=firehose.CfnDeliveryStream.SchemaConfigurationProperty(
                    catalog_id=stack.account,
                    database_name=database_name,
                    table_name=queries.TABLE,
                    region=stack.region,
                    role_arn=role.role_arn,
                    version_id="LATEST",
                ),
            ),
        )
        self.delivery = firehose.CfnDeliveryStream(
            self,
            "Delivery",
            delivery_stream_name=resource_name(name_prefix, "contact-records"),
            delivery_stream_type="KinesisStreamAsSource",
            kinesis_stream_source_configuration=firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty(
                kinesis_stream_arn=stream.stream_arn, role_arn=role.role_arn
            ),
            extended_s3_destination_configuration=s3_destination,
        )
        # The role's policy must exist before Firehose first uses the role.
        policy = role.node.try_find_child("DefaultPolicy")
        if policy is not None:
            self.delivery.node.add_dependency(policy)
        self.delivery.node.add_dependency(self.table)
        dimensions = {"DeliveryStreamName": self.delivery.ref}
        for metric_name, statistic, threshold, comparison, what in (
            ("DeliveryToS3.Success", "Minimum", 1,
             cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, "a delivery to S3 failed"),
            ("FailedConversion.Records", "Sum", 1,
             cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
             "records failed Parquet conversion (see the errors/ prefix)"),
        ):  # fmt: skip
            self.alarms.append(
                cloudwatch.Alarm(
                    self,
                    f"{metric_name.replace('.', '')}Alarm",
                    alarm_description=f"Contact records: {what}",
                    metric=cloudwatch.Metric(
                        namespace="AWS/Firehose",
                        metric_name=metric_name,
                        dimensions_map=dimensions,
                        statistic=statistic,
                        period=Duration.minutes(5),
                    ),
                    threshold=threshold,
                    comparison_operator=comparison,
                    evaluation_periods=1,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )


def _lifecycle_rules(retention_days: int) -> list[s3.LifecycleRule]:
    """Records expire after `retention_days` (in Infrequent Access after 90 days when kept
    longer: S3 wants the expiry after the transition); failed records after a week with no
    noncurrent version kept; query results and old versions after 30 days."""
    transitions = (
        [
            s3.Transition(
                storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                transition_after=Duration.days(INFREQUENT_ACCESS_AFTER_DAYS),
            )
        ]
        if retention_days > INFREQUENT_ACCESS_AFTER_DAYS
        else None
    )
    return [
        s3.LifecycleRule(
            id="contact-records",
            prefix=RECORDS_PREFIX,
            transitions=transitions,
            expiration=Duration.days(retention_days),
        ),
        s3.LifecycleRule(
            id="delivery-errors",
            prefix=ERRORS_PREFIX,
            expiration=Duration.days(ERRORS_KEPT_DAYS),
            noncurrent_version_expiration=Duration.days(NONCURRENT_MINIMUM_DAYS),
        ),
        # An expiry in a versioned bucket leaves a delete marker; S3 takes no marker clean-up
        # in a rule that also expires after days.
        s3.LifecycleRule(
            id="delivery-error-markers", prefix=ERRORS_PREFIX, expired_object_delete_marker=True
        ),
        s3.LifecycleRule(
            id="query-results",
            prefix=RESULTS_PREFIX,
            expiration=Duration.days(RESULTS_KEPT_DAYS),
        ),
        s3.LifecycleRule(
            id="old-versions-and-uploads",
            noncurrent_version_expiration=Duration.days(OLD_VERSIONS_KEPT_DAYS),
            abort_incomplete_multipart_upload_after=Duration.days(7),
        ),
    ]


def contact_record_stream(
    scope: Construct, *, ctr_source: str, stream_arn: str | None, instance_arn: str
) -> kinesis.IStream | None:
    """The stream Firehose reads: created with the storage config, an existing one, or none."""
    if stream_arn is not None:
        return kinesis.Stream.from_stream_arn(scope, "ContactRecordStream", stream_arn)
    if ctr_source == CTR_SOURCE_CREATE:
        return CtrStream(scope, "ContactRecordStream", instance_arn=instance_arn).stream
    return None
