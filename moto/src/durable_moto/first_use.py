"""What Moto builds on first use comes out the same, whichever request uses it first.

Moto builds some state only when it is first needed, drawing ids from its
generators as it does:

* a service's modules, on the service's first request (EKS draws its cluster
  endpoint names at import);
* a service's backends for an account, on the first request naming it;
* a service's backend for a region, on the first request to that region (EC2's
  default VPC, subnets and security groups, with random ids).

The request that first needs it may be a read, which is not journaled. Live, a
DescribeVpcs built EC2's backend with ids from whatever state the generators
were in; on replay, the first *write* to the region built it, from that write's
seeded generators, which then gave the write itself other ids. A VPC created
after a DescribeVpcs, or a certificate requested after a ListCertificates, had
another id or serial after a restart than the one acknowledged.

So each is built from generators seeded by its name alone (module; service,
account and region), and the running request's generators are left as they
were (``determinism.aside``): the same ids live and on replay, however the
first use came about. Their times are not fixed: a backend first built by a
read carries the read's time, on replay the first write's.
"""

from typing import Any

from moto.core.base_backend import AccountSpecificBackend, BackendDict

from durable_moto import determinism, import_hooks

_installed = False
_account_backends = BackendDict._create_account_specific_backend
_region_backend = AccountSpecificBackend.__getitem__


def install() -> None:
    """Build Moto's modules and backends aside from the request that first needs them."""
    global _installed
    if not _installed:
        import_hooks.around_imports("moto", lambda name: determinism.aside(f"import {name}"))
        BackendDict._create_account_specific_backend = _build_account_backends  # type: ignore[method-assign, assignment]
        AccountSpecificBackend.__getitem__ = _build_region_backend  # type: ignore[method-assign]
        _installed = True


def _build_account_backends(backends: BackendDict[Any], account_id: str) -> None:
    if dict.__contains__(backends, account_id):
        _account_backends(backends, account_id)  # only records the dict as in use
        return
    with determinism.aside(f"backends {backends.service_name} {account_id}"):
        _account_backends(backends, account_id)


def _build_region_backend(backends: AccountSpecificBackend[Any], region_name: str) -> Any:
    if dict.__contains__(backends, "aws" if region_name == "global" else region_name):
        return _region_backend(backends, region_name)
    with determinism.aside(f"backend {backends.service_name} {backends.account_id} {region_name}"):
        return _region_backend(backends, region_name)
