"""The random internal token the services accept from each other: a platform secret, so the
generic seeder fills it in (no service owns it)."""

import json
import secrets
from typing import Any

from seed.provision import Outcome
from services.common.internal import parse_token


def ensure_internal_token(secretsmanager: Any, secret: str) -> Outcome:
    """A random token the first time; an existing token is kept (services cache it)."""
    if parse_token(secretsmanager.get_secret_value(SecretId=secret)["SecretString"]):
        return "exists"
    token = secrets.token_urlsafe(32)
    secretsmanager.put_secret_value(SecretId=secret, SecretString=json.dumps({"token": token}))
    return "created"
