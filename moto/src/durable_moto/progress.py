"""A Describe that moves on the modelled progress of what it describes is journaled.

Moto models how some resources progress (a DAX cluster from ``creating`` to
``available``, an ECS task, a Batch job, a CloudFront distribution, a
Transcribe job) with ``ManagedState``: each Describe counts towards the next
status, or the status moves on when asked once enough time has passed, as
Moto's state manager is set for that model. The Describe is a read, not
journaled: after a restart the cluster acknowledged ``available`` was
``creating`` again, its count started over.

So both ways a model moves (``advance``, which a Describe calls, and reading
its ``status``) run ``watch.changing``: a read that moved a model's progress is
journaled (``watch``), and replay moves it the same way at the same time. Once
a model is at its last status, what Moto goes on counting leads nowhere, so
reading a finished resource journals nothing; nor does reading one whose
progression is ``immediate`` (an S3 object's restore), which every reader finds
finished, whoever asked first.
"""

from collections.abc import Callable
from types import ModuleType
from typing import Any

from durable_moto import import_hooks, watch


def install() -> None:
    """Watch Moto's modelled progress, once its module is imported."""
    import_hooks.after_import("moto.moto_api._internal.managed_state_model", _watch_progress)


def _watch_progress(module: ModuleType) -> None:
    from moto.moto_api import state_manager

    def progress(model: Any) -> tuple[Any, ...]:
        """Its status, and while it has a next one, what counts towards it."""
        if state_manager.get_transition(model.model_name)["progression"] == "immediate":
            return ()  # whoever asks finds the last status: the first to ask shows nothing
        if model._get_next_status(model._status) == model._status:
            return (model._status,)
        return model._status, model._tick, model._time_progressed

    def watched(move: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def move_watched(model: Any) -> Any:
            before = progress(model)
            with watch.changing(lambda: progress(model) != before):
                return move(model)

        return move_watched

    managed = module.ManagedState
    managed.advance = watched(managed.advance)
    managed.status = property(watched(managed.status.fget), managed.status.fset)
