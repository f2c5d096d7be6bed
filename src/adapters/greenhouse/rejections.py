"""Greenhouse's rejection vocabulary: who said no, read from a rejection reason's type.

The one place that knows these words. Harvest answers and Recruiting web hooks both name a reason's
type, by `type.key` (`THEY_REJECTED_US`, v3) or by `type.name` (`They rejected us`, v1 era), and a
web hook may give the type as a bare string; every form is read here, whatever its case or spacing.
"""

from __future__ import annotations

from intrro_gateway.domain.signals import RejectionKind

_KINDS: dict[str, RejectionKind] = {
    "they_rejected_us": RejectionKind.CANDIDATE,
    "they rejected us": RejectionKind.CANDIDATE,
    "we_rejected_them": RejectionKind.COMPANY,
    "we rejected them": RejectionKind.COMPANY,
}


def rejection_kind(*labels: str | None) -> RejectionKind:
    """Who rejected whom: the first label Greenhouse's vocabulary knows decides (pass the key first)."""
    for label in labels:
        if label is None:
            continue
        kind = _KINDS.get(label.strip().casefold())
        if kind is not None:
            return kind
    return RejectionKind.UNSPECIFIED
