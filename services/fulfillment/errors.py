"""How handling a message can fail, which decides what happens to the message."""


class TryLater(Exception):
    """Something it depends on is down or busy: the message comes back after a pause."""

    def __init__(self, reason: str, *, after_seconds: int | None = None) -> None:
        super().__init__(reason)
        self.after_seconds = after_seconds


class PoisonMessage(Exception):
    """The message can never be handled: it is released at once and, after the maximum
    number of receives, lands in the dead-letter queue for a human to look at."""


class Superseded(Exception):
    """A later receive of the same message holds the order: this receive was paused past its
    visibility timeout, and its receipt handle is stale. The message is left alone, neither
    released nor deleted: it is the later receive's now."""
