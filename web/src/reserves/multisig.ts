/**
 * Multisig cold wallets (docs/spec/reserves.md 10.11), the second way: a standard m-of-n
 * script `OP_m <keys> OP_n OP_CHECKMULTISIG` (1 <= m <= n, at most 15 keys for legacy P2SH
 * and 20 for P2SH-P2WSH and P2WSH, compressed keys on the curve each once, minimal numbers:
 * OP_1..OP_16, then a one-byte push for 17..20), its address in the entry's form (P2SH:
 * Base58Check of HASH160(script); P2SH-P2WSH: of HASH160(0x0020 || SHA-256(script)); P2WSH:
 * bech32 of SHA-256(script)), and at least m legacy signed messages (10.3), each by a
 * distinct key of the script. The messages are zkpor's (zkpor/reserves/multisig.py), so
 * both verifiers refuse an entry with the same words.
 */
import { base58check, bech32 } from '@scure/base';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { base64 } from '@scure/base';
import { bytesToBig, bytesToHex, concat, hexToBytes } from '../bytes.js';
import { VerificationError } from '../errors.js';
import { checkRange, recoverPublicKey } from './ecrecover.js';
import { decodeAddress, hash160, messageDigest, networkOf, NETWORKS } from './bitcoin.js';

export const FORMS = ['p2sh', 'p2sh-p2wsh', 'p2wsh'] as const;
export type Form = (typeof FORMS)[number];
export const MAX_KEYS: Record<Form, number> = { p2sh: 15, 'p2sh-p2wsh': 20, p2wsh: 20 };
export const MAX_SCRIPT_BYTES = 2 + 20 * 34 + 2 + 1;
const LABEL: Record<Form, string> = { p2sh: 'P2SH', 'p2sh-p2wsh': 'P2SH-P2WSH', p2wsh: 'P2WSH' };
const b58 = base58check(sha256);

export type Multisig = { m: number; keys: Uint8Array[]; script: Uint8Array };
export type MultisigEntry = { form: string; script: string; signatures: string[] };

const hex = (b: number) => '0x' + b.toString(16).padStart(2, '0');
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function smallNumber(s: Uint8Array, i: number): [number, number] | null {
  if (i >= s.length) return null;
  if (s[i] >= 0x51 && s[i] <= 0x60) return [s[i] - 0x50, i + 1];
  if (s[i] === 0x01 && i + 1 < s.length && s[i + 1] >= 17 && s[i + 1] <= 20) return [s[i + 1], i + 2];
  return null;
}

export function readKey(s: Uint8Array, i: number, k: number, keys: Uint8Array[]): Uint8Array {
  if (s[i] === 0x41) throw new Error(`key ${k} is a 65-byte uncompressed key: only 33-byte compressed keys are accepted`);
  if (s[i] !== 0x21) throw new Error(`key ${k} is not a 33-byte compressed key (push of ${s[i]} bytes)`);
  const key = s.slice(i + 1, i + 34);
  if (key.length !== 33) throw new Error(`key ${k} is truncated`);
  if (key[0] !== 2 && key[0] !== 3) throw new Error(`key ${k} is not a compressed key (prefix ${hex(key[0])})`);
  try {
    secp256k1.Point.fromBytes(key);
  } catch {
    throw new Error(`key ${k} is not a point of secp256k1`);
  }
  const j = keys.findIndex((x) => same(x, key));
  if (j >= 0) throw new Error(`key ${k} repeats key ${j + 1}`);
  return key;
}

/** The standard m-of-n script; Error with the reason it is not one. */
export function parseMultisig(s: Uint8Array, maxKeys = 20): Multisig {
  if (s.length === 0) throw new Error('the script is empty');
  if (s[0] === 0) throw new Error('m = 0 (OP_0): such a script needs no signature');
  const first = smallNumber(s, 0);
  if (!first) throw new Error(`the script does not start with OP_m (byte ${hex(s[0])})`);
  let [m, i] = first;
  const keys: Uint8Array[] = [];
  while ((i < s.length && (s[i] === 0x21 || s[i] === 0x41)) || (i < s.length && keys.length === 0)) {
    keys.push(readKey(s, i, keys.length + 1, keys));
    i += 34;
  }
  if (keys.length === 0) throw new Error('no keys after OP_m');
  const last = smallNumber(s, i);
  const found = (j: number) => (j < s.length ? `byte ${hex(s[j])}` : 'the end');
  if (!last) throw new Error(`after key ${keys.length}, expected OP_n, found ${found(i)}`);
  const n = last[0];
  i = last[1];
  if (n !== keys.length) throw new Error(`OP_n says ${n} keys, the script has ${keys.length}`);
  if (i >= s.length || s[i] !== 0xae) throw new Error(`expected OP_CHECKMULTISIG after OP_n, found ${found(i)}`);
  if (i + 1 !== s.length) throw new Error(`${s.length - i - 1} extra bytes after OP_CHECKMULTISIG`);
  if (m > n) throw new Error(`m = ${m} is more than n = ${n}`);
  if (n > maxKeys) throw new Error(`n = ${n} keys, more than ${maxKeys}`);
  return { m, keys, script: s };
}

