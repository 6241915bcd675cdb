"""The infrastructure: the CDK stack of a stage, its constructs, the pipeline, cdk-nag rules."""
