"""A journaled request reads the same clock live as on replay: the time it was received.

Moto writes the time into what it stores (a certificate's validity in whole
seconds, a message's sent time in milliseconds). Replay runs a request with the
clock stopped at the time in its record; if the live run read the real clock,
a request that took longer than the gap to the next whole second would be
rebuilt different after a restart.
"""

import time
from pathlib import Path
from typing import Any

from in_process import call_json, open_app

from durable_moto import wsgi
from durable_moto.app import DurableApp

VERSION = "clock-test"
SLOW = 1.2
"""Longer than a second: the live run reads a clock past the next whole second."""


def _acm(app: DurableApp, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    return call_json(app, "acm", f"CertificateManager.{action}", payload)


def _slowed(moto_app: wsgi.WsgiApp, seconds: float = SLOW) -> wsgi.WsgiApp:
    """Moto, reached only after ``seconds`` of real time."""

    def slow_moto(environ: dict[str, Any], start_response: Any) -> Any:
        time.sleep(seconds)
        return moto_app(environ, start_response)

    return slow_moto


def test_a_slow_request_is_rebuilt_with_the_time_it_was_answered_with(tmp_path: Path) -> None:
    app, store = open_app(tmp_path, VERSION)
    app.moto_app = _slowed(app.moto_app)
    arn = _acm(app, "RequestCertificate", {"DomainName": "clock.example.com"})["CertificateArn"]
    answered = _acm(app, "DescribeCertificate", {"CertificateArn": arn})["Certificate"]
    store.close()

    app, store = open_app(tmp_path, VERSION)  # rebuilt by replaying the journal
    rebuilt = _acm(app, "DescribeCertificate", {"CertificateArn": arn})["Certificate"]
    store.close()
    assert rebuilt["NotBefore"] == answered["NotBefore"]
    assert rebuilt == answered


def test_the_replay_estimate_counts_execution_not_waiting(tmp_path: Path) -> None:
    """A replay runs alone; a request served under load also waits (for the interpreter
    lock, for a core). Waiting, here a sleep, is no replay cost, and does not bring the
    next snapshot closer."""
    app, store = open_app(tmp_path, VERSION)
    try:
        arn = _acm(app, "RequestCertificate", {"DomainName": "clock.example.com"})
        before = store.replay_cost.seconds
        waited = 0.5  # and the two requests stay under the replay budget (2 s) even so
        app.moto_app = _slowed(app.moto_app, waited)
        tags = [{"Key": "team", "Value": "shop"}]
        _acm(app, "AddTagsToCertificate", {"CertificateArn": arn["CertificateArn"], "Tags": tags})
        assert 0 < store.replay_cost.seconds - before < waited / 4
    finally:
        store.close()
