"""``python -m scaffold new-service NAME | remove-service NAME | remove-example | check``.

Exit codes: 0 done, 1 refused (the message says why; nothing was written),
2 the checkout's files disagree with the registry (``check``).
"""

import argparse
import subprocess
import sys
from pathlib import Path

from scaffold.checks import REPO_ROOT, all_problems
from scaffold.example import remove_example
from scaffold.service import Change, Refused, new_service, remove_service
from services.registry import load


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scaffold", description=__doc__.split("\n")[0])
    parser.add_argument(
        "verb", choices=["new-service", "remove-service", "remove-example", "check"]
    )
    parser.add_argument("name", nargs="?", default="")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the checkout to change")
    return parser.parse_args(argv)


def _tidy(root: Path, paths: list[Path]) -> None:
    """Imports sorted and code formatted by the project's own ruff settings: where a name
    lands in the import order depends on the name, which a template cannot know."""
    if paths:
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run(
            [*ruff, "check", "--no-cache", "--fix", "--select", "I", "-q", *paths],
            cwd=root,
            check=True,
        )
        subprocess.run([*ruff, "format", "--no-cache", "-q", *paths], cwd=root, check=True)


def run(argv: list[str]) -> int:
    arguments = _arguments(argv)
    root: Path = arguments.root
    registry = load(root / "services" / "registry.toml")
    if arguments.verb == "check":
        problems = all_problems(root, registry)
        for problem in problems:
            print(problem)
        if not problems:
            print(
                f"scaffold check: {len(registry.services)} services; compose files and "
                ".env.example agree with services/registry.toml"
            )
        return 2 if problems else 0
    if arguments.verb != "remove-example" and not arguments.name:
        print(f"{arguments.verb} needs a name: make {arguments.verb} NAME=<name>", file=sys.stderr)
        return 1
    try:
        change: Change
        if arguments.verb == "new-service":
            change = new_service(root, registry, arguments.name)
        elif arguments.verb == "remove-service":
            change = remove_service(root, registry, arguments.name)
        else:
            change = remove_example(root, registry)
    except Refused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    for path in change.apply(root):
        print(f"{'deleted' if path in change.delete else 'wrote'} {path}")
    _tidy(root, [path for path in change.write if path.suffix == ".py"])
    if arguments.verb == "new-service":
        name = arguments.name
        print(
            f"\n{name} is ready: `make test` runs its tests, `make dev` serves "
            f"/api/{name}/items through the gateway (writes need X-API-Key)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
