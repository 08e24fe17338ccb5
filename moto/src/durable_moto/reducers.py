"""Teach pickle the few things Moto's state holds that it cannot pickle as is.

* locks: a fresh, unlocked lock (nobody holds a lock inside a snapshot);
* private keys (KMS, Cognito, ACM ...): their PKCS#8 DER bytes, loaded back;
* X.509 certificates (ACM, IoT): their DER bytes;
* spooled temporary files (S3 bodies past the in-memory threshold): their bytes;
* weak-value registries (Lambda's ARN index): a plain dict of the same objects,
  which the snapshot references strongly elsewhere anyway;
* Docker clients (Lambda functions, Batch jobs): left out, created again on
  first use (see ``_docker_client_after_load``).

Lambdas and local functions (SSM's ``defaultdict(lambda: ...)``) are handled
by cloudpickle, which pickles them by value.
"""

import copyreg
import functools
import io
import tempfile
import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from types import FunctionType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519

_PRIVATE_KEY_TYPES: tuple[type, ...] = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
    x25519.X25519PrivateKey,
    x448.X448PrivateKey,
    dsa.DSAPrivateKey,
)
_PUBLIC_KEY_TYPES: tuple[type, ...] = (
    rsa.RSAPublicKey,
    ec.EllipticCurvePublicKey,
    ed25519.Ed25519PublicKey,
    ed448.Ed448PublicKey,
    dsa.DSAPublicKey,
)


def _load_private_key(der: bytes) -> Any:
    return serialization.load_der_private_key(der, password=None)


# Loaders are Python functions of this module: cryptography's own are Rust
# builtins that pickle cannot name.
def _load_public_key(der: bytes) -> Any:
    return serialization.load_der_public_key(der)


def _load_certificate(der: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(der)


def _load_csr(der: bytes) -> x509.CertificateSigningRequest:
    return x509.load_der_x509_csr(der)


def _reduce_private_key(key: Any) -> tuple[Any, tuple[bytes]]:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _load_private_key, (der,)


def _reduce_public_key(key: Any) -> tuple[Any, tuple[bytes]]:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _load_public_key, (der,)


def _spooled_file(content: bytes, max_size: int) -> tempfile.SpooledTemporaryFile[bytes]:
    spooled: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - returned open
        max_size=max_size
    )
    spooled.write(content)
    spooled.seek(0)
    return spooled


def _reduce_spooled(spooled: tempfile.SpooledTemporaryFile[bytes]) -> tuple[Any, tuple[Any, ...]]:
    position = spooled.tell()
    spooled.seek(0)
    content = spooled.read()
    spooled.seek(position)
    return _spooled_file, (content, spooled._max_size)  # type: ignore[attr-defined]


def _reduce_bytes_io(buffer: io.BytesIO) -> tuple[Any, tuple[bytes]]:
    return io.BytesIO, (buffer.getvalue(),)


def _new_mapping(cls: type[dict[Any, Any]], factory: Any) -> dict[Any, Any]:
    instance = cls.__new__(cls)
    if isinstance(instance, defaultdict):
        instance.default_factory = factory
    return instance


def _restore_mapping(instance: dict[Any, Any], state: tuple[Any, Any]) -> None:
    attributes, items = state
    if attributes:
        instance.__dict__.update(attributes)
    dict.update(instance, items)  # dict's own storage, never the subclass's __setitem__


@functools.cache
def _needs_raw_mapping(cls: type) -> bool:
    return (
        issubclass(cls, dict)
        and not issubclass(cls, OrderedDict)  # its C storage is more than dict's
        and cls not in (dict, defaultdict)
        and (issubclass(cls, defaultdict) or isinstance(cls.__setitem__, FunctionType))
    )


def _reduce_raw_mapping(obj: dict[Any, Any]) -> tuple[Any, ...]:
    attributes = getattr(obj, "__dict__", None)
    items = dict(dict.items(obj))
    if isinstance(obj, defaultdict) or attributes:
        factory = obj.default_factory if isinstance(obj, defaultdict) else None
        return _new_mapping, (type(obj), factory), (attributes, items), None, None, _restore_mapping
    # Nothing but items: rebuilt by C code alone (NEWOBJ, then dict.update), no Python
    # call per mapping. 100,000 DynamoDB items hold 100,000 of these.
    return copyreg.__newobj__, (type(obj),), items, None, None, dict.update  # type: ignore[attr-defined]


def _dict_subclasses(cls: type = dict) -> Iterator[type]:
    subclass: type
    for subclass in type.__subclasses__(cls):
        yield subclass
        yield from _dict_subclasses(subclass)


def dispatch_table() -> dict[type, Callable[[Any], Any]]:
    """Reducers by exact class, for the C pickler without a per-object Python hook.

    Covers every mapping ``special_reduce`` rebuilds raw, as it stands when
    called (all dict subclasses defined so far), on top of ``install``'s.
    """
    table: dict[type, Callable[[Any], Any]] = dict(copyreg.dispatch_table)
    for cls in _dict_subclasses():
        if _needs_raw_mapping(cls):
            table[cls] = _reduce_raw_mapping
    return table


def special_reduce(obj: Any) -> tuple[Any, ...] | None:
    """Reduce tuples for what copyreg cannot match by exact class.

    Keys and certificates are Rust types behind abstract classes. Dict
    subclasses that override ``__setitem__`` (S3's versioned key store appends
    on every set, DynamoDB's item attributes add up the item's size) or
    subclass ``defaultdict`` (SSM's ParameterDict, whose inherited reduce calls
    ``__init__`` with the wrong arguments) are rebuilt from their raw storage,
    bypassing the overrides.
    """
    cls: Any = type(obj)  # hashable: a class
    if _needs_raw_mapping(cls):
        return _reduce_raw_mapping(obj)
    if isinstance(obj, x509.Certificate):
        return _load_certificate, (obj.public_bytes(serialization.Encoding.DER),)
    if isinstance(obj, x509.CertificateSigningRequest):
        return _load_csr, (obj.public_bytes(serialization.Encoding.DER),)
    if isinstance(obj, _PRIVATE_KEY_TYPES):
        return _reduce_private_key(obj)
    if isinstance(obj, _PUBLIC_KEY_TYPES):
        return _reduce_public_key(obj)
    return None


def _docker_client_after_load() -> None:
    """Moto's ``LambdaFunction.__getstate__`` leaves its Docker client out of a
    pickle, and nothing puts the attribute back, so every Invoke after a restore
    failed with an AttributeError. A class-level ``None`` is what a new function
    starts with: the client is created on first use, as before the restore.
    It covers snapshots written before this fix too."""
    from moto.utilities.docker_utilities import DockerModel

    DockerModel._DockerModel__docker_client = None  # type: ignore[attr-defined]


def install() -> None:
    """Register the reducers for types pickle can look up by class."""
    _docker_client_after_load()
    copyreg.pickle(type(threading.Lock()), lambda _: (threading.Lock, ()))
    copyreg.pickle(type(threading.RLock()), lambda _: (threading.RLock, ()))
    copyreg.pickle(tempfile.SpooledTemporaryFile, _reduce_spooled)
    copyreg.pickle(io.BytesIO, _reduce_bytes_io)
    copyreg.pickle(
        weakref.WeakValueDictionary,
        lambda registry: (weakref.WeakValueDictionary, (dict(registry.items()),)),
    )
    copyreg.pickle(
        weakref.WeakKeyDictionary,
        lambda registry: (weakref.WeakKeyDictionary, (dict(registry.items()),)),
    )
    copyreg.pickle(weakref.WeakSet, lambda registry: (weakref.WeakSet, (list(registry),)))
