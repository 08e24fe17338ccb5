"""What a request does outside Moto's memory happens once: live, never on replay.

Some requests reach beyond Moto. A Lambda invocation runs the function in a
container, whether asked for directly (Invoke, InvokeAsync) or set off by
another service (SQS and DynamoDB stream event sources, SNS and S3
notifications, EventBridge rules, Logs subscriptions, Step Functions tasks).
SNS delivers to HTTP(S) subscribers, EventBridge calls API destinations, API
Gateway calls HTTP integrations. Doing that again on every replay would repeat
its side effects (a webhook called twice, a function's writes made again) and
could end differently the second time, while replay must rebuild exactly the
state that was acknowledged.

So, like private keys in ``determinism``, their *outcomes* are recorded: while
a journaled request runs, each Lambda run's result and each outbound HTTP
exchange is kept in its record; on replay the recorded outcome is handed back
and nothing runs. What a function did to Moto itself arrived as requests to
this server and is journaled on its own.

Two choke points cover every path: ``LambdaFunction._invoke_lambda`` (all
invocations end there) and ``requests``' ``HTTPAdapter.send`` (Moto's outbound
HTTP; Moto keeps its Docker client on the unpatched ``send``).
"""

import base64
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from durable_moto import import_hooks

Effect = dict[str, Any]
NOT_RECORDED = "durable-moto: not run again on replay, and no outcome was recorded"

_local = threading.local()
_installed = False


@contextmanager
def recording() -> Iterator[list[Effect]]:
    """Collect the outcomes of what this thread's request does outside Moto."""
    effects: list[Effect] = []
    _local.recorded = effects
    try:
        yield effects
    finally:
        _local.recorded = None


@contextmanager
def replaying(effects: list[Effect]) -> Iterator[None]:
    """Hand the recorded outcomes back, in order, instead of doing anything."""
    _local.pending = list(effects)
    try:
        yield
    finally:
        _local.pending = None


def _next_outcome(pending: list[Effect], kind: str) -> Effect | None:
    """The next recorded outcome of ``kind``; None for journals written without one."""
    if pending and pending[0].get("kind") == kind:
        return pending.pop(0)
    return None


def _lambda_run(original: Callable[..., tuple[str, bool, str]]) -> Callable[..., Any]:
    def run_or_replay(function: Any, event: Any = None) -> tuple[str, bool, str]:
        pending: list[Effect] | None = getattr(_local, "pending", None)
        if pending is not None:
            outcome = _next_outcome(pending, "lambda")
            if outcome is None:
                return NOT_RECORDED, True, ""
            # What _invoke_lambda does to Moto's own memory around the container
            # run, done again with the logs the run produced.
            function.logs_backend.ensure_log_group(function.logs_group_name)
            for text in outcome["logged"]:
                function.save_logs(text)
            output, errored, logs = outcome["result"]
            return str(output), bool(errored), str(logs)
        recorded: list[Effect] | None = getattr(_local, "recorded", None)
        if recorded is None:
            return original(function, event)
        logged: list[str] = []
        # The run's own traffic (the Docker API) is part of this one outcome.
        _local.logged, _local.recorded = logged, None
        try:
            result = original(function, event)
        finally:
            _local.logged, _local.recorded = None, recorded
        recorded.append(
            {
                "kind": "lambda",
                "function": function.function_arn,
                "result": list(result),
                "logged": logged,
            }
        )
        return result

    return run_or_replay


def _logs_saved(original: Callable[..., None]) -> Callable[..., None]:
    def save_and_note(function: Any, output: str) -> None:
        logged: list[str] | None = getattr(_local, "logged", None)
        if logged is not None:
            logged.append(output)
        original(function, output)

    return save_and_note


def _http_send(original: Callable[..., requests.Response]) -> Callable[..., Any]:
    def send_or_replay(
        adapter: HTTPAdapter, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        pending: list[Effect] | None = getattr(_local, "pending", None)
        if pending is not None:
            outcome = _next_outcome(pending, "http")
            if outcome is None or "error" in outcome:
                why = NOT_RECORDED if outcome is None else outcome["error"]
                raise requests.ConnectionError(why, request=request)
            return _response(request, outcome)
        recorded: list[Effect] | None = getattr(_local, "recorded", None)
        if recorded is None:
            return original(adapter, request, *args, **kwargs)
        try:
            response = original(adapter, request, *args, **kwargs)
            body = response.content  # read it whole: the record needs it
        except requests.RequestException as error:
            recorded.append(
                {"kind": "http", "url": request.url, "error": f"{type(error).__name__}: {error}"}
            )
            raise
        recorded.append(
            {
                "kind": "http",
                "url": request.url,
                "status": response.status_code,
                "reason": response.reason,
                "headers": dict(response.headers),
                "body": base64.b64encode(body).decode(),
            }
        )
        return response

    return send_or_replay


def _response(request: requests.PreparedRequest, outcome: Effect) -> requests.Response:
    response = requests.Response()
    response.status_code = int(outcome["status"])
    response.reason = str(outcome.get("reason", ""))
    response.headers = CaseInsensitiveDict(outcome["headers"])
    response._content = base64.b64decode(outcome["body"])
    response.encoding = get_encoding_from_headers(response.headers)
    response.url = str(request.url)
    response.request = request
    return response


def install() -> None:
    """Route Lambda runs and Moto's outbound HTTP through record and replay."""
    global _installed
    if _installed:
        return
    HTTPAdapter.send = _http_send(HTTPAdapter.send)  # type: ignore[method-assign]
    # Lambda (and the services it imports) loads on its first use, not at start-up.
    import_hooks.after_import("moto.awslambda.models", _record_lambda_runs)
    _installed = True


def _record_lambda_runs(models: ModuleType) -> None:
    function = models.LambdaFunction
    function._invoke_lambda = _lambda_run(function._invoke_lambda)
    function.save_logs = _logs_saved(function.save_logs)
