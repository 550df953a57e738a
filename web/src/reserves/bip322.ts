/**
 * BIP-322 ownership signatures for P2TR, P2WSH and P2SH addresses (docs/spec/reserves.md
 * 10.9, 10.11), written from BIP-322, BIP-16, BIP-141, BIP-143, BIP-341 and BIP-342. `to_spend` (version 0, one input spending
 * 000..000:ffffffff with scriptSig `OP_0 PUSH32[message_hash]`, one 0-value output paying the
 * address's scriptPubKey) and `to_sign` (spends to_spend:0, one 0-value `OP_RETURN` output;
 * its witness is the signature) are built here; message_hash = SHA-256(t || t || m) with
 * t = SHA-256("BIP0322-signed-message").
 *
 * What this checks, as zkpor's verifier (bip322-core) does: the simple form (`smp` or no
 * prefix, a witness stack) and the full form (`ful`, the whole signed to_sign, canonical
 * encoding, exactly one input and the BIP's output); for P2WPKH (BIP-322's own vectors; a
 * manifest's P2WPKH address keeps 10.3) the key and one ECDSA signature; for P2TR the key path (BIP-340 Schnorr
 * over the BIP-341 signature hash, SIGHASH_DEFAULT or SIGHASH_ALL); for P2WSH the witness
 * script's SHA-256 and the scripts `m <k1..kn> n CHECKMULTISIG` (1 <= m <= n <= 20) and
 * `<k> CHECKSIG` with compressed keys (BIP-143 signature hash, strict DER, low S,
 * SIGHASH_ALL, empty dummy, clean stack); for P2SH (full signatures only) a scriptSig that
 * is exactly one push of a version-0 witness program whose HASH160 is the address (then
 * P2SH-P2WSH and P2SH-P2WPKH as above), or a legacy spend: minimal pushes only, the last one
 * the redeem script whose HASH160 is the address, one of the two scripts above, the legacy
 * SIGHASH_ALL signature hash, no witness; for a P2TR script path the control block (leaf
 * version 0xc0, internal key and Merkle path tweaked to the address's key with its parity)
 * and the tapscripts `<x> CHECKSIG` and `<x1> CHECKSIG <x2> CHECKSIGADD ... <m> NUMEQUAL`
 * (BIP-342 signature hash with the leaf's hash; an empty signature signs nothing; exactly m
 * signatures); an annex enters the signature hash (BIP-341). Anything else a script
 * interpreter would have to judge (another leaf version or script) throws
 * UncheckedSignature: the page lists it as not checked instead of claiming it.
 */
import { base64, bech32, bech32m } from '@scure/base';
import { secp256k1, schnorr } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { ripemd160 } from '@noble/hashes/legacy';
import { concat, utf8 } from '../bytes.js';
import { VerificationError } from '../errors.js';
import { decodeAddress } from './bitcoin.js';
import { parseMultisig, parseTapscript } from './multisig.js';

export const MAX_SIGNATURE_CHARS = 10_000;
const HRP: Record<string, string> = { bitcoin: 'bc', 'bitcoin-testnet': 'tb' };
const N = secp256k1.Point.Fn.ORDER;

/** A signature whose script this page cannot evaluate (not a refusal: not checked). */
export class UncheckedSignature extends Error {}

/** Whether `address` on `chain` is a P2TR or P2WSH address by its text alone (10.9). */
export function needsBip322(address: string, chain: string): boolean {
  const hrp = HRP[chain];
  if (hrp === undefined) return false;
  const t = address.toLowerCase();
  return t.length === hrp.length + 60 && (t.startsWith(hrp + '1q') || t.startsWith(hrp + '1p'));
}

export type Program = { kind: 'p2tr' | 'p2wsh' | 'p2wpkh' | 'p2sh'; program: Uint8Array; scriptPubKey: Uint8Array };

/**
 * The witness program of a native segwit address of `chain` (P2TR, P2WSH, and P2WPKH, which
 * BIP-322 also covers but zkpor routes to 10.3 by needsBip322), or the script hash of a P2SH
 * address (full signatures, 10.11); VerificationError otherwise.
 */
