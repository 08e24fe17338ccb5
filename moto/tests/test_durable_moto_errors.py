"""What Moto changed before failing on a request is still there after a restart.

Moto 5.2.5 fails (an exception, answered 500) on a CloudFormation stack whose
SSM parameter has no name, after it made the resources listed before it: here
a queue. A client can go on using that queue, and a message it sent there was
acknowledged. The failed request was not journaled, so after a restart the
queue was gone, and the acknowledged message with it.
"""

import json
from typing import Any

import pytest
from botocore.parsers import ResponseParserError

from durable_harness import DurableServer

TEMPLATE = {
    "Resources": {
        "Made": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "made-half-way"}},
        "Fails": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "v"}},
    }
}


def _messages(server: DurableServer) -> list[str]:
    sqs = server.client("sqs")
    queue = sqs.get_queue_url(QueueName="made-half-way")["QueueUrl"]
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [message["Body"] for message in received.get("Messages", [])]


def test_what_a_failed_request_made_outlives_a_restart(new_server: Any) -> None:
    server: DurableServer = new_server("data")
    server.start()
    with pytest.raises(ResponseParserError):  # a 500, a problem document where XML was due
        server.client("cloudformation").create_stack(
            StackName="half-way", TemplateBody=json.dumps(TEMPLATE)
        )
    sqs = server.client("sqs")
    queue = sqs.get_queue_url(QueueName="made-half-way")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="acknowledged")
    assert _messages(server) == ["acknowledged"]
    server.kill()

    server.start()  # the failed request is replayed, and fails the same way
    assert _messages(server) == ["acknowledged"]
    assert "failed on replay" not in server.output()
