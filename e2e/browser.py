"""Real Chromium for the demo's tests: Debian's package, driven by Playwright.

Playwright only drives the browser here; it never downloads one. The
executable is ``CHROMIUM`` or the first of ``chromium``/``chromium-browser`` on
PATH. Without one the browser tests are skipped with the install command, or
fail when ``REQUIRE_BROWSER=1`` (CI installs Chromium first and sets it).
"""

import os
import re
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or REPO_ROOT / ".data" / "artifacts")
"""Screenshots of pages whose test failed, and the measured render times."""

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    "no Chromium found: install Debian's package (`sudo apt-get install -y chromium`) or set "
    "CHROMIUM=/path/to/chromium; the browser tests are skipped (REQUIRE_BROWSER=1 fails instead)"
)


def chromium_executable() -> str | None:
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "0") == "1"


def screenshot_dir() -> Path | None:
    """Where ``make screenshots`` wants the views for the README (E2E_SCREENSHOTS)."""
    configured = os.environ.get("E2E_SCREENSHOTS")
    return Path(configured) if configured else None


def artifact_name(test_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test_id).strip("_")[:150]
