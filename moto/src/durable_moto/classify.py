"""Which requests can change state, and so must be journaled.

Journaling a read costs a little disk; skipping a write loses data. So the rule
is conservative: only operations that are reads by name (Get*, List*,
Describe*, Query, Scan, BatchGet*, Head*) and plain GET/HEAD/OPTIONS on REST
services skip the journal; everything else, ``ReceiveMessage`` included
(receipt handles, receive counts), is journaled.
"""

from urllib.parse import parse_qs

READ_PREFIXES = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "Head")

# Named like reads, but Moto stores something when they run.
MUTATING_READS = frozenset(
    {
        "GetId",
        "GetOpenIdToken",
        "GetOpenIdTokenForDeveloperIdentity",
        "GetCredentialsForIdentity",
        "GetSessionToken",
        "GetFederationToken",
        "GetShardIterator",
    }
)


def operation_name(environ: dict[str, object], body: bytes) -> str | None:
    """The AWS operation, for JSON (X-Amz-Target) and query (Action=) protocols."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if isinstance(target, str) and target:
        return target.rsplit(".", 1)[-1]
    query = str(environ.get("QUERY_STRING", ""))
    if "Action=" in query:
        return parse_qs(query).get("Action", [None])[0]
    content_type = str(environ.get("CONTENT_TYPE", ""))
    if content_type.startswith("application/x-www-form-urlencoded") and b"Action=" in body:
        actions = parse_qs(body.decode("utf-8", "replace")).get("Action")
        return actions[0] if actions else None
    return None


def is_mutating(environ: dict[str, object], body: bytes) -> bool:
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    operation = operation_name(environ, body)
    if operation is None:
        return method not in ("GET", "HEAD", "OPTIONS")
    if operation in MUTATING_READS:
        return True
    return not operation.startswith(READ_PREFIXES)
