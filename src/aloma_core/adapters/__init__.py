"""Implementations of the ports: `aws` (the only code importing boto3) and `local` (SQLite)."""
