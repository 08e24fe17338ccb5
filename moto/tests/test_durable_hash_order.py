"""Lists Moto answers from a set of strings come back in the order acknowledged.

A set of strings iterates in the order of their hashes, which Python salts per
process. Moto keeps some state in such sets and answers in their order, so a
restart replaying the same journal under another salt answered another order.
The server runs with one fixed hash seed whatever its environment says
(``cli``): each start here is given another one. (A snapshot rebuilds each set
from its elements alone: after removals from it, the order can still change;
the README says so.)
"""

from typing import Any

from durable_harness import DurableServer

ACCOUNTS = [f"{n:012d}" for n in range(1, 13)]


def _permitted(server: DurableServer, snapshot: str) -> list[str]:
    answer = server.client("ec2").describe_snapshot_attribute(
        SnapshotId=snapshot, Attribute="createVolumePermission"
    )
    return [permission["UserId"] for permission in answer["CreateVolumePermissions"]]


def test_a_set_of_strings_lists_in_the_same_order_after_restarts(new_server: Any) -> None:
    server: DurableServer = new_server("data", PYTHONHASHSEED="1")
    server.start()
    ec2 = server.client("ec2")
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    for operation, accounts in (("add", ACCOUNTS), ("remove", ACCOUNTS[::3])):
        ec2.modify_snapshot_attribute(
            SnapshotId=snapshot,
            Attribute="createVolumePermission",
            OperationType=operation,
            UserIds=accounts,
        )
    answered = _permitted(server, snapshot)
    assert sorted(answered) == sorted(set(ACCOUNTS) - set(ACCOUNTS[::3]))
    server.kill()

    server.env["PYTHONHASHSEED"] = "2"
    server.start()  # after kill -9: rebuilt from the journal alone
    assert _permitted(server, snapshot) == answered
    server.kill()

    server.env["PYTHONHASHSEED"] = "random"
    server.start()
    assert _permitted(server, snapshot) == answered