export function decodeSegwit(address: string, chain: string): Program {
  const hrp = HRP[chain];
  if (hrp === undefined) throw new VerificationError(`address: BIP-322 signatures are for Bitcoin, not chain ${chain}`);
  const text = address.toLowerCase();
  const other = hrp === 'bc' ? 'tb' : 'bc';
  if (text.startsWith(other + '1'))
    throw new VerificationError(`address: a ${other === 'tb' ? 'bitcoin-testnet' : 'bitcoin'} address cannot hold reserves on chain ${chain}`);
  if (!text.startsWith(hrp + '1')) {
    let hash: Uint8Array | null = null;
    try {
      const d = decodeAddress(address, chain);
      if (d.kind === 'p2sh') hash = d.hash;
    } catch {
      /* refused below */
    }
    if (!hash)
      throw new VerificationError(
        'address: not a native segwit address or a P2SH address (BIP-322 here: P2WPKH, P2WSH, P2TR; P2SH with a full signature)');
    return { kind: 'p2sh', program: hash, scriptPubKey: concat(Uint8Array.of(0xa9, 20), hash, Uint8Array.of(0x87)) };
  }
  if (address !== text && address !== address.toUpperCase())
    throw new VerificationError('address: mixed-case bech32 address (BIP 173 allows all lower or all upper)');
  const bad = () => new VerificationError('address: invalid bech32/bech32m address (bad checksum or length)');
  let words: number[] | null = null;
  let m = false;
  for (const [codec, isM] of [[bech32, false], [bech32m, true]] as const) {
    try {
      const d = codec.decode(text as `${string}1${string}`, 90);
      if (d.prefix === hrp) [words, m] = [d.words, isM];
    } catch {
      /* the other checksum */
    }
  }
  if (!words || words.length < 1 || words[0] > 16) throw bad();
  let program: Uint8Array;
  try {
    program = bech32.fromWords(words.slice(1));
  } catch {
    throw bad();
  }
  const version = words[0];
  if (program.length < 2 || program.length > 40 || (version === 0) === m || (version === 0 && program.length !== 20 && program.length !== 32)) throw bad();
  if (version === 0 && program.length === 20) return { kind: 'p2wpkh', program, scriptPubKey: concat(Uint8Array.of(0, 20), program) };
  if (version === 0 && program.length === 32) return { kind: 'p2wsh', program, scriptPubKey: concat(Uint8Array.of(0, 32), program) };
  if (version === 1 && program.length === 32) return { kind: 'p2tr', program, scriptPubKey: concat(Uint8Array.of(0x51, 32), program) };
  throw new VerificationError(`address: witness version ${version} with a ${program.length}-byte program is not supported (P2WPKH, P2WSH, P2TR)`);
}

// ---- serialization ----

const dsha = (b: Uint8Array) => sha256(sha256(b));
const le32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
};
const ZERO8 = new Uint8Array(8);

function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8);
  return concat(Uint8Array.of(0xfe), le32(n));
}
const varBytes = (b: Uint8Array) => concat(compactSize(b.length), b);
const witnessBytes = (w: Uint8Array[]) => concat(compactSize(w.length), ...w.map(varBytes));

