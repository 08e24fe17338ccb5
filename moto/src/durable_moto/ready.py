"""``python -m durable_moto.ready``: wait until the server is ready, as long as recovery progresses.

For health checks (compose) and scripts: exits 0 once ``--url`` answers 200,
keeps waiting while a recovering server reports progress (its
``X-Durable-Moto-Progress`` header moves), and exits 1 when nothing has moved
for ``--stall`` seconds. A restart that replays a long journal is slow, not
broken; a server that stopped progressing is broken, whatever the journal.
"""

import argparse
import sys
import time
import urllib.error
import urllib.request

from durable_moto.startup import PROGRESS_HEADER


def probe(url: str) -> tuple[int | None, str | None]:
    """The status code (None: no answer) and the progress header, if any."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - http(s) only
            return response.status, response.headers.get(PROGRESS_HEADER)
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get(PROGRESS_HEADER)
    except (urllib.error.URLError, OSError):
        return None, None


def wait_ready(url: str, stall_seconds: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + stall_seconds
    seen: str | None = None
    while time.monotonic() < deadline:
        code, progress = probe(url)
        if code == 200:
            return True
        if progress is not None and progress != seen:
            seen = progress
            deadline = time.monotonic() + stall_seconds
        time.sleep(interval)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m durable_moto.ready", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:4566/moto-api/")
    parser.add_argument("--stall", type=float, default=30, help="seconds without progress")
    args = parser.parse_args(argv)
    if not args.url.startswith(("http://", "https://")):
        parser.error(f"not an http(s) URL: {args.url}")
    return 0 if wait_ready(args.url, args.stall) else 1


if __name__ == "__main__":
    sys.exit(main())
