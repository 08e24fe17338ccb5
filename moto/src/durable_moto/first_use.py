"""What Moto builds on first use comes out the same, whichever request uses it first.

Moto builds some state only when it is first needed, drawing ids from its
generators as it does:

* a service's modules, on the service's first request (EKS draws its cluster
  endpoint names at import);
* a service's backends for an account, on the first request naming it;
* a service's backend for a region, on the first request to that region (EC2's
  default VPC, subnets and security groups, with random ids; EventBridge's
  default event bus, with its creation time);
* KMS's AWS managed keys (``alias/aws/s3`` and the like), on the first request
  naming one, a DescribeKey or an Encrypt as well as a write;
* EC2's default VPC endpoint services of a region, with random service ids, on
  the first DescribeVpcEndpointServices (kept for the process, outside any
  backend, so built again after every restart);
* SSM's public parameters (``/aws/service/...``: regions, services, latest
  AMIs), each tree on the first request naming a path in it, stamped with that
  request's time and listed after the parameters made before it.

The request that first needs it may be a read, which is not journaled. Live, a
DescribeVpcs built EC2's backend with ids from whatever state the generators
were in; on replay, the first *write* to the region built it, from that write's
seeded generators, which then gave the write itself other ids. A VPC created
after a DescribeVpcs, or a certificate requested after a ListCertificates, had
another id or serial after a restart than the one acknowledged.

So each is built from generators seeded by its name alone (module; service,
account and region; key alias), and the running request's generators are left
as they were (``determinism.aside``): the same ids live and on replay, however
the first use came about.

Times are another matter: a backend or a key a read builds carries the read's
time, and nothing but the read knows it (an AWS managed key made by a
DescribeKey and never written to again would not even exist after a restart,
and data encrypted under it could not be decrypted). So each is built
``watch.changing``: a read that builds one is journaled, with the time it built
it at. Modules are not: what their code draws comes out the same aside, and no
snapshot keeps them (each restart imports them again, which would journal the
first read of every service after every restart).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from moto.core.base_backend import AccountSpecificBackend, BackendDict

from durable_moto import determinism, import_hooks, watch

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
        import_hooks.after_import("moto.kms.models", _build_managed_keys_aside)
        import_hooks.after_import("moto.ec2.models.vpcs", _build_endpoint_services_aside)
        import_hooks.after_import("moto.ssm.models", _build_public_parameters_aside)
        _installed = True


@contextmanager
def _building(name: str) -> Iterator[None]:
    with determinism.aside(name), watch.changing():
        yield


def _build_account_backends(backends: BackendDict[Any], account_id: str) -> None:
    if dict.__contains__(backends, account_id):
        _account_backends(backends, account_id)  # only records the dict as in use
        return
    with _building(f"backends {backends.service_name} {account_id}"):
        _account_backends(backends, account_id)


def _build_region_backend(backends: AccountSpecificBackend[Any], region_name: str) -> Any:
    if dict.__contains__(backends, "aws" if region_name == "global" else region_name):
        return _region_backend(backends, region_name)
    with _building(f"backend {backends.service_name} {backends.account_id} {region_name}"):
        return _region_backend(backends, region_name)


def _build_managed_keys_aside(models: ModuleType) -> None:
    generate = models.KmsBackend._generate_default_keys
    reserved = models.RESERVED_ALIASES

    def generate_aside(backend: Any, alias_name: str) -> str | None:
        if alias_name not in reserved:
            return generate(backend, alias_name)  # type: ignore[no-any-return]
        with _building(f"kms key {backend.account_id} {backend.region_name} {alias_name}"):
            return generate(backend, alias_name)  # type: ignore[no-any-return]

    models.KmsBackend._generate_default_keys = generate_aside


def _build_endpoint_services_aside(vpcs: ModuleType) -> None:
    collect = vpcs.VPCBackend._collect_default_endpoint_services
    built = vpcs.DEFAULT_VPC_ENDPOINT_SERVICES

    def collect_aside(account_id: str, region: str) -> list[dict[str, str]]:
        if region in built:
            return collect(account_id, region)  # type: ignore[no-any-return]
        with _building(f"vpc endpoint services {region}"):
            return collect(account_id, region)  # type: ignore[no-any-return]

    vpcs.VPCBackend._collect_default_endpoint_services = staticmethod(collect_aside)


def _build_public_parameters_aside(models: ModuleType) -> None:
    parameters = models.ParameterDict
    load_amis: Callable[[Any], None] = parameters._load_latest_amis
    load_tree: Callable[[Any, str], None] = parameters._load_tree_parameters

    def load_amis_aside(loaded: Any) -> None:
        with _building(f"ssm parameters {loaded.account_id} {loaded.region_name} latest amis"):
            load_amis(loaded)

    def load_tree_aside(loaded: Any, path: str) -> None:
        with _building(f"ssm parameters {loaded.account_id} {loaded.region_name} {path}"):
            load_tree(loaded, path)

    parameters._load_latest_amis = load_amis_aside
    parameters._load_tree_parameters = load_tree_aside