class Reader {
  i = 0;
  constructor(readonly b: Uint8Array) {}
  take(n: number): Uint8Array {
    if (n < 0 || this.i + n > this.b.length) throw new Error('truncated');
    return this.b.subarray(this.i, (this.i += n));
  }
  u32(): number {
    const b = this.take(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x1000000;
  }
  size(): number {
    const f = this.take(1)[0];
    if (f < 0xfd) return f;
    const w = this.take(f === 0xfd ? 2 : f === 0xfe ? 4 : 8);
    let v = 0;
    for (let k = w.length - 1; k >= 0; k--) v = v * 256 + w[k];
    if (v > 0x2000000) throw new Error('size too large');
    return v;
  }
  bytes(): Uint8Array {
    return this.take(this.size());
  }
  done(): boolean {
    return this.i === this.b.length;
  }
}

/** A witness stack, strictly: no trailing bytes, minimal sizes (re-encoding gives the bytes back). */
function parseWitness(raw: Uint8Array): Uint8Array[] {
  const r = new Reader(raw);
  const n = r.size();
  const items: Uint8Array[] = [];
  for (let k = 0; k < n; k++) items.push(r.bytes());
  if (!r.done() || !equal(witnessBytes(items), raw)) throw new Error('non-canonical witness stack');
  return items;
}

export type ToSign = {
  version: number; prevTxid: Uint8Array; prevVout: number; scriptSig: Uint8Array; sequence: number;
  outputs: { value: Uint8Array; script: Uint8Array }[]; inputs: number; witness: Uint8Array[]; lockTime: number;
};

function serializeTx(t: ToSign, withWitness: boolean): Uint8Array {
  const segwit = withWitness && t.witness.length > 0;
  return concat(
    le32(t.version), segwit ? Uint8Array.of(0, 1) : new Uint8Array(0), compactSize(1),
    t.prevTxid, le32(t.prevVout), varBytes(t.scriptSig), le32(t.sequence),
    compactSize(t.outputs.length), ...t.outputs.map((o) => concat(o.value, varBytes(o.script))),
    segwit ? witnessBytes(t.witness) : new Uint8Array(0), le32(t.lockTime),
  );
}

/** The full form: a transaction in canonical network serialization with exactly one input. */
function parseFull(raw: Uint8Array): ToSign {
  const r = new Reader(raw);
  const version = r.u32();
  let nIn = r.size();
  const segwit = nIn === 0;
  if (segwit) {
    if (r.take(1)[0] !== 1) throw new Error('bad segwit flag');
    nIn = r.size();
  }
  const ins: { txid: Uint8Array; vout: number; scriptSig: Uint8Array; sequence: number }[] = [];
  for (let k = 0; k < nIn; k++) ins.push({ txid: r.take(32), vout: r.u32(), scriptSig: r.bytes(), sequence: r.u32() });
  const nOut = r.size();
  const outputs: ToSign['outputs'] = [];
  for (let k = 0; k < nOut; k++) outputs.push({ value: r.take(8), script: r.bytes() });
  const witnesses: Uint8Array[][] = ins.map(() => []);
  if (segwit) for (let k = 0; k < nIn; k++) {
    const n = r.size();
    for (let j = 0; j < n; j++) witnesses[k].push(r.bytes());
  }
  const lockTime = r.u32();
  if (!r.done()) throw new Error('trailing bytes');
  if (nIn !== 1) throw new Error(`full signature must have exactly one input, found ${nIn}`);
  const t: ToSign = {
    version, prevTxid: ins[0].txid, prevVout: ins[0].vout, scriptSig: ins[0].scriptSig, sequence: ins[0].sequence,
    outputs, inputs: nIn, witness: witnesses[0], lockTime,
  };
  if (!equal(serializeTx(t, true), raw)) throw new Error('non-canonical transaction encoding');
  return t;
}

const TAG = sha256(utf8('BIP0322-signed-message'));

export function messageHash(message: string): Uint8Array {
  return sha256(concat(TAG, TAG, utf8(message)));
}

/** to_spend's txid in internal byte order (the outpoint's bytes). */
export function toSpendTxid(message: string, scriptPubKey: Uint8Array): Uint8Array {
  return dsha(concat(
    le32(0), compactSize(1), new Uint8Array(32), le32(0xffffffff), varBytes(concat(Uint8Array.of(0, 32), messageHash(message))), le32(0),
    compactSize(1), ZERO8, varBytes(scriptPubKey), le32(0),
  ));
}

const OP_RETURN_OUT = { value: ZERO8, script: Uint8Array.of(0x6a) };

// ---- signature hashes ----

function taggedHash(tag: string, ...parts: Uint8Array[]): Uint8Array {
  const t = sha256(utf8(tag));
  return sha256(concat(t, t, ...parts));
}

/**
 * BIP-341 SigMsg for input 0 (the only one), hash type 0x00 or 0x01; with `leaf` (a tapleaf
 * hash) BIP-342's extension (ext_flag 1, key_version 0, no OP_CODESEPARATOR); with `annex`
 * its hash.
 */
function taprootSighash(t: ToSign, spk: Uint8Array, hashType: number, annex: Uint8Array | null, leaf: Uint8Array | null): Uint8Array {
  const outs = concat(...t.outputs.map((o) => concat(o.value, varBytes(o.script))));
  const spendType = (leaf ? 2 : 0) + (annex ? 1 : 0);
  return taggedHash('TapSighash', Uint8Array.of(0, hashType), le32(t.version), le32(t.lockTime),
    sha256(concat(t.prevTxid, le32(t.prevVout))), sha256(ZERO8), sha256(varBytes(spk)), sha256(le32(t.sequence)),
    sha256(outs), Uint8Array.of(spendType), le32(0), annex ? sha256(varBytes(annex)) : new Uint8Array(0),
    leaf ? concat(leaf, Uint8Array.of(0), le32(0xffffffff)) : new Uint8Array(0));
}

/** The legacy signature hash of input 0 with `scriptCode` (no OP_CODESEPARATOR in it), SIGHASH_ALL. */
function legacySighash(t: ToSign, scriptCode: Uint8Array): Uint8Array {
  return dsha(concat(serializeTx({ ...t, scriptSig: scriptCode, witness: [] }, false), le32(1)));
}

/** BIP-143 signature hash for input 0 (amount 0), SIGHASH_ALL. */
function segwitV0Sighash(t: ToSign, witnessScript: Uint8Array): Uint8Array {
  const outs = concat(...t.outputs.map((o) => concat(o.value, varBytes(o.script))));
  return dsha(concat(le32(t.version), dsha(concat(t.prevTxid, le32(t.prevVout))), dsha(le32(t.sequence)),
    t.prevTxid, le32(t.prevVout), varBytes(witnessScript), ZERO8, le32(t.sequence), dsha(outs), le32(t.lockTime), le32(1)));
}

// ---- script checks ----

/** BIP-66 strict DER (with the hash type byte at the end): the (r, s) or null. */
function strictDer(sig: Uint8Array): { r: bigint; s: bigint } | null {
  if (sig.length < 9 || sig.length > 73 || sig[0] !== 0x30 || sig[1] !== sig.length - 3) return null;
  const lenR = sig[3];
  if (5 + lenR >= sig.length) return null;
  const lenS = sig[5 + lenR];
  if (lenR + lenS + 7 !== sig.length) return null;
  if (sig[2] !== 0x02 || lenR === 0 || sig[4] & 0x80 || (lenR > 1 && sig[4] === 0 && !(sig[5] & 0x80))) return null;
  if (sig[lenR + 4] !== 0x02 || lenS === 0 || sig[lenR + 6] & 0x80 || (lenS > 1 && sig[lenR + 6] === 0 && !(sig[lenR + 7] & 0x80))) return null;
  const int = (b: Uint8Array) => b.reduce((a, x) => (a << 8n) | BigInt(x), 0n);
  return { r: int(sig.subarray(4, 4 + lenR)), s: int(sig.subarray(6 + lenR, 6 + lenR + lenS)) };
}

/** An ECDSA signature (DER || hash type) by `key` over `digest`, as BIP-322 requires it. */
function ecdsaOk(sig: Uint8Array, key: Uint8Array, digest: Uint8Array): boolean {
  const rs = strictDer(sig);
  if (!rs || sig[sig.length - 1] !== 0x01) return false;
  const { r, s } = rs;
  if (r < 1n || r >= N || s < 1n || s > N >> 1n) return false; // low S
  try {
    const compact = concat(bigBytes(r), bigBytes(s));
    return secp256k1.verify(compact, digest, key, { prehash: false, lowS: true, format: 'compact' });
  } catch {
    return false;
  }
}

function bigBytes(x: bigint): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * (31 - i))) & 0xffn));
}