/** The address of `script` in `form` on `chain` (spec 10.11). */
export function scriptAddress(script: Uint8Array, form: Form, chain: string): string {
  const [, p2sh, hrp] = NETWORKS[chain];
  const sha = sha256(script);
  if (form === 'p2wsh') return bech32.encode(hrp, [0, ...bech32.toWords(sha)]);
  const payload = form === 'p2sh' ? hash160(script) : hash160(concat(Uint8Array.of(0, 32), sha));
  return b58.encode(concat(Uint8Array.of(p2sh), payload));
}

/** ('p2sh', script hash) or ('p2wsh', program) of a listed address; VerificationError otherwise. */
function listed(address: string, chain: string): { kind: 'p2sh' | 'p2wsh'; payload: Uint8Array } {
  const [, , hrp] = NETWORKS[chain];
  try {
    if (!address.toLowerCase().startsWith(hrp + '1')) {
      const { kind, hash } = decodeAddress(address, chain);
      if (kind !== 'p2sh') throw new Error('a P2PKH address has one key; a multisig address is P2SH or P2WSH');
      return { kind, payload: hash };
    }
    const other = networkOf(address);
    if (other !== null && other !== chain) throw new Error(`a ${other} address cannot hold reserves on chain ${chain}`);
    if (address !== address.toLowerCase() && address !== address.toUpperCase())
      throw new Error('mixed-case bech32 address (BIP 173 allows all lower or all upper)');
    let words: number[];
    try {
      words = bech32.decode(address.toLowerCase() as `${string}1${string}`, 90).words;
    } catch {
      throw new Error('invalid bech32 address');
    }
    const program = bech32.fromWords(words.slice(1));
    if (words[0] !== 0 || program.length !== 32)
      throw new Error(`witness version ${words[0]} with a ${program.length}-byte program is not a P2WSH address`);
    return { kind: 'p2wsh', payload: program };
  } catch (e) {
    if (e instanceof VerificationError) throw e;
    throw new VerificationError(`address: ${(e as Error).message}`);
  }
}

function matchAddress(ms: Multisig, form: Form, address: string, chain: string): void {
  const { kind, payload } = listed(address, chain);
  if (kind === 'p2wsh' && form !== 'p2wsh')
    throw new VerificationError(`multisig: form ${form} needs a P2SH address (Base58Check); this is a P2WSH address`);
  if (kind === 'p2sh' && form === 'p2wsh')
    throw new VerificationError('multisig: form p2wsh needs a bech32 P2WSH address; this is a P2SH address');
  const sha = sha256(ms.script);
  const derived: Record<Form, Uint8Array> = {
    p2sh: hash160(ms.script), 'p2sh-p2wsh': hash160(concat(Uint8Array.of(0, 32), sha)), p2wsh: sha,
  };
  if (same(payload, derived[form])) return;
  for (const other of ['p2sh', 'p2sh-p2wsh'] as const)
    if (other !== form && kind === 'p2sh' && same(payload, derived[other]))
      throw new VerificationError(
        `multisig: this address is the script's ${LABEL[other]} address, not its ${LABEL[form]} address: the form must be ${other}`);
  throw new VerificationError(`multisig: the script's ${LABEL[form]} address is ${scriptAddress(ms.script, form, chain)}, not this address`);
}

export type Tally = { signers: Map<number, number>; repeats: [number, number, number][]; outsiders: [number, Uint8Array][] };

const keyName = (ms: Multisig, k: number) => `key ${k + 1} (${bytesToHex(ms.keys[k]).slice(0, 16)}...)`;

