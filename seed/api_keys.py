"""The stack's credentials: the demo API key, added to the gateway's key secret so a fresh
stack accepts writes, and the random internal token the services accept from each other."""

import json
import secrets
from typing import Any

from seed.provision import Outcome
from services.common.internal import parse_token
from services.gateway.api_keys import parse_keys


def ensure_api_key(secretsmanager: Any, secret: str, key: str) -> Outcome:
    """Add ``key`` unless it is there; keys someone else added are kept."""
    keys = parse_keys(secretsmanager.get_secret_value(SecretId=secret)["SecretString"])
    if key in keys:
        return "exists"
    secretsmanager.put_secret_value(
        SecretId=secret, SecretString=json.dumps({"keys": [*keys, key]})
    )
    return "created"


def ensure_internal_token(secretsmanager: Any, secret: str) -> Outcome:
    """A random token the first time; an existing token is kept (services cache it)."""
    if parse_token(secretsmanager.get_secret_value(SecretId=secret)["SecretString"]):
        return "exists"
    token = secrets.token_urlsafe(32)
    secretsmanager.put_secret_value(SecretId=secret, SecretString=json.dumps({"token": token}))
    return "created"
