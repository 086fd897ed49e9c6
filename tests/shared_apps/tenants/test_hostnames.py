import pytest

from opsyn.errors import InvalidInput
from shared_apps.tenants.hostnames import host_of_request, normalise_host


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("acme.example.test", "acme.example.test"),
        ("ACME.example.test:8000", "acme.example.test"),
        ("acme.example.test.", "acme.example.test"),
        ("  Acme.Example.Test.:443 ", "acme.example.test"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.example:8000", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("localhost", "localhost"),
    ],
)
def test_hosts_have_one_canonical_form(raw: str, canonical: str) -> None:
    assert normalise_host(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        ":8000",
        "a..b",
        "-acme.example",
        "acme-.example",
        "ac me.example",
        "acme.example/evil",
        "[::1]:8000",
        "x" * 64 + ".example",
        "a_b.example",
        "acme.localhost..",
        "acme.localhost:",
        "acme.localhost:99999",
        "acme.localhost:123456",
        "acme.localhost:abc",
    ],
)
def test_malformed_hosts_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_host(raw)


def test_request_host_prefers_the_host_header() -> None:
    meta = {"HTTP_HOST": "Acme.Example.Test:8000", "SERVER_NAME": "other"}
    assert host_of_request(meta) == "acme.example.test"


def test_unusable_request_host_is_none() -> None:
    assert host_of_request({"HTTP_HOST": "bad host"}) is None
    assert host_of_request({"HTTP_HOST": "acme.localhost:"}) is None


def test_a_host_header_sent_as_utf8_reaches_its_punycode_domain() -> None:
    # WSGI servers hand the header over as Latin-1 text of the bytes sent.
    sent = "bücher.example:8000".encode().decode("latin-1")
    assert host_of_request({"HTTP_HOST": sent}) == "xn--bcher-kva.example"


def test_the_host_memo_stays_bounded_under_a_flood_of_made_up_hosts() -> None:
    from shared_apps.tenants import hostnames

    for number in range(hostnames._SEEN_LIMIT * 2 + 10):
        host_of_request({"HTTP_HOST": f"made-up-{number}.example.test"})
    assert len(hostnames._seen) <= hostnames._SEEN_LIMIT
    # The memo answers as normalising would, good host or bad.
    assert (
        host_of_request({"HTTP_HOST": "ACME.example.test:443"}) == "acme.example.test"
    )
    assert (
        host_of_request({"HTTP_HOST": "ACME.example.test:443"}) == "acme.example.test"
    )
    assert host_of_request({"HTTP_HOST": "bad host"}) is None
    assert host_of_request({"HTTP_HOST": "bad host"}) is None
