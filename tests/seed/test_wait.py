import boto3
import pytest
from botocore.config import Config

from devstack.waiting import free_port
from seed.wait import EndpointUnavailable, wait_for_endpoint


def test_gives_up_with_a_clear_message_when_nothing_listens() -> None:
    client = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    now = [0.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    with pytest.raises(EndpointUnavailable, match="did not answer within 5 s"):
        wait_for_endpoint(client, 5, clock=lambda: now[0], sleep=sleep)
    assert pauses[:4] == [0.25, 0.5, 1.0, 2.0]
    assert sum(pauses) == pytest.approx(5)
