"""The AWS home's adapters, the only modules that import boto3: `table` (the DynamoDB design),
`dynamodb` (task, step and workspace stores), `secrets` (Secrets Manager), `sqs` (the step queue).

Clients are injected; nothing here builds one or reads the environment.
"""
