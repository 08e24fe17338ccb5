"""Sets of Moto's model objects iterate in the order they were filled, not by address.

A set iterates in the order of its members' hashes, and an object that does not
define one hashes by its address in memory, which differs from one process to
the next. Where Moto answers in the order of such a set, a restart (replaying
the journal, or loading a snapshot) answered another order than the one
acknowledged; and where that order went into a token, the token issued before
the restart was no longer the one Moto had kept.

Cognito's user keeps its groups in such a set (``CognitoIdpUser.groups``): it
orders AdminListGroupsForUser and the ``cognito:groups`` claim of the access and
id tokens, and Moto keeps each access token it issued by its text. A user in
several groups lost every access token at a restart ("Invalid token"). Here the
set is an ``InsertionOrdered`` one: the order the user joined the groups, live,
on replay and from a snapshot.

Strings hash the same in every process of the server (``cli`` fixes
``PYTHONHASHSEED``), so sets of strings need no such help on replay.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator, MutableSet
from types import ModuleType
from typing import Any

from durable_moto import import_hooks

_installed = False


class InsertionOrdered(MutableSet[Hashable]):
    """A set that iterates in the order its members were added (a dict's keys)."""

    def __init__(self, members: Iterable[Hashable] = ()) -> None:
        self._members = dict.fromkeys(members)

    def __contains__(self, member: object) -> bool:
        return member in self._members

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)

    def add(self, member: Hashable) -> None:
        self._members[member] = None

    def discard(self, member: Hashable) -> None:
        self._members.pop(member, None)


def install() -> None:
    """Order Cognito users' groups, once Cognito is imported."""
    global _installed
    if not _installed:
        import_hooks.after_import("moto.cognitoidp.models", _order_user_groups)
        _installed = True


def _order_user_groups(models: ModuleType) -> None:
    user = models.CognitoIdpUser
    create: Callable[..., None] = user.__init__

    def create_ordered(self: Any, *args: Any, **kwargs: Any) -> None:
        create(self, *args, **kwargs)
        self.groups = InsertionOrdered(self.groups)

    user.__init__ = create_ordered