const validKey = (k: Uint8Array) => {
  try {
    secp256k1.Point.fromBytes(k);
    return true;
  } catch {
    return false;
  }
};

/**
 * `m <k1..kn> n OP_CHECKMULTISIG` (multisig.ts's standard m-of-n: 1 <= m <= n <= 20, numbers
 * minimal) or `<k> OP_CHECKSIG`, with compressed valid keys; else null.
 */
export function parseWitnessScript(s: Uint8Array): { m: number; keys: Uint8Array[]; multi: boolean } | null {
  if (s.length === 35 && s[0] === 33 && (s[1] === 2 || s[1] === 3) && s[34] === 0xac) {
    const k = s.subarray(1, 34);
    return validKey(k) ? { m: 1, keys: [k], multi: false } : null;
  }
  try {
    const ms = parseMultisig(s, 20);
    return { m: ms.m, keys: ms.keys, multi: true };
  } catch {
    return null;
  }
}

/** A standard script (parseWitnessScript) over its arguments `args` (bottom first) and `digest`. */
function scriptValid(parsed: { m: number; keys: Uint8Array[]; multi: boolean }, args: Uint8Array[], digest: Uint8Array): boolean {
  if (args.some((a) => a.length > 520)) return false;
  if (!parsed.multi) return args.length === 1 && ecdsaOk(args[0], parsed.keys[0], digest);
  // dummy (empty: NULLDUMMY), then exactly m signatures (fewer: underflow; more: not a clean stack)
  if (args.length !== parsed.m + 1 || args[0].length !== 0) return false;
  const sigs = args.slice(1);
  for (const s of sigs) if (!strictDer(s) || s[s.length - 1] !== 0x01) return false; // every signature is tried: STRICTENC
  let k = 0;
  for (const s of sigs) {
    while (k < parsed.keys.length && !ecdsaOk(s, parsed.keys[k], digest)) k++;
    if (k === parsed.keys.length) return false;
    k++;
  }
  return true;
}

