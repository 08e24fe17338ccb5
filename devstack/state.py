"""What says a local stack of this checkout is up: ``.data/stack.json``.

The supervisor (``python -m devstack``, in the foreground for ``make dev`` or detached
for ``make up``) writes it when it starts and removes it when it stops. It names the
supervisor and every long-running process with its command line, so ``make down`` can
check that each one really ended and never signals an unrelated process that reused a
pid after a crash.
"""

import json
import os
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ProcessRecord:
    pid: int
    argv: list[str]
    health_url: str | None = None


@dataclass(frozen=True)
class StackState:
    supervisor: ProcessRecord
    ready: bool = False
    gateway_url: str = ""
    aws_endpoint_url: str = ""
    log: str | None = None
    """Where the supervisor's output goes; None when it writes to a terminal (``make dev``)."""
    processes: dict[str, ProcessRecord] = field(default_factory=dict)

    def write(self, path: Path) -> None:
        """Atomically, so a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(asdict(self), indent=2))
        partial.replace(path)

    @classmethod
    def read(cls, path: Path) -> "StackState | None":
        """The recorded state, or None when there is none (or it is unreadable: then it says
        nothing we could act on safely)."""
        try:
            raw = json.loads(path.read_text())
            return cls(
                supervisor=ProcessRecord(**raw["supervisor"]),
                ready=raw["ready"],
                gateway_url=raw["gateway_url"],
                aws_endpoint_url=raw["aws_endpoint_url"],
                log=raw["log"],
                processes={name: ProcessRecord(**p) for name, p in raw["processes"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def live_processes(self) -> dict[str, ProcessRecord]:
        """The recorded processes that still run, supervisor included."""
        every = {"supervisor": self.supervisor} | self.processes
        return {name: record for name, record in every.items() if is_running(record)}


def state_path(data_dir: Path) -> Path:
    return data_dir / "stack.json"


def is_running(record: ProcessRecord) -> bool:
    """The pid is alive, not a zombie, and still runs the recorded command."""
    try:
        os.kill(record.pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or someone else's process now
        return False
    return _command_line(record.pid) == " ".join(record.argv)


def _command_line(pid: int) -> str | None:
    """The process's argv joined by spaces; None for a zombie or a vanished process.
    /proc where it exists (Linux), else ``ps`` (macOS)."""
    proc = Path(f"/proc/{pid}")
    if proc.exists():
        try:
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return None
            return " ".join(
                (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
            )
        except (OSError, IndexError):
            return None
    result = subprocess.run(
        ["ps", "-ww", "-o", "stat=,command=", "-p", str(pid)],
        capture_output=True,
        text=True,
        check=False,
    )
    status, _, command = result.stdout.strip().partition(" ")
    if result.returncode != 0 or status.startswith("Z"):
        return None
    return command.strip()
