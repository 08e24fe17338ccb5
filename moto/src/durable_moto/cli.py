"""``durable-moto``: run the server, or operate a running one over HTTP.

durable-moto serve [--host 127.0.0.1] [--port 4566] [--data-dir /data] [--fsync always|everysec|no]
durable-moto status | compact | reset           [--data-dir DIR | --url http://127.0.0.1:4566]
durable-moto export FILE | import FILE          (FILE - is stdout / stdin)

With a data directory (--data-dir, or MOTO_DATA_DIR) the command talks to the
server of that directory, found through the address file it keeps there, and
sends the admin token kept beside it. Without one: DURABLE_MOTO_URL,
AWS_ENDPOINT_URL, or http://127.0.0.1:4566, with DURABLE_MOTO_ADMIN_TOKEN.
"""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from durable_moto import runfiles
from durable_moto.config import ConfigError, DurableConfig

if TYPE_CHECKING:
    import urllib.error

DEFAULT_URL = "http://127.0.0.1:4566"


def _with_fixed_hashing(argv: list[str], config: DurableConfig) -> None:
    """Run the server again with its data directory's ``PYTHONHASHSEED``, unless it has it.

    Python salts the hashes of strings per process, and a set of strings iterates
    in hash order. Moto keeps some state in such sets and answers in their order
    (an EBS snapshot's permitted accounts), so a restart, replaying the same
    journal in a process with another salt, answered a list in another order
    than the one acknowledged. The hash seed can only be set before Python
    starts: the command starts itself again (same process id), before it has
    imported anything of weight: whatever this module, ``config`` and ``runfiles``
    import is paid twice on every start, so they import little. The seed is the
    directory's own secret (``runfiles.hash_seed``), so it does not open the door to
    hash flooding.
    Without persistence nothing is rebuilt, and any salt will do.
    """
    if not config.persistence:
        return
    config.data_dir.mkdir(parents=True, exist_ok=True)
    seed = runfiles.hash_seed(config.data_dir)
    if os.environ.get("PYTHONHASHSEED") != seed:
        command = [sys.executable, "-m", "durable_moto", *argv]
        env = os.environ | {"PYTHONHASHSEED": seed}
        os.execve(sys.executable, command, env)  # noqa: S606 - this very command, again


def _target(args: argparse.Namespace) -> tuple[str, str | None]:
    """The server to talk to and the token to send; the flags win over the environment."""
    env = os.environ
    data_dir = args.data_dir or (Path(env["MOTO_DATA_DIR"]) if env.get("MOTO_DATA_DIR") else None)
    try:
        token = runfiles.client_token(data_dir)
    except OSError as error:
        message = f"durable-moto {args.command}: cannot read the admin token: {error}"
        raise SystemExit(message) from None
    if args.url:
        return args.url, token
    if data_dir is not None and (args.data_dir or not env.get("DURABLE_MOTO_URL")):
        try:
            return runfiles.read_address(data_dir).url, token
        except runfiles.NoServerError as error:
            raise SystemExit(f"durable-moto {args.command}: {error}") from None
    return env.get("DURABLE_MOTO_URL") or env.get("AWS_ENDPOINT_URL") or DEFAULT_URL, token


def _call(
    target: tuple[str, str | None], action: str, method: str = "GET", body: bytes | None = None
) -> bytes:
    # Imported here: ``serve`` starts twice (see ``_with_fixed_hashing``) and needs none
    # of it; urllib.request alone is half of this module's import time.
    import urllib.error
    import urllib.request

    url, token = target
    if not url.startswith(("http://", "https://")):
        raise SystemExit(f"durable-moto {action}: not an http(s) URL: {url}")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(  # noqa: S310 - http(s) checked above
        f"{url.rstrip('/')}/_durable/{action}", body, headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as error:
        raise SystemExit(f"durable-moto {action}: {error.code}: {_detail(error)}") from None
    except urllib.error.URLError as error:
        raise SystemExit(f"durable-moto {action}: cannot reach {url}: {error.reason}") from None


def _detail(error: "urllib.error.HTTPError") -> str:
    text = error.read().decode(errors="replace")
    try:
        return str(json.loads(text)["detail"])
    except (ValueError, KeyError, TypeError):
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="durable-moto",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server in the foreground")
    serve.add_argument(
        "--host",
        default=os.environ.get("MOTO_HOST") or "127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 in a container)",
    )
    serve.add_argument("--port", type=int, default=int(os.environ.get("MOTO_PORT", 4566)))
    serve.add_argument("--data-dir", type=Path)
    serve.add_argument("--fsync", choices=["always", "everysec", "no"])
    serve.add_argument("--recover", choices=["strict", "last-good"])
    serve.add_argument("--no-persistence", action="store_true", help="plain in-memory Moto")
    for name in ("status", "compact", "reset", "export", "import"):
        sub = commands.add_parser(name)
        where = sub.add_mutually_exclusive_group()
        where.add_argument("--url", help="the server's URL (the token: DURABLE_MOTO_ADMIN_TOKEN)")
        where.add_argument("--data-dir", type=Path, help="talk to the server of this directory")
        if name in ("export", "import"):
            sub.add_argument("file", type=Path)
    arguments = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(arguments)

    if args.command == "serve":
        try:
            config = DurableConfig.from_env(
                data_dir=args.data_dir,
                fsync=args.fsync,
                recover=args.recover,
                persistence=False if args.no_persistence else None,
            )
        except ConfigError as error:
            raise SystemExit(f"durable-moto serve: {error}") from None
        _with_fixed_hashing(arguments, config)
        from durable_moto.server import serve as run

        return run(args.host, args.port, config)
    target = _target(args)
    if args.command == "status":
        print(json.dumps(json.loads(_call(target, "status")), indent=2))
    elif args.command in ("compact", "reset"):
        print(_call(target, args.command, "POST", b"").decode())
    elif args.command == "export":
        data = _call(target, "export")
        if str(args.file) == "-":
            sys.stdout.buffer.write(data)
        else:
            args.file.parent.mkdir(parents=True, exist_ok=True)
            with runfiles.open_owner_only(args.file) as out:
                out.write(data)
            print(f"exported {len(data)} bytes to {args.file}")
    else:
        archive = sys.stdin.buffer.read() if str(args.file) == "-" else args.file.read_bytes()
        print(_call(target, "import", "POST", archive).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
