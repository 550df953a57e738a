"""Checking the format files: reserves.json (ownership signatures, the wrong-message
diagnosis, whole snapshots), ratio.json
(the --min-ratio text), zkpi.json (the binary inclusion proof), inclusion_exchange.json
(a proof checked against the exchange it names) and strict_json.json (a file's bytes).

See docs/vectors.md.
"""

from __future__ import annotations

import json
from typing import Any

from zkpor.crypto.generators import generator_digest
from zkpor.errors import InputError, VerificationError
from zkpor.vectors.checkbase import (
    CheckContext,
    Json,
    MalformedTest,
    _get,
    _hex,
    _list,
    _str,
    verified_json,
)


def check_ownership(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.reserves.addresses import address_key
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.verify import check_signature

    chain, address = _str(test, "chain"), _str(test, "address")
    message = ownership_message(_str(test, "exchange"), _str(test, "round_id"), address)
    check_signature(chain, address, message, _str(test, "signature"))
    return {"message": message, "designates": address_key(chain, address)}


def check_diagnosis(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.verify import diagnose_wrong_message, signature_check

    chain, address = _str(test, "chain"), _str(test, "address")
    exchange, round_id = _str(test, "exchange"), _str(test, "round_id")
    signed = signature_check(chain, address, _str(test, "signature"))
    if signed(ownership_message(exchange, round_id, address)):
        return {"diagnosis": "expected"}
    header = (_str(test, "header_exchange"), _str(test, "header_round"))
    found = diagnose_wrong_message(signed, exchange, round_id, header, address)
    if found is None:
        return {"diagnosis": None}
    return {"diagnosis": found[0]}


def check_snapshot(group: Json, test: Json, ctx: CheckContext) -> Json:
    """A whole reserves snapshot through the prover's checks (10.1, 10.5): the totals."""
    from zkpor.formats.reserves import ReservesSnapshot
    from zkpor.reserves.verify import verify_reserves

    snapshot = ReservesSnapshot.model_validate(test["snapshot"])
    raw: Any = test["decimals"]
    decimals = {str(k): int(v) for k, v in raw.items()}
    report = verify_reserves(
        snapshot,
        exchange=_str(test, "exchange"),
        round_id=_str(test, "round_id"),
        decimals=decimals,
    )
    return {"totals": {sym: str(t) for sym, t in sorted(report.totals.items())}}


def check_ratio(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.protocol.solvency import parse_ratio

    p, q = parse_ratio(_str(test, "text"))
    return {"p": p, "q": q, "min_ratio": f"{p}/{q}"}


def check_zkpi(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.formats.zkpi import decode_inclusion, encode_inclusion

    data = _hex(test, "binary")
    proof = decode_inclusion(data)
    if encode_inclusion(proof) != data:
        raise VerificationError("the encoding is not the proof's one encoding")
    return {"inclusion": json.loads(proof.model_dump_json())}


def check_zkpi_verify(group: Json, test: Json, ctx: CheckContext) -> Json:
    """A .zkpi decoded (lengths only, 8.1a rule 8), then verified against ``roots`` (8.2):
    a point or proof that does not decode is refused here, not by the decoder."""
    from zkpor.formats.models import Roots
    from zkpor.formats.zkpi import decode_inclusion
    from zkpor.verify.inclusion import verify_inclusion

    roots = Roots.model_validate(_get(test, "roots"))
    if roots.generator_digest != generator_digest().hex():
        raise VerificationError("roots file uses another generator set")
    proof = decode_inclusion(_hex(test, "binary"))
    results = verify_inclusion(proof, roots.assets, round_id=roots.round_id, arity=roots.arity)
    return {"verified": verified_json(results)}


def check_strict_json(group: Json, test: Json, ctx: CheckContext) -> Json:
    """A file's exact bytes parsed by the strict rules (12.8); the canonical JSON of 12.3."""
    from zkpor.formats.strictjson import load_strict_json

    obj = load_strict_json(_hex(test, "data"), "vector")
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"canonical": text}


def check_size_limit(group: Json, test: Json, ctx: CheckContext) -> Json:
    """The largest file read of a kind; one byte more is refused before parsing."""
    from zkpor.formats.strictjson import MAX_PUBLIC_FILE_BYTES, load_strict_json
    from zkpor.verify.recipes import MAX_MANIFEST_BYTES, MAX_PROOF_BYTES, MAX_ROOTS_BYTES

    limits = {
        "inclusion": MAX_PROOF_BYTES,
        "manifest": MAX_MANIFEST_BYTES,
        "roots": MAX_ROOTS_BYTES,
        "reserves": MAX_PUBLIC_FILE_BYTES,
    }
    kind = _str(test, "file")
    if kind not in limits:
        raise MalformedTest(f"unknown file kind {kind!r}")
    limit = limits[kind]
    try:
        load_strict_json(b"{}" + b" " * (limit - 1), kind, limit)
    except InputError:
        return {"max_bytes": limit}
    raise VerificationError(f"a {kind} file of {limit + 1} bytes was not refused")


def check_exchange(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.formats.models import InclusionProof, Roots
    from zkpor.formats.zkpi import encode_inclusion
    from zkpor.verify.inclusion import verify_inclusion

    roots = Roots.model_validate(_get(test, "roots"))
    proof = InclusionProof.model_validate(_get(test, "inclusion"))
    if roots.generator_digest != generator_digest().hex():
        raise VerificationError("roots file uses another generator set")
    results = verify_inclusion(
        proof,
        roots.assets,
        round_id=roots.round_id,
        arity=roots.arity,
        exchange=_str(test, "exchange"),
    )
    return {
        "binary": encode_inclusion(proof).hex(),
        "verified": verified_json(results),
    }


def check_multisig_address(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.reserves.multisig import MAX_KEYS, parse_multisig, script_address

    form = _str(test, "form")
    parsed = parse_multisig(_hex(test, "script"), MAX_KEYS[form])
    address = script_address(parsed.script, form, _str(test, "chain"))
    return {"m": parsed.m, "n": parsed.n, "address": address}


def check_multisig_keys(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.multisig import prepare

    address = _str(test, "address")
    message = ownership_message(_str(test, "exchange"), _str(test, "round_id"), address)
    signatures = [str(s) for s in _list(test, "signatures")]
    check = prepare(
        address, _str(test, "chain"), _str(test, "form"), _str(test, "script"), signatures
    )
    tally = check.tally(message)
    if not tally.ok:
        raise VerificationError(tally.shortfall())
    return {"message": message, "signers": sorted(k + 1 for k in tally.signers)}


def check_multisig_bip322(group: Json, test: Json, ctx: CheckContext) -> Json:
    from zkpor.reserves.bip322 import address_kind
    from zkpor.reserves.message import ownership_message
    from zkpor.reserves.multisig import bip322_spend
    from zkpor.reserves.verify import check_signature

    chain, address, signature = _str(test, "chain"), _str(test, "address"), _str(test, "signature")
    message = ownership_message(_str(test, "exchange"), _str(test, "round_id"), address)
    check_signature(chain, address, message, signature)
    spend = bip322_spend(address_kind(address, chain), signature)
    if spend is None:
        raise VerificationError("the signature does not decode")
    return {"message": message, "spend": spend.describe()}
