"""The demo API key: added to the gateway's key secret so a fresh stack accepts writes."""

import json
from typing import Any

from seed.provision import Outcome
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
