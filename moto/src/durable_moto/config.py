"""Server configuration, from flags or ``DURABLE_MOTO_*`` environment variables."""

import math
import os
from pathlib import Path
from typing import Literal, NamedTuple

FsyncPolicy = Literal["always", "everysec", "no"]
RecoverMode = Literal["strict", "last-good"]


class DurableConfig(NamedTuple):
    """A tuple rather than a dataclass: ``serve`` reads it once before it starts itself
    again (``cli``), and importing ``dataclasses`` there cost a tenth of a cold start."""

    data_dir: Path
    fsync: FsyncPolicy = "always"
    """always: fsync before every response; everysec: at most ~1 s lost; no: the OS decides."""
    replay_budget_seconds: float = 2.0
    """Snapshot once replaying the journal since the last one would take this long."""
    snapshot_spacing: float = 1.0
    """...or ``snapshot_spacing`` times the CPU the last snapshot took, if that is longer."""
    compact_after_records: int = 10_000
    compact_after_bytes: int = 64 * 1024 * 1024
    recover: RecoverMode = "strict"
    persistence: bool = True
    """False: plain in-memory Moto, nothing written."""
    threads: int = 64
    """Requests served at once; a long poll (SQS WaitTimeSeconds) holds one while it waits."""

    @classmethod
    def from_env(cls, **overrides: object) -> "DurableConfig":
        env = os.environ
        values: dict[str, object] = {
            "data_dir": Path(env.get("MOTO_DATA_DIR", "/data")),
            "fsync": env.get("DURABLE_MOTO_FSYNC", "always"),
            "replay_budget_seconds": float(env.get("DURABLE_MOTO_REPLAY_BUDGET_SECONDS", 2.0)),
            "snapshot_spacing": float(env.get("DURABLE_MOTO_SNAPSHOT_SPACING", 1.0)),
            "compact_after_records": int(env.get("DURABLE_MOTO_COMPACT_RECORDS", 10_000)),
            "compact_after_bytes": int(env.get("DURABLE_MOTO_COMPACT_BYTES", 64 * 1024 * 1024)),
            "recover": env.get("DURABLE_MOTO_RECOVER", "strict"),
            "persistence": env.get("DURABLE_MOTO_PERSISTENCE", "on") != "off",
            "threads": int(env.get("DURABLE_MOTO_THREADS", 64)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**values)  # type: ignore[arg-type]
        if config.fsync not in ("always", "everysec", "no"):
            raise ValueError(f"fsync policy must be always, everysec or no, not {config.fsync!r}")
        for name in ("replay_budget_seconds", "snapshot_spacing"):
            value = getattr(config, name)
            if not 0 <= value < math.inf:  # also refuses nan, which compares false
                raise ValueError(f"{name} must be a finite number, 0 or more, not {value}")
        if config.threads < 1:
            raise ValueError(f"threads must be at least 1, not {config.threads}")
        if config.recover not in ("strict", "last-good"):
            raise ValueError(f"recover must be strict or last-good, not {config.recover!r}")
        return config
