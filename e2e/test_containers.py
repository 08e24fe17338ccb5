"""How the compose stack's containers run: as the engine reports it, not as configured."""

import pytest

from devstack.compose import ComposeStack
from e2e.stacks import Stack
from services.registry import registry

SERVICES = {"moto", "seed", *registry().names}


def test_containers_run_unprivileged_read_only_and_bounded(stack: Stack) -> None:
    if not isinstance(stack, ComposeStack):
        pytest.skip("only a compose stack has containers")
    containers = stack.inspect()
    services = {c["Config"]["Labels"]["com.docker.compose.service"] for c in containers}
    assert services >= SERVICES
    for container in containers:
        name, host = container["Name"], container["HostConfig"]
        assert container["Config"]["User"] not in {"", "0", "root"}, name
        assert host["ReadonlyRootfs"] is True, name
        assert "/tmp" in host["Tmpfs"], name
        assert host["Memory"] > 0, name
        assert host["LogConfig"] == {
            "Type": "json-file",
            "Config": {"max-file": "3", "max-size": "10m"},
        }, name
