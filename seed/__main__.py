"""The seeder: ``python -m seed [plan|apply|destroy]`` (``apply`` when no verb is given).

* ``plan``: what ``apply`` would create or change; changes nothing.
* ``apply``: make every resource exist as declared, add the demo API key, load
  the fixtures on a local stack's first seed (``--with-fixtures``: load missing
  ones again); running it again changes nothing and says so. Against real AWS
  (``STACK_TARGET=aws``) it needs ``--yes``, and loads fixtures only with
  ``--with-fixtures``.
* ``destroy``: delete every resource of the stack, data included, after you
  type the stack's name (or with ``--yes``).
* ``export --out DIR``: write a least-privilege IAM policy per service
  (``DIR/iam/<service>.json``) and a CloudFormation template of the stack
  (``DIR/cloudformation.json``); talks to no AWS.

Exit codes: 0 done, 1 not confirmed, 2 AWS endpoint unavailable (before or during
the run), 3 invalid
configuration or fixtures, 4 refused (target guard rail).
"""

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from seed import verbs
from seed.settings import SeedSettings
from seed.stack import AWS_SERVICES
from seed.wait import EndpointUnavailable, wait_for_endpoint
from services.common.aws import aws_client
from services.common.failures import is_aws_outage
from services.common.seeding import FixturePolicy
from services.common.target import TargetRefused, enforce_target

logger = logging.getLogger("seed")


def _progress(what: str, done: int, total: int) -> None:
    step = max(total // 10, 1)
    if done == total or done % step == 0:
        logger.info("%s: %d/%d", what, done, total)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m seed", description=__doc__.split("\n")[0])
    parser.add_argument(
        "verb", nargs="?", default="apply", choices=["plan", "apply", "destroy", "export"]
    )
    parser.add_argument("--yes", action="store_true", help="do it without asking")
    parser.add_argument(
        "--with-fixtures", action="store_true", help="load the demo data on real AWS too"
    )
    parser.add_argument("--out", type=Path, default=Path("deploy"), help="export: where to")
    return parser.parse_args(argv)


def run(settings: SeedSettings, argv: list[str], ask: Callable[[str], str] = input) -> int:
    arguments = _arguments(argv)
    stack = f"{settings.stack_name}-{settings.stage}"
    if arguments.verb == "export":
        for path in verbs.export(arguments.out, f"{stack}-"):
            logger.info("wrote %s", path)
        return 0
    enforce_target(settings, AWS_SERVICES)
    real = settings.stack_target == "aws"
    clients = {name: aws_client(name, settings) for name in AWS_SERVICES}
    wait_for_endpoint(clients["dynamodb"], settings.seed_wait_seconds)

    fixtures: FixturePolicy = (
        "always"
        if arguments.with_fixtures
        else "first-seed"
        if settings.seed_fixtures and not real
        else "never"
    )
    if arguments.verb == "plan":
        for line in verbs.plan(clients, fixtures=fixtures != "never"):
            print(line)
        return 0
    if arguments.verb == "destroy":
        if not arguments.yes and ask(f"Type {stack} to delete all of its resources: ") != stack:
            logger.error("not confirmed; nothing deleted")
            return 1
        logger.info("destroyed: %d resources of %s", verbs.destroy(clients), stack)
        return 0
    if real and not arguments.yes:
        logger.error(
            "apply against real AWS needs --yes; run `python -m seed plan` first to see what "
            "it would do"
        )
        return 1
    changed = verbs.apply(clients, settings, fixtures=fixtures, progress=_progress)
    logger.info("done: %s", f"{changed} changes" if changed else "nothing to do, all in place")
    return 0


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="seed: %(message)s", stream=sys.stdout)
    logging.getLogger("botocore").setLevel(logging.WARNING)  # not where credentials came from
    try:
        return run(SeedSettings(), sys.argv[1:])
    except EndpointUnavailable as error:
        logger.error("%s", error)
        return 2
    except (ValidationError, ValueError) as error:
        logger.error("invalid configuration or fixtures:\n%s", error)
        return 3
    except TargetRefused as error:
        logger.error("refusing to run: %s", error)
        return 4
    except (BotoCoreError, ClientError) as error:
        if not is_aws_outage(error):
            raise
        logger.error(
            "the AWS endpoint stopped answering mid-run: %s; nothing was rolled back, "
            "run the seeder again once it is back (it picks up where it stopped)",
            error,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
