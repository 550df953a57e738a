"""zkpor.reserves.bip322 against BIP-322's own test vectors, and what it must refuse.

Sources of the vectors (values only; each case names its source):

- [BIP-text] BIP-322, "Test vectors" section: bitcoin/bips, bip-0322.mediawiki
  (blob at commit 06d39c35fa60fb165fd19d1eaffb0c52d2ea1661): message hashes, and simple
  P2WPKH signatures by L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k.
- [BIP-basic] bitcoin/bips, bip-0322/basic-test-vectors.json (commit
  38447179a580b8bebb701e6b3d3cc16a450d1639): "simple" (prefixed smp P2WPKH, P2WSH
  3-of-3, unprefixed P2TR "No prefix fallback") and "error" cases.
- [BIP-generated] bitcoin/bips, bip-0322/generated-test-vectors.json (commit
  a62c819596cc0809c2cc86a15dc7a9cd3ef5e5d1): "simple" P2TR and P2WSH 2-of-2 / 3-of-3,
  "full" P2TR with lock_time 2016 and sequence 2016.
- [Core] Bitcoin Core, src/test/util_tests.cpp at commit
  29b28d07fa958b89e1c7916fda5d8654474cf495 (line 2747), the P2TR "Hello World" signature of
  the same key as [BIP-text], as cited by ACken2/bip322-js test/Verifier.test.ts.
"""

from __future__ import annotations

import base64
import subprocess
import sys

import bip322core  # noqa: F401  (a core dependency: a broken install fails here)
import pytest

from zkpor.errors import VerificationError
from zkpor.reserves.bip322 import (
    address_kind,
    message_hash,
    needs_bip322,
    p2tr_address,
    sign_p2tr,
    verify,
)
from zkpor.reserves.message import ownership_message

# [BIP-text]: the key's P2WPKH address and its simple signatures (two per message)
P2WPKH = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"
P2WPKH_EMPTY = [
    "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=",
    "AkgwRQIhAPkJ1Q4oYS0htvyuSFHLxRQpFAY56b70UvE7Dxazen0ZAiAtZfFz1S6T6I23MWI2lK/pcNTWncuyL8UL+oMdydVgzAEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy",
]
P2WPKH_HELLO = [
    "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=",
    "AkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR8eGhowEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy",
]

# [Core]: the same key's P2TR (key path) address
P2TR_CORE = "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3"
P2TR_CORE_HELLO = (
    "AUHd69PrJQEv+oKTfZ8l+WROBHuy9HKrbFCJu7U1iK2iiEy1vMU5EfMtjc+VSHM7aU0SDbak5IUZRVno2P5mjSafAQ=="
)

