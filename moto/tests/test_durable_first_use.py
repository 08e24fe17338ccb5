"""What Moto builds on first use is rebuilt the same after a restart, even when a read built it.

Reads are not journaled. Live, a read can be the first request to need a
service's module or a region's backend; on replay, the first write builds it.
Both must draw the same ids, and the write after them must keep its own: a
certificate's serial, a VPC's id, a cluster's endpoint.
"""

from typing import Any

from durable_harness import DurableServer, assert_kept_after_restarts


def _first_read_then_writes(server: DurableServer) -> dict[str, Any]:
    acm = server.client("acm")
    acm.list_certificates()  # a read imports ACM and builds its backend
    arn = acm.request_certificate(DomainName="first-use.example.com")["CertificateArn"]

    ec2 = server.client("ec2", region="eu-west-1")
    ec2.describe_vpcs()  # a read builds the region's default VPC
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]

    eks = server.client("eks")
    eks.list_clusters()  # a read imports EKS, which draws its endpoint names at import
    eks.create_cluster(
        name="first-use",
        roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": []},
    )
    return {"arn": arn, "vpc": vpc}


def _view(server: DurableServer, made: dict[str, Any]) -> dict[str, Any]:
    ec2 = server.client("ec2", region="eu-west-1")
    cluster = server.client("eks").describe_cluster(name="first-use")["cluster"]
    return {
        "certificate": server.client("acm").get_certificate(CertificateArn=made["arn"])[
            "Certificate"
        ],
        "vpcs": sorted(vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"]),
        "endpoint": cluster["endpoint"],
        "issuer": cluster["identity"]["oidc"]["issuer"],
    }


def test_state_first_built_by_a_read_is_rebuilt_the_same(new_server: Any) -> None:
    server: DurableServer = new_server("data")
    server.start()
    made = _first_read_then_writes(server)
    answered = _view(server, made)
    assert made["vpc"] in answered["vpcs"]
    server.kill()

    server.start()  # after kill -9: rebuilt from the journal alone
    assert _view(server, made) == answered


def _managed_key(server: DurableServer) -> dict[str, Any]:
    kms = server.client("kms")
    return {
        "key": kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"],
        "aliases": kms.list_aliases()["Aliases"],
    }


def test_an_aws_managed_key_a_read_made_is_the_same_after_a_restart(new_server: Any) -> None:
    """Moto makes ``alias/aws/s3``'s key when a request first names it: here a read, and
    an Encrypt (also a read) hands out a ciphertext only that key decrypts."""
    server: DurableServer = new_server("data")
    server.start()
    kms = server.client("kms")
    kms.create_key(Description="another key, before it")
    sealed = kms.encrypt(KeyId="alias/aws/s3", Plaintext=b"kept")["CiphertextBlob"]
    answered = _managed_key(server)
    server.client("kms").create_key(Description="another key, after it")
    server.kill()

    server.start()  # after kill -9: rebuilt from the journal alone
    assert _managed_key(server) == answered
    assert server.client("kms").decrypt(CiphertextBlob=sealed)["Plaintext"] == b"kept"

    server.compact()
    server.kill()
    server.start()  # from the snapshot
    assert _managed_key(server) == answered
    assert server.client("kms").decrypt(CiphertextBlob=sealed)["Plaintext"] == b"kept"


def test_a_backend_a_read_built_keeps_its_time_after_a_restart(new_server: Any) -> None:
    """EventBridge's default event bus is made with its region's backend, stamped with
    the time of the request that first needed it: here a read."""
    server: DurableServer = new_server("data")
    server.start()
    events = server.client("events", region="eu-west-2")
    answered = events.describe_event_bus()
    events.put_rule(Name="after-the-read", ScheduleExpression="rate(1 hour)")
    server.kill()

    server.start()
    rebuilt = server.client("events", region="eu-west-2").describe_event_bus()
    for field in ("Arn", "CreationTime", "LastModifiedTime"):
        assert rebuilt[field] == answered[field]


def _endpoint_services(server: DurableServer) -> list[tuple[str, str]]:
    ec2 = server.client("ec2", region="eu-central-1")
    services = ec2.describe_vpc_endpoint_services()["ServiceDetails"]
    return [(service["ServiceName"], service["ServiceId"]) for service in services]


def test_vpc_endpoint_services_a_read_listed_keep_their_ids(new_server: Any) -> None:
    """Moto lists a region's VPC endpoint services, with random ids, once per process."""
    server: DurableServer = new_server("data")
    server.start()
    server.client("sqs", region="eu-central-1").create_queue(QueueName="with-an-endpoint")
    answered = _endpoint_services(server)
    assert "com.amazonaws.eu-central-1.sqs" in dict(answered)
    assert_kept_after_restarts(server, _endpoint_services, answered)


PUBLIC = "/aws/service/global-infrastructure/regions/eu-west-1/longName"


def _parameters(server: DurableServer) -> dict[str, Any]:
    ssm = server.client("ssm")
    return {
        "public": ssm.get_parameter(Name=PUBLIC)["Parameter"],
        "mine": ssm.get_parameter(Name="/mine")["Parameter"],
    }


def test_public_parameters_a_read_loaded_keep_their_time(new_server: Any) -> None:
    """SSM loads its public parameters when a request first names one: here a read."""
    server: DurableServer = new_server("data")
    server.start()
    ssm = server.client("ssm")
    for _ in range(2):  # the first reads build backends (and are journaled for that) ...
        ssm.list_commands()
    ssm.get_parameter(Name=PUBLIC)  # ... this one only loads the public tree
    ssm.put_parameter(Name="/mine", Value="made after the read", Type="String")
    answered = _parameters(server)
    server.kill()

    server.start()  # after kill -9: rebuilt from the journal alone
    assert _parameters(server) == answered
