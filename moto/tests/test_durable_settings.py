"""Moto's settings, set through ``/moto-api/``, outlive a snapshot.

The state manager's transitions and Moto's config live outside every backend.
The requests that set them are journaled, but a snapshot stands for the journal
before it, and every clean stop writes one: it has to hold them too.
"""

from typing import Any

import httpx

from durable_harness import DurableServer

TRANSITION = {"model_name": "dax::cluster", "transition": {"progression": "manual", "times": 1}}
CONFIG = {"batch": {"use_docker": False}, "lambda": {"use_docker": False}}


def _settings(server: DurableServer) -> dict[str, Any]:
    # Moto reads the name from the query unquoted: "::" as it is.
    query = f"model_name={TRANSITION['model_name']}"
    transition = httpx.get(f"{server.url}/moto-api/state-manager/get-transition?{query}")
    return {
        "transition": transition.json(),
        "config": httpx.get(f"{server.url}/moto-api/config").json(),
    }


def test_settings_outlive_a_clean_stop_and_a_snapshot(new_server: Any) -> None:
    server: DurableServer = new_server("data")
    server.start()
    for path, body in (("state-manager/set-transition", TRANSITION), ("config", CONFIG)):
        assert httpx.post(f"{server.url}/moto-api/{path}", json=body).status_code == 201
    settings = _settings(server)
    assert settings["transition"] == TRANSITION["transition"]
    assert {name: settings["config"][name] for name in CONFIG} == CONFIG
    server.stop()  # SIGTERM: a final snapshot, the journal before it is done with

    server.start()
    assert server.status()["recovery"]["replayed_records"] == 0
    assert _settings(server) == settings

    server.compact()
    server.kill()
    server.start()
    assert _settings(server) == settings
