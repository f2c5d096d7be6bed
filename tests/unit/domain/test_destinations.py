"""Where events may be sent: in production, https to public addresses only, unless the operator allows a
host; in development anything http(s) (the sandboxes and test receivers live on loopback)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.destinations import DestinationPolicy, is_public, parse_address

PRODUCTION = DestinationPolicy.of(enforced=True)

REFUSED_URLS = [
    "https://169.254.169.254/latest/meta-data",
    "https://127.0.0.1/hooks",
    "https://127.1/hooks",
    "https://2130706433/hooks",
    "https://0x7f000001/hooks",
    "https://localhost/hooks",
    "https://LOCALHOST./hooks",
    "https://api.localhost/hooks",
    "https://[::1]:8443/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://[fe80::1]/hooks",
    "https://10.0.0.7/hooks",
    "https://192.168.1.20/hooks",
    "https://172.16.0.1/hooks",
    "https://100.64.0.1/hooks",
    "https://224.0.0.1/hooks",
    "https://0.0.0.0/hooks",
    "http://intrro.example/hooks",  # not https
    "ftp://intrro.example/hooks",
    "https:///hooks",
    "https://intrro.example:notaport/hooks",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_production_refuses_local_private_and_plain_http_callbacks(url: str) -> None:
    assert PRODUCTION.judge_url(url) is not None


@pytest.mark.parametrize(
    "url", ["https://intrro.example/hooks", "https://93.184.216.34/x", "https://[2606:4700::1]/x"]
)
def test_production_accepts_https_to_public_hosts_and_unresolved_names(url: str) -> None:
    assert PRODUCTION.judge_url(url) is None


@pytest.mark.parametrize("url", REFUSED_URLS[:16])
def test_development_accepts_any_http_or_https_url_with_a_host(url: str) -> None:
    assert DestinationPolicy().judge_url(url) is None


def test_hosts_the_operator_allows_pass_by_name_address_or_network() -> None:
    policy = DestinationPolicy.of(enforced=True, allowed_hosts=["intrro.internal", "10.1.0.0/16"])

    assert policy.judge_url("http://intrro.internal:8080/hooks") is None
    assert policy.judge_url("https://10.1.2.3/hooks") is None
    assert policy.judge_url("https://10.2.0.1/hooks") is not None
    address = ipaddress.ip_address("10.1.9.9")
    assert policy.judge_resolved("intrro.example", [address]) is None
    assert policy.judge_resolved("internal.example", [ipaddress.ip_address("10.9.9.9")])


def test_a_name_that_resolves_to_one_refused_address_is_refused_when_sent() -> None:
    public, metadata = (
        ipaddress.ip_address("93.184.216.34"),
        ipaddress.ip_address("169.254.169.254"),
    )

    assert PRODUCTION.judge_resolved("intrro.example", [public]) is None
    assert PRODUCTION.judge_resolved("intrro.example", [public, metadata]) is not None
    assert DestinationPolicy().judge_resolved("intrro.example", [metadata]) is None


def test_a_malformed_allowed_host_is_refused() -> None:
    with pytest.raises(ValueError, match="not a host name"):
        DestinationPolicy.of(enforced=True, allowed_hosts=["intrro internal/x"])


@given(st.ip_addresses())
def test_an_address_is_public_only_when_globally_routable_unicast(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    if is_public(address):
        assert address.is_global and not address.is_multicast
        assert not (address.is_loopback or address.is_private or address.is_link_local)


@given(st.text())
def test_any_text_as_a_callback_url_is_judged_without_an_error(url: str) -> None:
    PRODUCTION.judge_url(url)
    DestinationPolicy().judge_url(url)
    parse_address(url)
