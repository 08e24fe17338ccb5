"""What a Describe moves on (Moto's modelled progress) is where it was after a restart.

Moto counts a DAX cluster's Describes: the fourth finds it ``available``. A
Describe is a read; it is journaled only when it moved the cluster on, so a
restart neither sends the cluster back to ``creating`` nor starts its count
over, and reading it once it is available journals nothing.
"""

from typing import Any

from durable_harness import DurableServer


def _status(server: DurableServer) -> str:
    clusters = server.client("dax").describe_clusters(ClusterNames=["progress"])["Clusters"]
    return str(clusters[0]["Status"])


def test_a_cluster_a_describe_made_available_stays_available(new_server: Any) -> None:
    server: DurableServer = new_server("data")
    server.start()
    server.client("dax").create_cluster(
        ClusterName="progress",
        NodeType="dax.t3.small",
        ReplicationFactor=1,
        IamRoleArn="arn:aws:iam::123456789012:role/dax",
    )
    assert [_status(server) for _ in range(2)] == ["creating", "creating"]
    server.kill()

    server.start()  # the count survives: two more Describes, not four
    assert [_status(server) for _ in range(2)] == ["creating", "available"]
    records = server.status()["journal"]["records"]
    assert [_status(server) for _ in range(3)] == ["available"] * 3
    assert server.status()["journal"]["records"] == records
    server.kill()

    server.start()
    assert _status(server) == "available"
