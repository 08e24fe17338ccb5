"""Moto's own server-mode tests, run against plain moto_server and durable Moto.

"Speaks exactly what moto_server speaks" is checked with Moto's tests of the
very version installed: its sdist ships ``tests/``. The same selection runs
against a plain ``moto_server`` and a durable Moto side by side (each on a free
port, ``TEST_SERVER_MODE=true`` and ``TEST_SERVER_MODE_ENDPOINT`` pointing at
it), and the stage fails when durable Moto fails a test that plain Moto passes.
Tests that fail on plain Moto too (some assume port 5000) are not held against it.
A test that regresses is run once more on its own before it counts, so a test
that depends on timing on a busy machine does not fail the stage by chance.

The sdist is downloaded once and cached under ``.data/moto-upstream``.

Usage: python moto/tests/upstream_fidelity.py [TEST_PATH ...]
"""

import os
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from durable_harness import DurableServer, free_port

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".data" / "moto-upstream"

# The four services' suites, cut to what fits the stage's budget (a few
# minutes on two cores): each service's core test module plus its server tests.
SELECTION = [
    "tests/test_sqs/test_sqs.py",
    "tests/test_sqs/test_server.py",
    "tests/test_sns/test_publishing.py",
    "tests/test_sns/test_topics.py",
    "tests/test_sns/test_subscriptions.py",
    "tests/test_sns/test_server.py",
    "tests/test_dynamodb/test_dynamodb.py",
    "tests/test_dynamodb/test_server.py",
    "tests/test_s3/test_s3.py",
    "tests/test_s3/test_server.py",
]
# Left out for time: it writes items until a query passes 1 MB, a minute on a
# busy machine for one test.
DESELECTED = ["tests/test_dynamodb/test_dynamodb.py::test_dynamodb_max_1mb_limit"]
PER_TEST_TIMEOUT = 60


def moto_tests(moto_version: str) -> Path:
    """The sdist's tests folder, downloaded and unpacked on first use."""
    folder = CACHE / f"moto-{moto_version}"
    if (folder / "tests").is_dir():
        return folder
    CACHE.mkdir(parents=True, exist_ok=True)
    archive = CACHE / f"moto-{moto_version}.tar.gz"
    if not archive.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-binary", ":all:", "--no-deps",
             f"moto=={moto_version}", "-d", str(CACHE)],
            check=True,
        )  # fmt: skip
    prefix = f"moto-{moto_version}/tests/"
    with tarfile.open(archive) as sdist:
        members = [member for member in sdist.getmembers() if member.name.startswith(prefix)]
        sdist.extractall(CACHE, members=members, filter="data")
    return folder


class PlainMoto:
    """``moto_server`` as users run it, for the reference answers."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        moto_server = Path(sys.executable).with_name("moto_server")
        self.process = subprocess.Popen(
            [str(moto_server), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        import httpx

        for _ in range(600):
            try:
                if httpx.get(f"{self.url}/moto-api/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("moto_server did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.log.close()


def run_pytest(
    tests: Path, endpoint: str, paths: list[str], junit: Path, log: Path
) -> subprocess.Popen[bytes]:
    """Moto's tests with their own settings, not this repository's ``pyproject.toml``."""
    config = junit.with_suffix(".ini")
    config.write_text("[pytest]\n")
    env = os.environ | {
        "TEST_SERVER_MODE": "true",
        "TEST_SERVER_MODE_ENDPOINT": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(config),
        "--rootdir", str(tests), "--timeout", str(PER_TEST_TIMEOUT),
        "-m", "not requires_docker and not network", "--junitxml", str(junit),
        *[f"--deselect={test}" for test in DESELECTED], *paths,
    ]  # fmt: skip
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=tests, env=env, stdout=out, stderr=subprocess.STDOUT)


def outcomes(junit: Path) -> dict[str, str]:
    """Test id -> passed / failed / skipped, from pytest's JUnit XML."""
    results = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        if kinds & {"failure", "error"}:
            results[test_id] = "failed"
        elif "skipped" in kinds:
            results[test_id] = "skipped"
        else:
            results[test_id] = "passed"
    return results


def node_id(test_id: str) -> str:
    """``tests.test_s3.test_s3::test_x[a]`` -> ``tests/test_s3/test_s3.py::test_x[a]``."""
    module, name = test_id.split("::", 1)
    parts = module.split(".")
    # Test classes appear in the classname: keep them as pytest's ``::Class``.
    while parts and not parts[-1].startswith("test_"):
        name = f"{parts.pop()}::{name}"
    return "/".join(parts) + ".py::" + name


def summary(plain: dict[str, str], durable: dict[str, str]) -> list[str]:
    lines = [f"{'service':<10} {'plain passed/failed':>20} {'durable passed/failed':>22}"]
    services = sorted({test.split(".")[1] for test in plain})
    for service in services:
        counts = [
            Counter(result for test, result in side.items() if test.split(".")[1] == service)
            for side in (plain, durable)
        ]
        lines.append(
            f"{service.removeprefix('test_'):<10} "
            f"{counts[0]['passed']:>14}/{counts[0]['failed']:<5} "
            f"{counts[1]['passed']:>16}/{counts[1]['failed']:<5}"
        )
    return lines


def main(paths: list[str]) -> int:
    started = time.monotonic()
    moto_version = version("moto")
    tests = moto_tests(moto_version)
    work = Path(tempfile.mkdtemp(prefix="moto-upstream-"))
    plain = PlainMoto(work / "plain.server.log")
    durable = DurableServer(work / "durable")
    try:
        durable.start()
        plain.wait_ready()
        runs = {
            side: run_pytest(tests, url, paths, work / f"{side}.xml", work / f"{side}.log")
            for side, url in (("plain", plain.url), ("durable", durable.url))
        }
        for process in runs.values():
            process.wait()
        results = {side: outcomes(work / f"{side}.xml") for side in runs}
        regressed = sorted(
            test
            for test, result in results["plain"].items()
            if result == "passed" and results["durable"].get(test) != "passed"
        )
        confirmed: dict[str, str] = {}
        if regressed:  # once more, alone, before it counts
            retry = run_pytest(
                tests, durable.url, [node_id(t) for t in regressed],
                work / "retry.xml", work / "retry.log",
            )  # fmt: skip
            retry.wait()
            confirmed = outcomes(work / "retry.xml")
    finally:
        plain.stop()
        durable.kill()
    failing = [test for test in regressed if confirmed.get(test) != "passed"]
    print(f"Moto {moto_version}'s own server-mode tests ({len(paths)} test paths):")
    print("\n".join(summary(results["plain"], results["durable"])))
    for test in regressed:
        verdict = "fails on durable Moto only" if test in failing else "passed when run again"
        print(f"  {node_id(test)}: {verdict}")
    print(f"logs in {work}; {time.monotonic() - started:.0f} s")
    if "passed" not in results["plain"].values():
        print("no test passed on plain Moto: nothing was compared", file=sys.stderr)
        return 1
    if failing:
        print(
            f"{len(failing)} test(s) pass on plain Moto and fail on durable Moto", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or SELECTION))
