"""Nothing Moto answers depends on where in memory an object happens to live.

An object's address differs from one process to the next, so whatever Moto
derives from it came out differently after a restart (replaying the journal,
or loading a snapshot) than it was acknowledged.

* A set iterates in the order of its members' hashes, and an object that does
  not define one hashes by its address. Cognito's user keeps its groups in such
  a set (``CognitoIdpUser.groups``): it orders AdminListGroupsForUser and the
  ``cognito:groups`` claim of the access and id tokens, and Moto keeps each
  access token it issued by its text. A user in several groups lost every
  access token at a restart ("Invalid token"). Here the set is an
  ``InsertionOrdered`` one: the order the user joined the groups, live, on
  replay and from a snapshot.
* ELBv2 names a listener's default rule after ``id()`` of the rule object: its
  ARN, which DescribeRules hands out and ModifyRule takes, was another one after
  a restart. Here it ends in 16 hex digits drawn from Moto's generator, as the
  listener's other rules' ARNs do, which the request's seed makes the same on
  replay; a snapshot keeps it.

Strings hash the same in every process of the server (``cli`` fixes
``PYTHONHASHSEED``), so sets of strings need no such help on replay.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator, MutableSet
from types import ModuleType
from typing import Any

from durable_moto import import_hooks


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
    """Order Cognito users' groups and name ELBv2's default rules, as each is imported."""
    import_hooks.after_import("moto.cognitoidp.models", _order_user_groups)
    import_hooks.after_import("moto.elbv2.models", _name_rules_at_random)


def _order_user_groups(models: ModuleType) -> None:
    user = models.CognitoIdpUser
    create: Callable[..., None] = user.__init__

    def create_ordered(self: Any, *args: Any, **kwargs: Any) -> None:
        create(self, *args, **kwargs)
        self.groups = InsertionOrdered(self.groups)

    user.__init__ = create_ordered


def _name_rules_at_random(models: ModuleType) -> None:
    from moto.moto_api._internal import mock_random

    rule = models.FakeRule
    create: Callable[..., None] = rule.__init__

    def create_named(self: Any, *args: Any, **kwargs: Any) -> None:
        create(self, *args, **kwargs)
        listener_rules = self.arn.rsplit("/", 1)[0]  # without the "/<id(self)>"
        self.arn = f"{listener_rules}/{mock_random.get_random_hex(16)}"

    rule.__init__ = create_named
