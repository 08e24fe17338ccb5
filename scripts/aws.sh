#!/usr/bin/env bash
# `make aws-plan|aws-apply|aws-destroy`: the seeder against a real AWS account.
# Uses your normal AWS credentials (profile, SSO, ...). The seeder's guard rails
# refuse unless ALLOW_REAL_AWS=1 is set and AWS_ENDPOINT_URL is not; apply
# still asks for --yes (YES=1) and destroy for the stack's name.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
args=("$@")
if [ "${YES:-0}" = 1 ]; then args+=(--yes); fi
if [ "${WITH_FIXTURES:-0}" = 1 ]; then args+=(--with-fixtures); fi
STACK_TARGET=aws exec .venv/bin/python -m seed "${args[@]}"
