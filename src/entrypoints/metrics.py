"""Prometheus metrics, one registry per app: deliveries, pushes, queue depths, request latency."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from intrro_gateway.ports.referral_platform import (
    OutboundMessage,
    PushFailedError,
    PushRefusedError,
    PushTarget,
    ReferralPlatform,
)

QueueDepthProbe = Callable[[], Awaitable[Mapping[tuple[str, str], int]]]


class GatewayMetrics:
    """The gateway's metrics, registered in their own registry so several apps can share a process."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.deliveries = Counter(
            "gateway_deliveries_received",
            "Inbound deliveries by source and outcome.",
            ["source", "outcome"],
            registry=self.registry,
        )
        self.pushes = Counter(
            "gateway_outbox_pushes",
            "Outbound pushes to the referral platform by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "gateway_queue_depth",
            "Inbox (in) and outbox (out) items by state, when last scraped.",
            ["direction", "state"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gateway_request_duration_seconds",
            "HTTP request latency by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )

    async def render(self, probe: QueueDepthProbe | None) -> bytes:
        """The Prometheus text exposition, with queue depths read now when a probe is given."""
        if probe is not None:
            for (direction, state), count in (await probe()).items():
                self.queue_depth.labels(direction=direction, state=state).set(count)
        return generate_latest(self.registry)


class MeteredReferralPlatform(ReferralPlatform):
    """A referral platform that counts each push by outcome, then behaves as the one it wraps."""

    def __init__(self, inner: ReferralPlatform, metrics: GatewayMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def push(self, target: PushTarget, message: OutboundMessage) -> None:
        """Deliver one event through the wrapped platform, counting the outcome."""
        try:
            await self._inner.push(target, message)
        except PushRefusedError:
            self._metrics.pushes.labels(outcome="refused").inc()
            raise
        except PushFailedError:
            self._metrics.pushes.labels(outcome="failed").inc()
            raise
        except Exception:
            self._metrics.pushes.labels(outcome="error").inc()
            raise
        self._metrics.pushes.labels(outcome="delivered").inc()
