"""Sample Lambda events, shaped like the real ones (API Gateway HTTP API 2.0, SQS)."""

import json
from typing import Any


def http_api_event(
    method: str,
    path: str,
    *,
    query: str = "",
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "accept": "application/json",
            "content-type": "application/json",
            "host": "abc123.execute-api.us-east-1.amazonaws.com",
            "user-agent": "curl/8.5.0",
            "x-forwarded-proto": "https",
            **(headers or {}),
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "curl/8.5.0",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "26/Nov/2026:13:41:03 +0000",
            "timeEpoch": 1795700463000,
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


CONTEXT: Any = object()
"""Stands in for the LambdaContext; the handlers do not read it."""

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:motostack-local-fulfillment-orders"


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"059f36b4-87a3-44ab-83d2-66197{n:07d}",
                "receiptHandle": f"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a-{n}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795700463000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1795700463100",
                },
                "messageAttributes": {
                    "event_type": {"stringValue": "OrderPlaced", "dataType": "String"}
                },
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": QUEUE_ARN,
                "awsRegion": "us-east-1",
            }
            for n, body in enumerate(bodies)
        ]
    }
