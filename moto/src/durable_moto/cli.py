"""``durable-moto``: run the server, or operate a running one over HTTP.

durable-moto serve [--port 4566] [--data-dir /data] [--fsync always|everysec|no]
durable-moto status | compact | reset            [--url http://127.0.0.1:4566]
durable-moto export FILE | import FILE           [--url ...]
"""

import argparse
import json
import logging
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from durable_moto.config import DurableConfig


def _default_url() -> str:
    return os.environ.get("DURABLE_MOTO_URL") or os.environ.get(
        "AWS_ENDPOINT_URL", "http://127.0.0.1:4566"
    )


def _call(url: str, action: str, method: str = "GET", body: bytes | None = None) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise SystemExit(f"durable-moto {action}: not an http(s) URL: {url}")
    request = urllib.request.Request(f"{url.rstrip('/')}/_durable/{action}", body, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 - http(s) URL
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as error:
        raise SystemExit(f"durable-moto {action}: {error.code}: {error.read().decode()}") from None
    except urllib.error.URLError as error:
        raise SystemExit(f"durable-moto {action}: cannot reach {url}: {error.reason}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="durable-moto",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server in the foreground")
    serve.add_argument("--host", default=os.environ.get("MOTO_HOST", "0.0.0.0"))  # noqa: S104
    serve.add_argument("--port", type=int, default=int(os.environ.get("MOTO_PORT", 4566)))
    serve.add_argument("--data-dir", type=Path)
    serve.add_argument("--fsync", choices=["always", "everysec", "no"])
    serve.add_argument("--recover", choices=["strict", "last-good"])
    serve.add_argument("--no-persistence", action="store_true", help="plain in-memory Moto")
    for name in ("status", "compact", "reset", "export", "import"):
        sub = commands.add_parser(name)
        sub.add_argument("--url", default=_default_url())
        if name in ("export", "import"):
            sub.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    if args.command == "serve":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        config = DurableConfig.from_env(
            data_dir=args.data_dir,
            fsync=args.fsync,
            recover=args.recover,
            persistence=False if args.no_persistence else None,
        )
        from durable_moto.server import serve as run

        return run(args.host, args.port, config)
    if args.command == "status":
        print(json.dumps(json.loads(_call(args.url, "status")), indent=2))
    elif args.command in ("compact", "reset"):
        print(_call(args.url, args.command, "POST", b"").decode())
    elif args.command == "export":
        data = _call(args.url, "export")
        args.file.parent.mkdir(parents=True, exist_ok=True)
        args.file.write_bytes(data)
        print(f"exported {len(data)} bytes to {args.file}")
    else:
        print(_call(args.url, "import", "POST", args.file.read_bytes()).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
