"""The stack as local processes.

``python -m devstack`` (``make dev``): in the foreground until Ctrl-C.
``python -m devstack up`` (``make up`` without Docker): detached, returns when up.
``python -m devstack down|ps|logs``: stop it, show its processes, show its output.
``python -m devstack endpoint``: its AWS endpoint; exits 1 when no local stack runs.

Ports come from MOTO_PORT and ``<NAME>_PORT`` per service (GATEWAY_PORT,
CATALOG_PORT, ...; defaults 4566 and services/registry.toml); state lives under
``.data/`` (MOTOSTACK_DATA_DIR), ``.data/stack.json`` says that a stack is up.
"""

import argparse
import os
import shutil
import signal
import sys
from pathlib import Path
from types import FrameType

from devstack import background
from devstack.components import Ports
from devstack.local import ProcessStack, default_data_dir
from devstack.state import ProcessRecord, StackState, state_path
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


def supervise(data_dir: Path, log: str | None) -> int:
    """Run the stack until Ctrl-C, SIGTERM (``make down``) or a component's exit."""
    if (other := background.running(data_dir)) is not None:
        print(
            f"a stack of this checkout already runs (pid {other.supervisor.pid}): make down",
            file=sys.stderr,
        )
        return 1
    path = state_path(data_dir)
    me = ProcessRecord(os.getpid(), list(sys.orig_argv))
    StackState(me, log=log).write(path)
    stack = ProcessStack(_ports_from_env(), data_dir, sys.stdout)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        stack.up()
        StackState(
            me,
            ready=True,
            gateway_url=stack.gateway_url,
            aws_endpoint_url=stack.aws_endpoint_url,
            log=log,
            processes={
                name: ProcessRecord(pid, component.argv, component.health_url)
                for name, (component, pid) in stack.processes().items()
            },
        ).write(path)
        print(
            f"\nmotostack is up: shop {stack.gateway_url}/, API {stack.gateway_url}/api, "
            f"docs {stack.gateway_url}/docs, AWS endpoint {stack.aws_endpoint_url}. "
            f"{'make down' if log else 'Ctrl-C'} stops everything.\n",
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
        path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument("--log", help=argparse.SUPPRESS)  # where a detached supervisor writes
    verbs = parser.add_subparsers(dest="verb")
    verbs.add_parser("up", help="start detached; return when healthy and seeded")
    down = verbs.add_parser("down", help="stop every process of the stack")
    down.add_argument("--volumes", action="store_true", help="also delete Moto's state")
    verbs.add_parser("ps", help="the stack's processes and their health")
    logs = verbs.add_parser("logs", help="the stack's output")
    logs.add_argument("--no-follow", action="store_true")
    verbs.add_parser("endpoint", help="print the AWS endpoint; exit 1 when no stack runs")
    args = parser.parse_args(argv)
    data_dir = default_data_dir()

    def say(line: str) -> None:
        print(line, file=sys.stderr)

    try:
        match args.verb:
            case None:
                return supervise(data_dir, args.log)
            case "up":
                background.start(data_dir, say)
            case "down":
                background.stop(data_dir, say)
                if args.volumes:
                    shutil.rmtree(data_dir / "moto", ignore_errors=True)
                    say(f"deleted {data_dir / 'moto'}")
            case "ps":
                print(background.status(data_dir))
            case "logs":
                background.follow_logs(data_dir, follow=not args.no_follow)
            case "endpoint":
                state = background.running(data_dir)
                if state is None or not state.ready:
                    return 1
                print(state.aws_endpoint_url)
    except background.BackgroundError as error:
        say(str(error))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
