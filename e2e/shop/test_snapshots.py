"""J9: `make snapshot-save` / `make snapshot-load` on the running stack, compose or local.

The scripts find the stack's durable Moto and its admin token by themselves:
inside the moto container in compose, through the data directory locally.
"""

import os
import subprocess
from pathlib import Path

import httpx

from devstack.components import REPO_ROOT
from e2e.shop.helpers import unique_sku
from e2e.stacks import ControllableStack

FOREIGN = ("AWS_ENDPOINT_URL", "MOTO_DATA_DIR", "DURABLE_MOTO_ADMIN_TOKEN", "COMPOSE_PROJECT_NAME")


def make_snapshot(
    stack: ControllableStack, folder: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """``scripts/snapshot.sh`` as ``make snapshot-*`` runs it, pointed at this stack only."""
    env = {name: value for name, value in os.environ.items() if name not in FOREIGN}
    return subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "snapshot.sh"), *args],
        env=env | stack.scripts_env | {"SNAPSHOT_DIR": str(folder)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def create_product(api: httpx.Client, name: str) -> str:
    response = api.post(
        "/catalog/products", json={"sku": unique_sku(), "name": name, "price_cents": 500}
    )
    assert response.status_code == 201, response.text
    product_id: str = response.json()["id"]
    return product_id


def test_save_then_load_brings_the_saved_state_back(
    api: httpx.Client, controlled_stack: ControllableStack, tmp_path: Path
) -> None:
    kept = create_product(api, "In the snapshot")
    saved = make_snapshot(controlled_stack, tmp_path, "save", "e2e")
    assert saved.returncode == 0, saved.stdout + saved.stderr
    assert (tmp_path / "e2e.dms").stat().st_size > 0
    after = create_product(api, "After the snapshot")
    loaded = make_snapshot(controlled_stack, tmp_path, "load", "e2e")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert api.get(f"/catalog/products/{kept}").status_code == 200
    assert api.get(f"/catalog/products/{after}").status_code == 404