/** A version-0 witness (P2WPKH or P2WSH, native or nested in P2SH) for `program`. */
function v0Valid(program: Uint8Array, t: ToSign): boolean {
  const w = t.witness;
  if (w.length === 0) return false;
  if (program.length === 20) {
    // exactly [signature, compressed key]; the key's HASH160 is the program; scriptCode is P2PKH's
    if (w.length !== 2 || w[1].length !== 33 || (w[1][0] !== 2 && w[1][0] !== 3) || !equal(ripemd160(sha256(w[1])), program)) return false;
    return ecdsaOk(w[0], w[1], segwitV0Sighash(t, concat(Uint8Array.of(0x76, 0xa9, 20), program, Uint8Array.of(0x88, 0xac))));
  }
  const script = w[w.length - 1];
  if (script.length > 10_000 || !equal(sha256(script), program)) return false;
  const parsed = parseWitnessScript(script);
  if (!parsed) throw new UncheckedSignature('a P2WSH witness script other than m-of-n CHECKMULTISIG or one-key CHECKSIG: this page does not evaluate it');
  return scriptValid(parsed, w.slice(0, -1), segwitV0Sighash(t, script));
}

/** The data of a push-only script whose every push is minimal (BIP-62 MINIMALDATA), or null. */
function minimalPushes(s: Uint8Array): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  const r = new Reader(s);
  try {
    while (!r.done()) {
      const op = r.take(1)[0];
      if (op === 0) out.push(new Uint8Array(0));
      else if (op === 0x4f || (op >= 0x51 && op <= 0x60)) out.push(Uint8Array.of(op === 0x4f ? 0x81 : op - 0x50));
      else if (op <= 0x4d) {
        const size = op === 0x4c ? r.take(1)[0] : op === 0x4d ? r.take(1)[0] + 256 * r.take(1)[0] : op;
        const d = r.take(size);
        const minimal = size > 1 || (size === 1 && (d[0] > 16 || d[0] === 0) && d[0] !== 0x81);
        if (!minimal || (op === 0x4c && size < 76) || (op === 0x4d && size < 256) || size > 520) return null;
        out.push(d);
      } else return null;
    }
  } catch {
    return null;
  }
  return out;
}

/** A P2SH spend (BIP-16): nested segwit (BIP-141: the scriptSig is exactly the program's push) or legacy. */
function p2shValid(p: Program, t: ToSign): boolean {
  const s = t.scriptSig;
  const redeem = s.subarray(1);
  const version = redeem.length >= 4 && redeem.length <= 42 && redeem[1] === redeem.length - 2 ? redeem[0] : -1;
  if (s.length >= 1 && s[0] === s.length - 1 && (version === 0 || (version >= 0x51 && version <= 0x60))) {
    if (!equal(ripemd160(sha256(redeem)), p.program)) return false;
    if (version !== 0) throw new UncheckedSignature('a P2SH-wrapped witness program of version 1 or more: this page does not evaluate it');
    return (redeem.length === 22 || redeem.length === 34) && v0Valid(redeem.subarray(2), t);
  }
  const pushes = minimalPushes(s);
  if (!pushes || pushes.length === 0 || t.witness.length !== 0) return false;
  const script = pushes[pushes.length - 1];
  if (!equal(ripemd160(sha256(script)), p.program)) return false;
  if (script.length >= 4 && script.length <= 42 && script[1] === script.length - 2 && (script[0] === 0 || (script[0] >= 0x51 && script[0] <= 0x60)))
    return false; // a witness program not pushed alone: BIP-141's malleated P2SH
  const parsed = parseWitnessScript(script);
  if (!parsed) throw new UncheckedSignature('a P2SH redeem script other than m-of-n CHECKMULTISIG or one-key CHECKSIG: this page does not evaluate it');
  return scriptValid(parsed, pushes.slice(0, -1), legacySighash(t, script));
}

