"""The settings in cdk.json: stages and the pipeline, validated into typed objects."""
