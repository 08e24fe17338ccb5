"""A read made with credentials Moto issued is their last use after a restart too.

Moto notes the last use of every access key it issued, and of the role whose
temporary credentials signed a request. Reads are not journaled, so after a
restart the last use read back was the last write's.
"""

from typing import Any

import boto3

from durable_harness import DurableServer

TRUST = '{"Version": "2012-10-17", "Statement": []}'


def _signed_with(server: DurableServer, credentials: dict[str, str], service: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]  # a name known at run time
        service,
        endpoint_url=server.url,
        region_name="eu-west-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials.get("SessionToken"),
    )


def _last_uses(server: DurableServer, key: str) -> dict[str, Any]:
    iam = server.client("iam")
    return {
        "key": iam.get_access_key_last_used(AccessKeyId=key)["AccessKeyLastUsed"],
        "role": iam.get_role(RoleName="reader")["Role"]["RoleLastUsed"],
    }


def test_the_last_use_of_a_key_by_a_read_outlives_a_restart(new_server: Any) -> None:
    server: DurableServer = new_server("data")
    server.start()
    iam = server.client("iam")
    iam.create_user(UserName="reader")
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    role = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    assumed = server.client("sts").assume_role(RoleArn=role, RoleSessionName="reads")
    server.client("sqs", region="eu-west-1").list_queues()  # builds the region's backend
    _signed_with(server, key, "sqs").list_queues()  # then reads, with the issued keys
    _signed_with(server, assumed["Credentials"], "sqs").list_queues()
    answered = _last_uses(server, key["AccessKeyId"])
    assert answered["key"]["ServiceName"] == "sqs"
    assert "LastUsedDate" in answered["role"]
    server.kill()

    server.start()
    assert _last_uses(server, key["AccessKeyId"]) == answered
