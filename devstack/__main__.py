"""``make dev``: the whole stack as local processes, in the foreground, until Ctrl-C.

Ports come from MOTO_PORT and ``<NAME>_PORT`` per service (GATEWAY_PORT,
CATALOG_PORT, ...; defaults 4566 and services/registry.toml); state lives under
``.data/`` (MOTOSTACK_DATA_DIR).
"""

import os
import signal
import sys
from types import FrameType

from devstack.components import Ports
from devstack.local import ProcessStack, default_data_dir
from devstack.waiting import StackError


def _ports_from_env() -> Ports:
    """``<NAME>_PORT`` for each component, e.g. ``ORDERS_PORT``; defaults otherwise."""
    return Ports.from_named(
        {
            name: int(os.environ.get(f"{name.upper().replace('-', '_')}_PORT", default))
            for name, default in Ports().named().items()
        }
    )


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    stack = ProcessStack(_ports_from_env(), default_data_dir(), sys.stdout)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        stack.up()
        print(
            f"\nmotostack is up: API {stack.gateway_url}/api, "
            f"docs {stack.gateway_url}/docs, AWS endpoint {stack.aws_endpoint_url}. "
            "Ctrl-C stops everything.\n",
            flush=True,
        )
        exited = stack.wait_any_exit()
        print(f"{exited} exited; stopping the stack", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", file=sys.stderr)
        return 0
    except StackError as error:
        print(f"dev stack failed: {error}", file=sys.stderr)
        return 1
    finally:
        stack.down()


if __name__ == "__main__":
    sys.exit(main())