/** The one line zkpor prints when fewer than m keys signed (10.11). */
export function shortfall(ms: Multisig, t: Tally): string {
  const n = ms.keys.length;
  const signed = [...Array(n).keys()].filter((k) => t.signers.has(k));
  const missing = [...Array(n).keys()].filter((k) => !t.signers.has(k));
  const parts = [
    `multisig ${ms.m}-of-${n}: ${signed.length} key${signed.length !== 1 ? 's' : ''} of the script signed the expected message, ${ms.m} needed`,
    'signed: ' + (signed.map((k) => keyName(ms, k)).join(', ') || 'none'),
    'not signed: ' + (missing.map((k) => keyName(ms, k)).join(', ') || 'none'),
    ...t.repeats.map(([s, k, f]) => `signatures[${s}] is by key ${k + 1} again (signatures[${f}]): each key counts once`),
    ...t.outsiders.map(([s, pub]) => `signatures[${s}] recovers ${bytesToHex(pub).slice(0, 16)}..., not a key of the script`),
  ];
  return parts.join('; ');
}

export type Prepared = { multisig: Multisig; form: Form; tally: (message: string) => Tally; signed: (message: string) => boolean };

function decodeSignatures(ms: Multisig, signatures: string[]): Array<[number, bigint, bigint]> {
  const count = signatures.length;
  if (count < ms.m)
    throw new VerificationError(`multisig: ${count} signature${count !== 1 ? 's' : ''} for a ${ms.m}-of-${ms.keys.length} script: at least ${ms.m} needed, one per signing key`);
  if (count > ms.keys.length) throw new VerificationError(`multisig: ${count} signatures for ${ms.keys.length} keys: at most one per key`);
  return signatures.map((text, i) => {
    const fail = (why: string) => new VerificationError(`multisig: signatures[${i}]: ${why}`);
    let sig: Uint8Array;
    try {
      sig = base64.decode(text);
    } catch {
      throw fail('signature is not base64');
    }
    if (sig.length !== 65) throw fail(`signature must be 65 bytes, got ${sig.length}`);
    const h = sig[0];
    if (h < 27 || h > 42) throw fail(`signature header ${h} out of range 27..42`);
    if (h < 31) throw fail(`signature header ${h} is for an uncompressed key; the script's keys are compressed`);
    const r = bytesToBig(sig.subarray(1, 33));
    const s = bytesToBig(sig.subarray(33));
    try {
      checkRange(r, s);
    } catch (e) {
      throw fail((e as Error).message);
    }
    return [h, r, s];
  });
}

/** Everything that does not depend on the message (zkpor's `multisig.prepare`, same order). */
export function prepare(address: string, chain: string, entry: MultisigEntry): Prepared {
  if (!(chain in NETWORKS)) throw new VerificationError(`multisig: multisig addresses are Bitcoin's, not chain ${chain}`);
  listed(address, chain);
  if (!(FORMS as readonly string[]).includes(entry.form))
    throw new VerificationError(`multisig: form '${entry.form}' is not p2sh, p2sh-p2wsh or p2wsh`);
  const form = entry.form as Form;
  if (!/^(?:[0-9a-f]{2})+$/.test(entry.script)) throw new VerificationError('multisig: script is not lowercase hex of whole bytes');
  if (entry.script.length > 2 * MAX_SCRIPT_BYTES)
    throw new VerificationError(`multisig: script is ${entry.script.length / 2} bytes, more than ${MAX_SCRIPT_BYTES}`);
  let ms: Multisig;
  try {
    ms = parseMultisig(hexToBytes(entry.script), MAX_KEYS[form]);
  } catch (e) {
    const why = (e as Error).message;
    const limit = why.startsWith('n = ') ? ` (${LABEL[form]} allows ${MAX_KEYS[form]})` : '';
    throw new VerificationError(`multisig: the script is not a standard m-of-n multisig: ${why}${limit}`);
  }
  matchAddress(ms, form, address, chain);
  const sigs = decodeSignatures(ms, entry.signatures);
  const tally = (message: string): Tally => {
    const t: Tally = { signers: new Map(), repeats: [], outsiders: [] };
    const digest = messageDigest(message);
    sigs.forEach(([h, r, s], i) => {
      let pub: Uint8Array;
      try {
        pub = recoverPublicKey(digest, r, s, (h - 27) % 4).toBytes(true);
      } catch {
        t.outsiders.push([i, new Uint8Array(0)]);
        return;
      }
      const k = ms.keys.findIndex((x) => same(x, pub));
      if (k < 0) t.outsiders.push([i, pub]);
      else if (t.signers.has(k)) t.repeats.push([i, k, t.signers.get(k)!]);
      else t.signers.set(k, i);
    });
    return t;
  };
  return { multisig: ms, form, tally, signed: (message) => tally(message).signers.size >= ms.m };
}