/** A BIP-340 signature (64 bytes, or 65 with SIGHASH_ALL) by x-only `key` over `t`'s BIP-341/342 hash. */
function schnorrOk(sig: Uint8Array, key: Uint8Array, t: ToSign, spk: Uint8Array, annex: Uint8Array | null, leaf: Uint8Array | null): boolean {
  if (sig.length !== 64 && !(sig.length === 65 && sig[64] === 0x01)) return false;
  try {
    return schnorr.verify(sig.subarray(0, 64), taprootSighash(t, spk, sig.length === 64 ? 0 : 1, annex, leaf), key);
  } catch {
    return false;
  }
}

/** A P2TR spend: the key path, or a script path with a tapscript this page evaluates. */
function taprootValid(p: Program, t: ToSign): boolean {
  let w = t.witness;
  const annex = w.length >= 2 && w[w.length - 1][0] === 0x50 ? w[w.length - 1] : null;
  if (annex) w = w.slice(0, -1);
  if (w.length === 1) return schnorrOk(w[0], p.program, t, p.scriptPubKey, annex, null);
  const control = w[w.length - 1];
  const script = w[w.length - 2];
  if (control.length < 33 || (control.length - 33) % 32 !== 0 || control.length > 33 + 32 * 128) return false;
  const leaf = taggedHash('TapLeaf', Uint8Array.of(control[0] & 0xfe), varBytes(script));
  let k = leaf;
  for (let i = 33; i < control.length; i += 32) {
    const e = control.subarray(i, i + 32);
    k = compare(k, e) < 0 ? taggedHash('TapBranch', k, e) : taggedHash('TapBranch', e, k);
  }
  let q: { x: bigint; y: bigint };
  try {
    const internal = schnorr.utils.lift_x(bytesToBig(control.subarray(1, 33)));
    const tweak = bytesToBig(taggedHash('TapTweak', control.subarray(1, 33), k));
    if (tweak >= N) return false;
    q = internal.add(secp256k1.Point.BASE.multiplyUnsafe(tweak)).toAffine();
  } catch {
    return false;
  }
  if (!equal(bigBytes(q.x), p.program) || Number(q.y & 1n) !== (control[0] & 1)) return false;
  if ((control[0] & 0xfe) !== 0xc0) throw new UncheckedSignature('a Taproot leaf version other than 0xc0 (tapscript): this page does not evaluate it');
  let tap;
  try {
    tap = parseTapscript(script);
  } catch {
    throw new UncheckedSignature('a Taproot leaf script other than <x> CHECKSIG or <x1> CHECKSIG <x2> CHECKSIGADD ... <m> NUMEQUAL: this page does not evaluate it');
  }
  const args = w.slice(0, -2);
  if (args.length !== tap.keys.length) return false; // fewer: underflow; more: not a clean stack
  let count = 0;
  for (let i = 0; i < tap.keys.length; i++) {
    const sig = args[args.length - 1 - i]; // key i's signature is the i-th from the top
    if (sig.length === 0) continue; // not signing (BIP-342: an empty signature is false, not a failure)
    if (!schnorrOk(sig, tap.keys[i], t, p.scriptPubKey, annex, leaf)) return false;
    count++;
  }
  return count === tap.m;
}

/** Script evaluation of the spend for the address: true (valid) or false (invalid). */
function spendValid(p: Program, t: ToSign): boolean {
  if (p.kind === 'p2sh') return p2shValid(p, t);
  if (t.scriptSig.length !== 0 || t.witness.length === 0) return false;
  return p.kind === 'p2tr' ? taprootValid(p, t) : v0Valid(p.program, t);
}

const bytesToBig = (b: Uint8Array) => b.reduce((a, x) => (a << 8n) | BigInt(x), 0n);

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

// ---- the signature ----