# (source, address, message, signature): valid simple signatures
VALID = [
    ("BIP-text", P2WPKH, "", P2WPKH_EMPTY[0]),
    ("BIP-text", P2WPKH, "", P2WPKH_EMPTY[1]),
    ("BIP-text", P2WPKH, "Hello World", P2WPKH_HELLO[0]),
    ("BIP-text", P2WPKH, "Hello World", P2WPKH_HELLO[1]),
    ("Core", P2TR_CORE, "Hello World", P2TR_CORE_HELLO),
    ("BIP-basic", P2WPKH, "Hello World", "smp" + P2WPKH_HELLO[1]),
    (
        "BIP-basic",
        "bc1qp0ahvfh83088w49k405szqgg4f3pptr7p2g06tdxfjcd40z4lh4q95lsz9",
        "This will be a p2wsh 3-of-3 multisig BIP 322 signed message",
        "smpBQBHMEQCIFX9aaqPJWq2Ff2kpen5bFDTid+ehgUOpHV0LfjncXy4AiA3GNicF7aKPzdpa9PCpmaYQs3pHd+qbvvhXdxOCKCAMAFIMEUCIQD/ELXg6CNYyUQijCg96JtgvgjZb9dsl1Ctof4QAeyTcQIgVM/1AAblFl/DCt6A1gJg+T/i2qU5SQD09+chFJzolRwBSDBFAiEAlqRfSFyWNVQhvaCnmeV5tyneiCWMTcFbuujoD/pFa3wCIGnZjfQb8NolSYq9asV+ZeBSkCGHJcqnaV4JYS5MYPEGAWlTIQJ1aLEfEi/4p7wcV+XHZCBVvGGJZ7L3v+jhH+mZA8lN0yECCovfec+kIdllXpKCgA8RX/HZ2x5yHOtCSKP8/sf6pnwhAwxSng6kCgCXXSAmJOOZFdr3vdK3HzGqCFloOHgc5fM6U64=",
    ),
    (
        "BIP-basic",
        "bc1pss0zhytly75awhm6x2hhvd5lnzv3vssgrf9axfheq8ldyzn88ges79fler",
        "No prefix fallback",
        "AUCJYOwOjxYAvatTAGYaVlNXBVyFuc4MwNQkOuK2tl8xhfKDONd0NjfYyNSYcRqeCp8hsAnCEPHAVEkO9h6vbQ/R",
    ),
    (
        "BIP-generated",
        "bc1pcquvhrqv0q68t4m0hfq6tpn006qrskyc7yrqnp2uyrf2emg3wynsdjyk38",
        "PURVOQ544B6HUATVBJZN5EZJUU",
        "smpAUB6B2Rbupzua8LTQIF06516wzl+cwKy1be8RgoiW0riyXdKwe6GTz/5Hnb37m67pJwIKCh+D5jDueG6KpvYpmu8",
    ),
    (
        "BIP-generated",
        "bc1qw6g0rgrpuxvj4edkwtvzpmt3c5m08mhp8nuk3mrk4erufvlczp5ssdscjd",
        "G7ZTXXOVJFHGDD6XYJAGBAMT5A",
        "smpBABIMEUCIQCKl1f9Cj26k0fFWE48+O4ibhYJYPytbDZWJRaaG9BybwIgCbk+3BViWkpuu2RI+41dwtlQ/m/01G860pTFCzDFfokBSDBFAiEA0O77DJsaM7IO+Ht06sp3umzXB64CNNOwf2isZuPfdmwCIGlggOwRSkXsqlPhE1gMdd5hf7ycL33Orfrr4v/XnMGSAUdSIQNsu/OwZurHvJMoiJoSAmmCHLoqIc5Wblh+rek+7rhASCECgYVkUspeAxwRfM6v4GRBhN/gGxTfpPqZuOlBIYZxTJZSrg==",
    ),
    (
        "BIP-generated",
        "bc1qazhmhwl9sxgjmwnd96hh926s3x5l0cf64yy6hvyn6qms438x550qy5sgva",
        "Z3SB7SRL555ZGOHVMYT5WG7RIZ",
        "smpBQBHMEQCICNI6H6b+VCZV9Z2H6EW5hPrE1buC6SJuy2ljSNmQlGfAiASbm5UrA8KH6TwF6evx7COV+i27ubiq2v9TyLYPOO63gFIMEUCIQCMOFnJbg0sy88G6wUXjv5stjVgfvAokOogWsisdkAnlAIgETfBw7kJhISFu9vIomFcEF/1NsN6c0h3KjNcpmNAZtMBSDBFAiEA/lUU+wBeA3prt8vHRpcQN763OYZ8L61DfN0QI/gkHpMCIB2qHwgoXNTH0sdqeAMD2ah7dSTie2bflax3Q3I/GibQAWlTIQKo003Zjj9Jg/kT7sOA7cTdIKmzsrIYBAuPd9hj8FZuHCEC6BdalMtwbjcx2vJjVelv7BJml0rY7Q5ze+PWen6tb5shAytperlYBs69tbn86t3pINqXy0NzttKZKi6Y8X+USQXaU64=",
    ),
]