/**
 * A Taproot leaf `<x1> OP_CHECKSIG <x2> OP_CHECKSIGADD ... <xn> OP_CHECKSIGADD OP_m
 * OP_NUMEQUAL` (1 <= m <= n <= 20, 32-byte x-only keys on the curve, each once: a `multi_a`
 * descriptor's script) or the one-key `<x> OP_CHECKSIG`; Error with zkpor's reason otherwise.
 */
export function parseTapscript(s: Uint8Array): Multisig {
  const keys: Uint8Array[] = [];
  let i = 0;
  while (i + 34 <= s.length && s[i] === 0x20) {
    const want = keys.length === 0 ? 'OP_CHECKSIG' : 'OP_CHECKSIGADD';
    if (s[i + 33] !== (keys.length === 0 ? 0xac : 0xba)) throw new Error(`key ${keys.length + 1} is not followed by ${want}`);
    const x = s.slice(i + 1, i + 33);
    try {
      secp256k1.Point.fromBytes(concat(Uint8Array.of(2), x));
    } catch {
      throw new Error(`key ${keys.length + 1} is not an x coordinate of secp256k1`);
    }
    const j = keys.findIndex((k) => same(k, x));
    if (j >= 0) throw new Error(`key ${keys.length + 1} repeats key ${j + 1}`);
    keys.push(x);
    i += 34;
  }
  if (keys.length === 0) throw new Error('the tapscript does not start with a 32-byte key and OP_CHECKSIG');
  if (i === s.length && keys.length === 1) return { m: 1, keys, script: s };
  const num = smallNumber(s, i);
  if (!num || num[1] + 1 !== s.length || s[num[1]] !== 0x9c) throw new Error('the tapscript does not end with OP_m OP_NUMEQUAL');
  const m = num[0];
  if (m > keys.length) throw new Error(`m = ${m} is more than n = ${keys.length}`);
  if (keys.length > 20) throw new Error(`n = ${keys.length} keys, more than 20`);
  return { m, keys, script: s };
}

/** The data a push-only script pushes (zkpor's `script_pushes`), or null. */
export function scriptPushes(s: Uint8Array): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < s.length) {
    const op = s[i++];
    if (op === 0) out.push(new Uint8Array(0));
    else if (op >= 0x51 && op <= 0x60) out.push(Uint8Array.of(op - 0x50));
    else if (op <= 0x4d) {
      const width = op === 0x4c ? 1 : op === 0x4d ? 2 : 0;
      const size = width === 0 ? op : s.subarray(i, i + width).reduceRight((a, b) => a * 256 + b, 0);
      i += width;
      if (i + size > s.length) return null;
      out.push(s.subarray(i, i + size));
      i += size;
    } else return null;
  }
  return out;
}

function witnessScript(witness: Uint8Array[]): Multisig {
  if (witness.length === 0) throw new Error('the witness is empty');
  const s = witness[witness.length - 1];
  if (s.length === 35 && s[0] === 0x21 && s[34] === 0xac) return { m: 1, keys: [readKey(s, 0, 1, [])], script: s };
  return parseMultisig(s, MAX_KEYS.p2wsh);
}

/**
 * The script a BIP-322 spend (scriptSig, witness) from an address of `kind` reveals, checked
 * to be a standard m-of-n as zkpor's `bip322_spend` checks it (an anyone-can-spend script
 * "signs" with no key): Error naming why not; null for a key spend or an empty scriptSig.
 */
export function bip322Spend(kind: string, scriptSig: Uint8Array, witness: Uint8Array[]): Multisig | null {
  if (kind === 'p2wpkh') return null;
  if (kind === 'p2tr') {
    const w = witness.length >= 2 && witness[witness.length - 1][0] === 0x50 ? witness.slice(0, -1) : witness;
    return w.length <= 1 ? null : parseTapscript(w[w.length - 2]);
  }
  if (kind === 'p2wsh') return witnessScript(witness);
  const pushes = scriptPushes(scriptSig);
  if (!pushes || pushes.length === 0) return null;
  const redeem = pushes[pushes.length - 1];
  if (redeem.length === 22 && redeem[0] === 0 && redeem[1] === 0x14) return null;
  if (redeem.length === 34 && redeem[0] === 0 && redeem[1] === 0x20) return witnessScript(witness);
  return parseMultisig(redeem, MAX_KEYS.p2sh);
}
