"""An in-memory referral platform: records what it is sent, and can refuse or fail."""

from __future__ import annotations

from intrro_gateway.ports.referral_platform import (
    OutboundMessage,
    PushFailedError,
    PushRefusedError,
    PushTarget,
)


class FakeReferralPlatform:
    """Intrro's receiving end, in memory."""

    def __init__(self) -> None:
        self.pushes: list[tuple[PushTarget, OutboundMessage]] = []
        self.attempts: list[tuple[PushTarget, OutboundMessage]] = []
        self.fail_next = 0  # this many pushes fail (retryable) before the next succeeds
        self.retry_after: float | None = None
        self.refuse_all = False
        self.refuse_urls: set[str] = set()
        self.refuse_types: set[str] = set()

    async def push(self, target: PushTarget, message: OutboundMessage) -> None:
        """Accept the event, or refuse it / fail as the test set up."""
        self.attempts.append((target, message))
        if self.refuse_all or target.url in self.refuse_urls or message.type in self.refuse_types:
            raise PushRefusedError("refused", status=410)
        if self.fail_next > 0:
            self.fail_next -= 1
            raise PushFailedError("unavailable", status=503, retry_after=self.retry_after)
        self.pushes.append((target, message))

    @property
    def messages(self) -> list[OutboundMessage]:
        """The messages delivered, in order."""
        return [message for _, message in self.pushes]

    def of_type(self, event_type: str) -> list[OutboundMessage]:
        """The delivered messages of one type."""
        return [m for m in self.messages if m.type == event_type]
