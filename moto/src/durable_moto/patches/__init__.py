"""Fixes for Moto's hot paths, for the one Moto version they were written for.

Each module patches one service (``serialize``: the response serializer all
services share; ``tracking``: the base class of every model) and says in its
docstring what was slow, why, and what the patch changes; each is small
enough to be proposed to Moto as is. A patch replaces a function of Moto's by
a version of it that behaves the same but does less work, so it is only valid
for the exact version it was read from: on any other version the server
refuses to start rather than patch blindly (``DURABLE_MOTO_PATCHES=off``
starts it unpatched).

A service's patch is applied when Moto's module for that service is imported
(``import_hooks``): like Moto's own server, a fresh server imports a service
on its first request, not at start-up. ``core`` patches Moto's dispatch,
which every server imports at start.
"""

import importlib
import os
from types import ModuleType

import moto

from durable_moto import import_hooks
from durable_moto.patches import core

PINNED_MOTO = "5.2.5"
"""The version in moto/requirements.lock; a test keeps the two equal."""

SERVICE_PATCHES = {
    "moto.core.common_models": "tracking",
    "moto.core.serialize": "serialize",
    "moto.dynamodb.models": "dynamodb",
    "moto.sqs.models": "sqs",
}
"""Moto's module -> the patch (``durable_moto.patches.<name>``) applied once it is imported."""

_applied = False


class PatchVersionError(RuntimeError):
    """The installed Moto is not the one the patches were written for."""


def enabled() -> bool:
    return os.environ.get("DURABLE_MOTO_PATCHES", "on") != "off"


def apply(version: str = moto.__version__) -> bool:
    """Apply every patch once; False when disabled. Raises PatchVersionError."""
    global _applied
    if not enabled():
        return False
    if version != PINNED_MOTO:
        raise PatchVersionError(
            f"durable-moto's fixes to Moto were written for Moto {PINNED_MOTO}, but Moto "
            f"{version} is installed. Install moto=={PINNED_MOTO}, or start with "
            "DURABLE_MOTO_PATCHES=off to run this Moto unpatched (slower transactions and "
            "queues, nothing else changes)."
        )
    if not _applied:
        core.apply()
        for target in SERVICE_PATCHES:
            import_hooks.after_import(target, _apply_service_patch)
        _applied = True
    return True


def _apply_service_patch(target: ModuleType) -> None:
    patch = importlib.import_module(f"{__name__}.{SERVICE_PATCHES[target.__name__]}")
    patch.apply()
