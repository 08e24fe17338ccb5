"""A read that takes a result queued through ``/moto-api/static/`` is journaled.

Moto lets a test queue the results some services answer with (``POST
/moto-api/static/athena/query-results`` and the like). The first request to
need one takes it from the queue and keeps it for the request it answered:
Athena's GetQueryResults for an execution id, Cost Explorer's GetCostAndUsage
for its parameters, Inspector's ListFindings, Resilience Hub's
ListAppAssessments, Timestream's Query for its query text. All are reads, not
journaled: after a restart the queue was as it was filled, and a later request
with other parameters got the result an earlier one had already taken.

Each of those takes runs ``watch.changing``: a read that took a result is
journaled (``watch``), and replay takes it again for the same request.
"""

from collections.abc import Callable
from types import ModuleType
from typing import Any

from durable_moto import import_hooks, watch

TAKERS = {
    "moto.athena.models": (
        "AthenaBackend",
        "_store_predefined_query_results",
        "query_results_queue",
    ),
    "moto.ce.models": ("CostExplorerBackend", "get_cost_and_usage", "cost_usage_results_queue"),
    "moto.inspector2.models": ("Inspector2Backend", "list_findings", "findings_queue"),
    "moto.resiliencehub.models": (
        "ResilienceHubBackend",
        "list_app_assessments",
        "app_assessments_queue",
    ),
    "moto.timestreamquery.models": ("TimestreamQueryBackend", "query", "query_result_queue"),
}
"""Moto's module -> its backend class, the method that takes a queued result, the queue."""


def install() -> None:
    """Watch each service's queue of results, once the service is imported."""
    for module in TAKERS:
        import_hooks.after_import(module, _watch_takes)


def _queued(queue: Any) -> int:
    """How many results wait: a list of them, or lists of them by query (Timestream)."""
    if isinstance(queue, dict):
        return sum(len(results) for results in queue.values())
    return len(queue)


def _watch_takes(models: ModuleType) -> None:
    class_name, method, queue = TAKERS[models.__name__]
    backend = getattr(models, class_name)
    take: Callable[..., Any] = getattr(backend, method)

    def take_watched(self: Any, *args: Any, **kwargs: Any) -> Any:
        before = _queued(getattr(self, queue))
        with watch.changing(lambda: _queued(getattr(self, queue)) != before):
            return take(self, *args, **kwargs)

    setattr(backend, method, take_watched)
