"""What a running server leaves in its data directory for local clients.

``server.json`` says where the server listens (host, port, pid), so ``durable-moto
--data-dir DIR`` talks to the server of that directory rather than to whatever
answers on port 4566. ``admin-token`` (mode 0600, created at first start) is the
credential of the admin endpoints: whoever may read the data directory may
operate the server, a web page never can. ``hash-seed`` (mode 0600, created at
first start) is the ``PYTHONHASHSEED`` every server of the directory runs with
(see ``cli``).
"""

import json
import os
from pathlib import Path
from typing import BinaryIO, NamedTuple

ADDRESS_FILE = "server.json"
TOKEN_FILE = "admin-token"  # noqa: S105 - a file name, not a secret
TOKEN_VARIABLE = "DURABLE_MOTO_ADMIN_TOKEN"  # noqa: S105 - a variable name
HASH_SEED_FILE = "hash-seed"


class NoServerError(Exception):
    """No server runs for a data directory; the message says how we know."""


class Address(NamedTuple):
    host: str
    port: int
    pid: int

    @property
    def url(self) -> str:
        """Where a local client reaches it: a wildcard bind answers on loopback."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)  # noqa: S104
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"


def admin_token(data_dir: Path | None) -> str | None:
    """The server's token: from the environment, else the data directory's file (made if new).

    Without either (no persistence, no variable) there is no token, and the
    endpoints that need one refuse everybody.
    """
    from_env = os.environ.get(TOKEN_VARIABLE)
    if from_env:
        return from_env
    if data_dir is None:
        return None
    import secrets  # here: ``serve`` reads the hash seed (below) before it starts again

    _create_secret(data_dir / TOKEN_FILE, secrets.token_urlsafe(32))
    return read_token(data_dir)


def hash_seed(data_dir: Path) -> str:
    """The directory's hash seed, drawn at its first start: secret, so nobody can
    compute strings that collide under it (hash flooding, which Python's per-process
    salt guards against), and the same for every server of the directory."""
    path = data_dir / HASH_SEED_FILE
    _create_secret(path, str(int.from_bytes(os.urandom(4)) % (2**32 - 1) + 1))
    return path.read_text().strip()


def open_owner_only(path: Path) -> BinaryIO:
    """``path`` created or emptied for writing, readable by its owner alone, as everything
    holding the emulated state or its secrets is (an existing file's mode is reset too)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def _create_secret(path: Path, value: str) -> None:
    """Write ``value`` to ``path`` unless it exists, readable by its owner alone."""
    try:
        # O_EXCL: two first starts never write two different values; 0o600 from birth,
        # so there is no moment at which another local user could read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)  # an older copy or a restored backup may have lost the mode
        return
    with os.fdopen(fd, "w") as file:
        file.write(value + "\n")
        file.flush()
        os.fsync(file.fileno())


def read_token(data_dir: Path) -> str:
    """The token of the server of ``data_dir``; OSError when it cannot be read."""
    return (data_dir / TOKEN_FILE).read_text().strip()


def client_token(data_dir: Path | None) -> str | None:
    """What a client sends: the variable if set, else the data directory's token if readable."""
    from_env = os.environ.get(TOKEN_VARIABLE)
    if from_env or data_dir is None:
        return from_env
    try:
        return read_token(data_dir)
    except FileNotFoundError:
        return None


def write_address(data_dir: Path, address: Address) -> None:
    """Atomically, so a client never reads half a file."""
    temporary = data_dir / f".{ADDRESS_FILE}.tmp"
    temporary.write_text(json.dumps(address._asdict()) + "\n")
    temporary.replace(data_dir / ADDRESS_FILE)


def remove_address(data_dir: Path) -> None:
    (data_dir / ADDRESS_FILE).unlink(missing_ok=True)


def read_address(data_dir: Path) -> Address:
    """The address of the server running for ``data_dir``, or NoServerError saying why not."""
    path = data_dir / ADDRESS_FILE
    try:
        address = Address(**json.loads(path.read_text()))
    except FileNotFoundError:
        raise NoServerError(
            f"no durable-moto server is running for {data_dir} (no {ADDRESS_FILE} there)"
        ) from None
    except (ValueError, TypeError) as error:
        raise NoServerError(f"{path} is not a server address file: {error}") from None
    if not _alive(address.pid):
        raise NoServerError(
            f"no durable-moto server is running for {data_dir}: the one that listened on "
            f"{address.url} (pid {address.pid}) has gone without a clean stop"
        )
    return address


def _alive(pid: int) -> bool:
    """Whether the pid lives (a reused pid fools it; the connection then fails, and says so)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
