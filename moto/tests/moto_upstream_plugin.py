"""A pytest plugin that runs Moto's own tests against Moto with durable Moto's patches.

From the pinned Moto's source distribution (``tests/`` is not in the wheel)::

    PYTHONPATH=moto/tests .venv/bin/pytest -p moto_upstream_plugin \\
        moto-5.2.5/tests/test_dynamodb moto-5.2.5/tests/test_sqs
"""

import pytest

from durable_moto import patches


def pytest_configure(config: pytest.Config) -> None:
    if not patches.apply():
        raise pytest.UsageError("DURABLE_MOTO_PATCHES=off: nothing to test")
