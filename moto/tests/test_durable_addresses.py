"""Nothing Moto answers depends on where its objects lived in memory before a restart.

Moto keeps a Cognito user's groups in a set of objects, ordered by their
addresses, and writes them in that order into the ``cognito:groups`` claim of
the tokens it issues, keeping each access token by its text: a restart rebuilt
the token with the groups in another order, and the one the client held was
"Invalid token". ELBv2 named a listener's default rule after the rule object's
address: its ARN changed at every restart.
"""

from typing import Any

from durable_harness import DurableServer, assert_kept_after_restarts

GROUPS = ["admins", "buyers", "sellers", "staff", "ops", "auditors"]
PASSWORD = "Passw0rd!!"


def _sign_in(server: DurableServer) -> dict[str, str]:
    cognito = server.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="ordered")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="app", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="alice", TemporaryPassword=PASSWORD)
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="alice", Password=PASSWORD, Permanent=True
    )
    for group in GROUPS:
        cognito.create_group(UserPoolId=pool, GroupName=group)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username="alice", GroupName=group)
    cognito.admin_remove_user_from_group(UserPoolId=pool, Username="alice", GroupName="staff")
    signed_in = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return {"pool": pool, "token": signed_in["AccessToken"]}


def _view(server: DurableServer, made: dict[str, str]) -> dict[str, Any]:
    cognito = server.client("cognito-idp")
    groups = cognito.admin_list_groups_for_user(UserPoolId=made["pool"], Username="alice")
    return {
        "groups": [group["GroupName"] for group in groups["Groups"]],
        "user": cognito.get_user(AccessToken=made["token"])["Username"],
    }


def test_a_users_groups_and_access_token_outlive_restarts(new_server: Any) -> None:
    server: DurableServer = new_server("data")
    server.start()
    made = _sign_in(server)
    answered = _view(server, made)
    assert sorted(answered["groups"]) == sorted(set(GROUPS) - {"staff"})
    assert answered["user"] == "alice"
    server.kill()

    server.start()  # after kill -9: rebuilt from the journal alone
    assert _view(server, made) == answered

    server.compact()
    server.kill()
    server.start()  # from the snapshot
    assert _view(server, made) == answered


def _default_rule(server: DurableServer) -> dict[str, Any]:
    elb = server.client("elbv2")
    listener = elb.describe_listeners(LoadBalancerArn=_load_balancer(server))["Listeners"][0]
    rules = elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
    return next(rule for rule in rules if rule["IsDefault"])


def _load_balancer(server: DurableServer) -> str:
    balancers = server.client("elbv2").describe_load_balancers(Names=["addressed"])
    return str(balancers["LoadBalancers"][0]["LoadBalancerArn"])


def test_a_listeners_default_rule_keeps_its_arn_after_restarts(new_server: Any) -> None:
    server: DurableServer = new_server("data")
    server.start()
    ec2, elb = server.client("ec2"), server.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=zone)
        for n, zone in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]
    elb.create_load_balancer(
        Name="addressed", Subnets=[subnet["Subnet"]["SubnetId"] for subnet in subnets]
    )
    group = elb.create_target_group(Name="addressed", Protocol="HTTP", Port=80, VpcId=vpc)
    elb.create_listener(
        LoadBalancerArn=_load_balancer(server),
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {"Type": "forward", "TargetGroupArn": group["TargetGroups"][0]["TargetGroupArn"]}
        ],
    )
    answered = _default_rule(server)
    assert_kept_after_restarts(server, _default_rule, answered)
