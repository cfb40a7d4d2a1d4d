"""C2PA/CAWG training-and-mining: the JUMBF walker, the CBOR decoder and the fixture."""

from __future__ import annotations

import struct

import pytest

from rights_check.image.c2pa import CBORError, app11_jumbf, assertions, cbor_decode, parse_c2pa
from rights_check.image.machine import machine_restrictions

from .test_xmp import FIXTURES, _jpeg_segments

CAWG = "C_with_CAWG_data.jpg"


# --- a tiny CBOR encoder and JUMBF builder for test-made manifests -----------------------------

def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(n)


def cbor(value) -> bytes:
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(value)


def box(kind: str, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind.encode()) + payload


def jumd(label: str) -> bytes:
    return box("jumd", b"\0" * 16 + b"\x03" + label.encode() + b"\0")


def superbox(label: str, *content: bytes) -> bytes:
    return box("jumb", jumd(label) + b"".join(content))


def manifest_store(entries: dict, label: str = "cawg.training-mining") -> bytes:
    assertion = superbox(label, box("cbor", cbor({"entries": entries})))
    actions = superbox("c2pa.actions.v2", box("cbor", cbor({"actions": [
        {"action": "c2pa.created",
         "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"}]})))
    return superbox("c2pa", superbox("urn:c2pa:test", superbox("c2pa.assertions", actions, assertion)))


def app11_segments(store: bytes, size: int) -> list[bytes]:
    """Split a superbox into APP11 payloads; continuation segments repeat the box header."""
    header, body = store[:8], store[8:]
    out, seq = [], 1
    while body or seq == 1:
        chunk, body = body[:size], body[size:]
        out.append(b"JP" + struct.pack(">HI", 7, seq) + header + chunk)
        seq += 1
    return out


# --- CBOR ------------------------------------------------------------------------------------

def test_cbor_basics():
    assert cbor_decode(cbor({"a": [1, -5, "x", b"\x00", True, 1000000]})) == {
        "a": [1, -5, "x", b"\x00", True, 1000000]}
    assert cbor_decode(bytes.fromhex("f93c00")) == 1.0            # half float
    assert cbor_decode(bytes.fromhex("fb3ff8000000000000")) == 1.5  # double
    assert cbor_decode(bytes.fromhex("c074323031332d30332d32315432303a30343a30305a")) == "2013-03-21T20:04:00Z"  # tag 0
    assert cbor_decode(bytes.fromhex("9f018202039f0405ffff")) == [1, [2, 3], [4, 5]]  # indefinite
    assert cbor_decode(bytes.fromhex("bf61610161629f0203ffff")) == {"a": 1, "b": [2, 3]}
    assert cbor_decode(bytes.fromhex("7f657374726561646d696e67ff")) == "streaming"
    assert cbor_decode(bytes.fromhex("f6")) is None


@pytest.mark.parametrize("data", [
    b"",
    bytes.fromhex("7a7fffffff"),          # a string claiming 2 GB
    bytes.fromhex("9b00000000ffffffff"),  # an array claiming 4 billion items
    bytes.fromhex("bf6161"),              # map cut off
    bytes.fromhex("1c"),                  # reserved additional info
    b"\x81" * 100 + b"\x01",              # nesting deeper than the limit
])
def test_cbor_is_bounded(data):
    with pytest.raises(CBORError):
        cbor_decode(data)


# --- the fixture -----------------------------------------------------------------------------

def fixture_jumbf() -> list[bytes]:
    data = (FIXTURES / CAWG).read_bytes()
    return app11_jumbf([p for marker, p in _jpeg_segments(data) if marker == 0xEB])


def test_cawg_fixture():
    stores = fixture_jumbf()
    assert len(stores) == 1
    labels = [path[-1] for path, _ in assertions(stores[0])]
    assert "cawg.training-mining" in labels
    notices: list = []
    got = parse_c2pa([("app11", s) for s in stores], notices=notices)
    assert not notices
    assert ("data_mining", "c2pa:cawg.ai_generative_training", "notAllowed") in got
    assert ("data_mining", "c2pa:cawg.ai_inference", "notAllowed") in got
    assert ("digital_source_type", "c2pa:c2pa.actions",
            "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture") in got
    scopes = {r.value["scope"] for r in machine_restrictions(got) if r.type == "no_ai_training"}
    assert scopes == {"genai_training", "ai_use"}


def test_cawg_fixture_through_containers_reader():
    from rights_check.image.containers import read_blocks

    blocks = read_blocks(FIXTURES / CAWG)
    assert parse_c2pa(blocks.jumbf) == parse_c2pa([("app11", s) for s in fixture_jumbf()])


# --- test-made manifests ---------------------------------------------------------------------

def test_split_app11_manifest_is_joined_and_read():
    store = manifest_store({"cawg.ai_training": {"use": "notAllowed"},
                            "cawg.data_mining": {"use": "constrained", "constraint_info": "ask us"},
                            "cawg.ai_inference": {"use": "allowed"}})
    segments = app11_segments(store, 40)
    assert len(segments) > 3
    joined = app11_jumbf(list(reversed(segments)))  # order by sequence number, not arrival
    assert joined == [store]
    got = parse_c2pa([("app11", joined[0])])
    assert ("data_mining", "c2pa:cawg.ai_training", "notAllowed") in got
    assert ("data_mining_constraint", "c2pa:cawg.data_mining", "ask us") in got
    scopes = {r.value["scope"] for r in machine_restrictions(got) if r.type == "no_ai_training"}
    assert scopes == {"ai_training", "all_mining"}  # allowed inference is no restriction


def test_older_c2pa_label_and_versioned_duplicate():
    store = manifest_store({"c2pa.ai_generative_training": {"use": "notAllowed"}},
                           label="c2pa.training-mining__1")
    got = parse_c2pa([("x", store)])
    assert ("data_mining", "c2pa:c2pa.ai_generative_training", "notAllowed") in got


def test_damaged_jumbf_is_a_notice():
    store = bytearray(manifest_store({"cawg.ai_training": {"use": "notAllowed"}}))
    store[0:4] = struct.pack(">I", len(store) + 100)  # outer box overruns the data
    notices: list = []
    assert parse_c2pa([("app11", bytes(store))], notices=notices) == []
    assert notices and notices[0].kind == "damaged"


def test_bad_cbor_in_assertion_is_a_notice():
    bad = superbox("c2pa", superbox("m", superbox("c2pa.assertions",
                   superbox("cawg.training-mining", box("cbor", b"\xbf\x61")))))
    notices: list = []
    assert parse_c2pa([("app11", bad)], notices=notices) == []
    assert notices and "cawg.training-mining" in notices[0].message