# [BIP-generated] "full": P2TR key path, tx_version 2, lock_time 2016, sequence 2016
P2TR_FULL = (
    "bc1pve87s3l2levjmhetzr2f9xvep3y266xty0hnefmyv8tkxc3e4qssll2kdu",
    "XQMVC3YR6AOGZIHLSUQ2NSSBI2",
    "fulAgAAAAABAROFPNY6Zt8hFK0YQq5Wb6wk/CnUYEPtQ0HTHDyzNROrAAAAAADgBwAAAQAAAAAAAAAAAWoBQNRdLOo5XZY0SBqAsLZNr/z3Bqrmo3OxVn7e4tD/OOD4H9U/L1unq5Nmdz+S1w7SHtt46bFwnd8xnRVan8BofFfgBwAA",
)

# [BIP-basic] "error": well-formed signatures that the BIP says are invalid
INVALID = [
    (P2WPKH, "Wrong message that was not signed", "smp" + P2WPKH_EMPTY[0]),
    ("bc1qp0ahvfh83088w49k405szqgg4f3pptr7p2g06tdxfjcd40z4lh4q95lsz9", "", "smp" + P2WPKH_EMPTY[0]),
    (P2WPKH, "", "smpAA=="),  # empty witness stack
    (VALID[6][1], "This is not the message that was signed", VALID[6][3]),
]

# [BIP-basic] "error": malformed signatures
MALFORMED = [
    ("not-valid-base64!!!", "not base64"),
    ("", "empty"),
    ("fooAA==", "not base64"),
]


@pytest.mark.parametrize(
    "message,digest",
    [  # [BIP-text] / [BIP-basic] tx_hashes
        ("", "c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1"),
        ("Hello World", "f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a"),
        (
            "UTF-8 support: öäüéàè 测试文本 \U0001f604",
            "43936b237ea38c7794eb5d755e0d220b6db92ebfc5c8f482759d22b1286376d7",
        ),
    ],
)
def test_message_hash_vectors(message: str, digest: str) -> None:
    assert message_hash(message).hex() == digest


@pytest.mark.parametrize("source,address,message,signature", VALID)
def test_bip_vectors_verify(source: str, address: str, message: str, signature: str) -> None:
    assert verify(address, message, signature) is True
    # the same signature over any other message is not valid
    assert verify(address, message + ".", signature) is False


@pytest.mark.parametrize("address,message,signature", INVALID)
def test_bip_error_vectors_are_invalid(address: str, message: str, signature: str) -> None:
    assert verify(address, message, signature) is False


