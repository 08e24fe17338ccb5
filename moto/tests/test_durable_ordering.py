"""A Cognito user's groups keep their order after a restart, and so do the tokens naming them.

Moto keeps a user's groups in a set of objects, ordered by their addresses in
memory, and writes them in that order into the ``cognito:groups`` claim of the
tokens it issues, keeping each access token by its text. A restart rebuilt
the token with the groups in another order: the one the client held was
"Invalid token".
"""

from typing import Any

from durable_harness import DurableServer

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
