"""Lets the Connect instance call a function: the instance association and the invoke permission."""

from __future__ import annotations

from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class LambdaIntegration(Construct):
    """Associates one function with the instance and lets only that instance invoke it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        instance_arn: str,
        account: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.association = connect.CfnIntegrationAssociation(
            self,
            "Association",
            instance_id=instance_arn,
            integration_type="LAMBDA_FUNCTION",
            integration_arn=function.function_arn,
        )
        self.permission = lambda_.CfnPermission(
            self,
            "ConnectInvoke",
            action="lambda:InvokeFunction",
            function_name=function.function_arn,
            principal=iam.ServicePrincipal("connect.amazonaws.com").service,
            source_arn=instance_arn,
            source_account=account,
        )
