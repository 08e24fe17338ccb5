"""Demo page settings: the one key the page may borrow, and only on a local stack."""

from pydantic import Field

from services.common.settings import StackSettings


class DemoSettings(StackSettings):
    demo_api_key: str | None = Field(
        default=None,
        description="Added by the gateway to writes from its own page on a local stack only.",
    )
    demo_flow_orders: int = Field(
        default=8, ge=1, le=50, description="How many recent orders the flow view follows."
    )

    demo_grid_fresh_seconds: float = Field(
        default=5,
        ge=0,
        description="The shop's grid is served from memory, refreshed after this many seconds.",
    )

    def page_key(self) -> str | None:
        """The key the page's writes get, or None: never on ``STACK_TARGET=aws``, whatever
        the environment holds, so no shortcut reaches a real deployment."""
        if self.stack_target != "local":
            return None
        return self.demo_api_key or None

    @property
    def inspects_aws(self) -> bool:
        """The flow and AWS views read state directly; only an emulator's may be shown."""
        return self.stack_target == "local"