@pytest.mark.parametrize("signature,reason", MALFORMED)
def test_malformed_signatures_are_errors(signature: str, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        verify(P2WPKH, "", signature)


def _flip(signature: str, index: int) -> str:
    prefix = signature[:3] if signature[:3] in ("smp", "ful") else ""
    raw = bytearray(base64.b64decode(signature[len(prefix) :]))
    raw[index] ^= 0x01
    return prefix + base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("index", [2, 20, 40, 64])  # inside the 64-byte Schnorr signature
def test_tampered_taproot_signature_is_refused(index: int) -> None:
    assert verify(P2TR_CORE, "Hello World", _flip(P2TR_CORE_HELLO, index)) is False


@pytest.mark.parametrize("case", [VALID[6], VALID[9], VALID[10]], ids=["3of3", "2of2", "3of3b"])
def test_tampered_multisig_signature_is_refused(case: tuple[str, str, str, str]) -> None:
    _, address, message, signature = case
    assert verify(address, message, _flip(signature, 10)) is False  # in the first ECDSA sig
    # the witness script swapped for one byte different: not this address's script
    raw = base64.b64decode(signature[3:])
    assert (
        verify(
            address,
            message,
            "smp" + base64.b64encode(raw[:-2] + bytes([raw[-2] ^ 1]) + raw[-1:]).decode(),
        )
        is False
    )


def test_truncated_and_extended_signatures_are_refused() -> None:
    raw = base64.b64decode(P2TR_CORE_HELLO)
    assert verify(P2TR_CORE, "Hello World", base64.b64encode(raw[:-1]).decode()) is False
    assert verify(P2TR_CORE, "Hello World", base64.b64encode(raw + b"\x00").decode()) is False


def test_a_signature_for_another_taproot_address_is_refused() -> None:
    other = VALID[7][1]  # [BIP-basic] another P2TR key
    assert verify(other, "Hello World", P2TR_CORE_HELLO) is False


def test_non_canonical_base64_is_refused() -> None:
    body = P2TR_CORE_HELLO.rstrip("=")
    last = body[-1]
    # the last character carries unused bits: change them only
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = alphabet[alphabet.index(last) ^ 1] + "=="
    assert base64.b64decode(body[:-1] + twin) == base64.b64decode(P2TR_CORE_HELLO)
    with pytest.raises(VerificationError, match="non-canonical"):
        verify(P2TR_CORE, "Hello World", body[:-1] + twin)


def test_time_locked_full_signature_needs_allow_timelock() -> None:
    address, message, signature = P2TR_FULL
    with pytest.raises(VerificationError, match="valid only at time 2016 and age 2016"):
        verify(address, message, signature)
    assert verify(address, message, signature, allow_timelock=True) is True
    assert verify(address, message + "x", signature, allow_timelock=True) is False


def test_proof_of_funds_is_refused() -> None:
    with pytest.raises(VerificationError, match="proof-of-funds"):
        verify(P2WPKH, "", "pof" + P2WPKH_EMPTY[0])


def test_a_legacy_65_byte_signature_is_refused_for_segwit() -> None:
    legacy = base64.b64encode(b"\x1f" + b"\x01" * 64).decode()
    with pytest.raises(VerificationError, match="legacy signature is for P2PKH"):
        verify(P2WPKH, "", legacy)


def test_signature_text_limits() -> None:
    with pytest.raises(VerificationError, match="more than 10000"):
        verify(P2WPKH, "", "A" * 10_004)
    with pytest.raises(VerificationError, match="contains U\\+0020"):
        verify(P2WPKH, "", P2WPKH_EMPTY[0][:10] + " " + P2WPKH_EMPTY[0][10:])


@pytest.mark.parametrize(
    "address,chain,reason",
    [
        ("tb1qm82cnaszgjem0lczmlry4hkhflwz6rt9au0hyt", "bitcoin", "a bitcoin-testnet address"),
        (
            P2TR_CORE,
            "bitcoin-testnet",
            "a bitcoin address cannot hold reserves on chain bitcoin-testnet",
        ),
        ("1CH4VvGsbd58dcutLiMmNm8TCD94oiy9Et", "bitcoin", "not a native segwit address"),
        ("0x259e4E85e16f1FbfdE84A8E08bE55bB28ABeF8ed", "bitcoin", "not a native segwit address"),
        (P2TR_CORE, "ethereum", "not chain ethereum"),
        (P2TR_CORE[:-1] + ("q" if P2TR_CORE[-1] != "q" else "p"), "bitcoin", "bad checksum"),
        (P2TR_CORE[:10] + P2TR_CORE[10:].upper(), "bitcoin", "mixed-case"),
    ],
)
def test_bad_addresses(address: str, chain: str, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        verify(address, "Hello World", P2TR_CORE_HELLO, chain=chain)


def test_bech32_checksum_on_a_taproot_address_is_refused() -> None:
    """BIP-350: witness v1 must use bech32m; the same data with a bech32 checksum is refused."""
    from embit import bech32

    version, program = bech32.decode("bc", P2TR_CORE)
    data = [version, *bech32.convertbits(program, 8, 5)]
    wrong = bech32.bech32_encode(bech32.Encoding.BECH32, "bc", data)
    assert wrong != P2TR_CORE
    with pytest.raises(VerificationError, match="invalid bech32"):
        address_kind(wrong, "bitcoin")


def test_upper_case_address_is_the_same_address() -> None:
    assert verify(P2TR_CORE.upper(), "Hello World", P2TR_CORE_HELLO) is True


def test_address_kinds() -> None:
    assert address_kind(P2WPKH, "bitcoin") == "p2wpkh"
    assert address_kind(P2TR_CORE, "bitcoin") == "p2tr"
    assert address_kind(VALID[6][1], "bitcoin") == "p2wsh"


def test_needs_bip322_from_the_text_alone() -> None:
    assert needs_bip322(P2TR_CORE, "bitcoin")
    assert needs_bip322(VALID[6][1], "bitcoin")  # P2WSH
    assert needs_bip322(P2TR_CORE.upper(), "bitcoin")
    assert not needs_bip322(P2WPKH, "bitcoin")  # the legacy verifier's
    assert not needs_bip322("1CH4VvGsbd58dcutLiMmNm8TCD94oiy9Et", "bitcoin")
    assert not needs_bip322(P2TR_CORE, "bitcoin-testnet")  # refused there by 10.3
    assert not needs_bip322(P2TR_CORE, "ethereum")


LIGHT = """
import sys
import zkpor.verify, zkpor.reserves, zkpor.reserves.bip322 as b
assert b.needs_bip322({addr!r}, "bitcoin")
assert "bip322core" not in sys.modules and "embit" not in sys.modules and "btclib" not in sys.modules
sys.modules["bip322core"] = sys.modules["embit"] = None  # as if not installed
try:
    b.verify({addr!r}, "Hello World", {sig!r})
except Exception as e:
    print(type(e).__name__ + ": " + str(e))
"""


def test_lightweight_verifier_runs_without_the_library() -> None:
    out = subprocess.run(
        [sys.executable, "-c", LIGHT.format(addr=P2TR_CORE, sig=P2TR_CORE_HELLO)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert out.strip() == (
        "VerificationError: BIP-322 signatures (P2TR, P2WSH addresses) need the bip322-core "
        "package: pip install 'bip322-core>=0.12,<0.13' (a dependency of zkpor)"
    )


def test_sign_p2tr_reproduces_bitcoin_core_vector() -> None:
    """[Core]'s key (the WIF of [BIP-text]) signs "Hello World" to Core's signature."""
    from embit import ec

    secret = ec.PrivateKey.from_wif("L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k").secret
    assert p2tr_address(secret) == P2TR_CORE
    assert sign_p2tr(secret, "Hello World") == "smp" + P2TR_CORE_HELLO


def test_an_ownership_message_signed_for_a_taproot_reserve_address() -> None:
    """The demo's way: a P2TR address signs zkpor's ownership message (docs/spec.md 10.2)."""
    import hashlib

    secret = hashlib.sha256(b"btc-taproot0").digest()
    address = p2tr_address(secret)
    assert needs_bip322(address, "bitcoin") and address_kind(address, "bitcoin") == "p2tr"
    message = ownership_message("Example Exchange", "2026-11-30", address)
    signature = sign_p2tr(secret, message)
    assert verify(address, message, signature) is True
    # another round, another exchange, a trailing LF: all refused
    assert (
        verify(address, ownership_message("Example Exchange", "2026-12-31", address), signature)
        is False
    )
    assert verify(address, ownership_message("Other", "2026-11-30", address), signature) is False
    assert verify(address, message + "\n", signature) is False
    # testnet: its own address, refused on mainnet
    tb = p2tr_address(secret, "bitcoin-testnet")
    assert tb.startswith("tb1p")
    tb_sig = sign_p2tr(
        secret, ownership_message("Example Exchange", "2026-11-30", tb), "bitcoin-testnet"
    )
    assert verify(
        tb, ownership_message("Example Exchange", "2026-11-30", tb), tb_sig, chain="bitcoin-testnet"
    )
    with pytest.raises(
        VerificationError, match="testnet address cannot hold reserves on chain bitcoin"
    ):
        verify(tb, message, tb_sig)