/** 10.9's text and form checks, then `signed(message)` (VerificationError for refused forms). */
export function prepare(address: string, signature: string, chain: string): (message: string) => boolean {
  const p = decodeSegwit(address, chain);
  if (!signature) throw new VerificationError('signature: empty');
  if (signature.length > MAX_SIGNATURE_CHARS)
    throw new VerificationError(`signature: ${signature.length} characters, more than ${MAX_SIGNATURE_CHARS}`);
  for (const ch of signature) {
    const c = ch.codePointAt(0)!;
    if (c < 0x21 || c > 0x7e)
      throw new VerificationError(`signature: contains U+${c.toString(16).toUpperCase().padStart(4, '0')}: only base64 with an optional smp/ful prefix`);
  }
  const prefix = ['smp', 'ful', 'pof'].includes(signature.slice(0, 3)) ? signature.slice(0, 3) : '';
  const body = signature.slice(prefix.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0)
    throw new VerificationError('signature: not base64 (standard alphabet, with padding)');
  if (body === '') throw new VerificationError('signature: signature too short (empty payload)');
  // the last data character's unused bits must be zero (one spelling per payload)
  const pad = body.length - body.replace(/=+$/, '').length;
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const last = body.length - pad - 1;
  const canonical = pad ? body.slice(0, last) + A[A.indexOf(body[last]) & (pad === 2 ? 0x30 : 0x3c)] + body.slice(last + 1) : body;
  const payload = base64.decode(canonical);
  if (canonical !== body) throw new VerificationError('signature: non-canonical base64 encoding (unused trailing bits set)');
  if (prefix === 'pof') throw new VerificationError('signature: proof-of-funds (pof) BIP-322 signatures need the UTXO set: not supported');
  if (prefix === '' && payload.length === 65)
    throw new VerificationError('signature: a 65-byte legacy signature is for P2PKH; this is a segwit address');
  if (p.kind === 'p2sh' && prefix !== 'ful')
    throw new VerificationError(
      'signature: a P2SH address needs a full (ful) BIP-322 signature; simple (smp) signatures are for native segwit addresses');
  let simple: Uint8Array[] | null = null;
  let full: ToSign | null = null;
  try {
    if (prefix === 'ful') full = parseFull(payload);
    else simple = parseWitness(payload);
  } catch {
    return () => false; // BIP-322: a signature that does not decode is invalid
  }
  return (message: string) => {
    const txid = toSpendTxid(message, p.scriptPubKey);
    const t: ToSign = full ?? {
      version: 0, prevTxid: txid, prevVout: 0, scriptSig: new Uint8Array(0), sequence: 0, outputs: [OP_RETURN_OUT], inputs: 1,
      witness: simple!, lockTime: 0,
    };
    if (!equal(t.prevTxid, txid) || t.prevVout !== 0) return false;
    if (t.outputs.length !== 1 || !equal(t.outputs[0].value, ZERO8) || !equal(t.outputs[0].script, OP_RETURN_OUT.script)) return false;
    if (!spendValid(p, t)) return false;
    if (t.version !== 0 && t.version !== 2) throw new VerificationError(`BIP-322 verdict inconclusive: to_sign version ${t.version} is not 0 or 2`);
    if (t.lockTime || t.sequence)
      throw new VerificationError(`signature is valid only at time ${t.lockTime} and age ${t.sequence}: a time-locked spend does not show the coins can move now`);
    return true;
  };
}

/**
 * (scriptSig, witness) of to_sign's input as a simple or full signature (already through
 * `prepare`'s form checks) gives them, or null when it does not decode (zkpor's spend_items).
 */
export function spendItems(signature: string): { scriptSig: Uint8Array; witness: Uint8Array[] } | null {
  const prefix = ['smp', 'ful'].includes(signature.slice(0, 3)) ? signature.slice(0, 3) : '';
  try {
    const payload = base64.decode(signature.slice(prefix.length));
    if (prefix !== 'ful') return { scriptSig: new Uint8Array(0), witness: parseWitness(payload) };
    const t = parseFull(payload);
    return { scriptSig: t.scriptSig, witness: t.witness };
  } catch {
    return null;
  }
}

/** Whether `message` verifies, timelocks allowed (the tests' view of a full signature). */
export function verifyAllowingTimelock(address: string, message: string, signature: string, chain = 'bitcoin'): boolean {
  try {
    return prepare(address, signature, chain)(message);
  } catch (e) {
    if (e instanceof VerificationError && e.message.startsWith('signature is valid only at time')) return true;
    throw e;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
