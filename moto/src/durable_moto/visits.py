"""A read made with credentials Moto issued still shows as their last use after a restart.

Moto notes, on every request signed with an access key it issued (CreateAccessKey,
AssumeRole), when and where the key was last used, and for a role's temporary
credentials when the role was (GetAccessKeyLastUsed, GetRole's RoleLastUsed, the
credential report). A read is not journaled, so after a restart the last use
was the last *write* made with the key, or none.

``mark_account_as_visited`` runs ``watch.changing``: a read made with such a key
is journaled (``watch``), at the time it was made. Requests signed with keys
Moto did not issue (``test``/``test``) change nothing and journal nothing.
"""

from collections.abc import Callable
from types import ModuleType
from typing import Any

from durable_moto import import_hooks, watch


def install() -> None:
    """Watch IAM's record of the last use of its keys, once IAM is imported."""
    import_hooks.after_import("moto.iam.models", _watch_visits)


def _watch_visits(models: ModuleType) -> None:
    visit: Callable[..., None] = models.mark_account_as_visited

    def visit_watched(account_id: str, access_key: str, service: str, region: str) -> None:
        def issued() -> bool:
            partition: Any = models.get_partition(region)
            return access_key in models.iam_backends[account_id][partition].access_keys

        with watch.changing(issued):
            visit(account_id, access_key, service, region)

    models.mark_account_as_visited = visit_watched  # type: ignore[attr-defined]
