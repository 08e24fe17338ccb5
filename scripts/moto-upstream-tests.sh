#!/usr/bin/env bash
# Moto's own server-mode tests (SQS, SNS, DynamoDB, S3, from the sdist of the
# installed Moto) against plain moto_server and durable Moto side by side; fails
# when durable Moto fails a test plain Moto passes. Extra arguments pick other
# test paths inside the sdist (e.g. tests/test_sqs/test_sqs.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python moto/tests/upstream_fidelity.py "$@"
