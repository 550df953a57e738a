/**
 * Multisig cold wallets (src/reserves/multisig.ts, docs/spec/reserves.md 10.11) over
 * vectors/v2/multisig.json: every script's m, n and address, every key-by-key entry's
 * signers or refusal, and every BIP-322 case (P2SH, P2SH-P2WSH, P2WSH and Taproot script
 * paths), evaluated here: none is left as not checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexToBytes } from '../src/bytes.js';
import { base64 } from '@scure/base';
import { concat } from '../src/bytes.js';
import { VerificationError } from '../src/errors.js';
import { spendItems, UncheckedSignature } from '../src/reserves/bip322.js';
import { diagnoseSignature, multisigProblem, ownershipMessage, verifyAssetReserves } from '../src/reserves/check.js';
import { MAX_KEYS, parseMultisig, prepare, scriptAddress, type Form } from '../src/reserves/multisig.js';
import { AssertionFailure, cases, eq, runCases, type Group, type Test } from './vectors.js';

function address(_g: Group, t: Test): void {
  const ms = parseMultisig(hexToBytes(t.script), MAX_KEYS[t.form as Form]);
  eq('m', ms.m, t.m);
  eq('n', ms.keys.length, t.n);
  eq('address', scriptAddress(ms.script, t.form as Form, t.chain), t.address);
}

function keys(_g: Group, t: Test): void {
  const message = ownershipMessage(t.exchange, t.round_id, t.address);
  const entry = { form: t.form as string, script: t.script as string, signatures: t.signatures as string[] };
  const problem = multisigProblem(t.chain, t.address, entry, message);
  if (problem) throw new Error(problem);
  eq('message', message, t.message);
  const tally = prepare(t.address, t.chain, entry).tally(message);
  eq('signers', [...tally.signers.keys()].map((k) => k + 1).sort((a, b) => a - b).join(','), t.signers.join(','));
}

function bip322(_g: Group, t: Test): void {
  try {
    const found = diagnoseSignature(t.chain, t.address, t.signature, t.exchange, t.round_id);
    if (found !== 'expected') throw new Error(`signature was not made by this address's key (${found})`);
  } catch (e) {
    // never "not checked": a failure of this test, whatever the expected result
    if (e instanceof UncheckedSignature) throw new AssertionFailure(`not checked: ${e.message}`);
    throw e;
  }
}

const GROUPS: Record<string, (g: Group, t: Test) => void | 'skip'> = {
  MultisigAddressTest: address,
  MultisigKeysTest: keys,
  MultisigBip322Test: bip322,
};

test('multisig.json: addresses, key-by-key signers, every BIP-322 case', () => {
  const r = runCases('multisig.json', (g, t) => GROUPS[g.type](g, t), {
    TooFewSigners: /needed|not made by/,
    NonStandardScript: /standard m-of-n|more than|no keys|key \d|OP_|m = |extra bytes/,
    WrongScript: /multisig: (the script's|this address is|form )/,
    WrongChain: /cannot hold reserves on chain/,
    InvalidSignatureEncoding: /signature/,
    BadSignature: /signed a different message|not made by|needed/,
  });
  assert.equal(r.valid + r.invalid, 97);
  assert.equal(r.skipped, 0);
});

test('a manifest entry signed key by key: a form that does not fit its address is refused', () => {
  const p2wsh = 'bc1qtxxqzzup3n2c5hypwjlucr7eh876drsvjtl0l6a9jt6d3wew492sn7608z';
  const entry = { address: p2wsh, balance: '1', multisig: { form: 'p2sh' as const, script: '51', signatures: ['x'] } };
  assert.throws(() => verifyAssetReserves('BTC', 'bitcoin', [entry], 'E', 'R', 8), /no keys after OP_m/);
});

/** The MultisigBip322Test cases of multisig.json by tcId. */
function bip322Case(tcId: number): Test {
  for (const { t } of cases('multisig.json')) if (t.tcId === tcId) return t;
  throw new Error(`no tcId ${tcId}`);
}

/** 'expected', another message's name, 'no', 'refused: ...' or 'unchecked: ...'. */
function outcome(t: Test, signature: string): string {
  try {
    return diagnoseSignature(t.chain, t.address, signature, t.exchange, t.round_id) ?? 'no';
  } catch (e) {
    if (e instanceof UncheckedSignature) return `unchecked: ${e.message}`;
    if (e instanceof VerificationError) return `refused: ${e.message}`;
    throw e;
  }
}

const recode = (sig: string, f: (raw: Uint8Array) => Uint8Array) => sig.slice(0, 3) + base64.encode(f(base64.decode(sig.slice(3))));
const witness = (items: Uint8Array[]) => concat(Uint8Array.of(items.length), ...items.map((x) => concat(Uint8Array.of(x.length), x)));

test('BIP-322 P2SH, P2SH-P2WSH, P2WSH and Taproot script-path signatures: any changed byte is refused, never left unchecked', () => {
  for (const id of [84, 87, 90, 95, 96]) {
    const t = bip322Case(id);
    assert.equal(outcome(t, t.signature), 'expected', t.comment);
    const n = base64.decode(t.signature.slice(3)).length;
    for (let i = 0; i < n; i += 3) {
      const got = outcome(t, recode(t.signature, (raw) => ((raw[i] ^= 0x01), raw)));
      assert.ok(got === 'no' || got.startsWith('refused: '), `${t.comment}: byte ${i}: ${got}`);
    }
  }
});

test('BIP-322 Taproot script path: parity, path, signature order, count and empty signatures', () => {
  const t = bip322Case(95);
  const items = spendItems(t.signature)!.witness;
  const [args, script, control] = [items.slice(0, -2), items[items.length - 2], items[items.length - 1]];
  const w = (a: Uint8Array[], c = control, s = script) => 'smp' + base64.encode(witness([...a, s, c]));
  assert.equal(outcome(t, w(args)), 'expected');
  assert.equal(args.length, 3); // 2-of-3: one empty signature
  assert.equal(outcome(t, w(args, Uint8Array.of(control[0] ^ 1, ...control.subarray(1)))), 'no'); // parity
  assert.equal(outcome(t, w(args, concat(control, new Uint8Array(32)))), 'no'); // another Merkle path
  assert.equal(outcome(t, w(args, Uint8Array.of(0xc2 | (control[0] & 1), ...control.subarray(1)))), 'no'); // leaf version: another leaf hash
  assert.equal(outcome(t, w([...args].reverse())), 'no'); // signatures under other keys
  assert.equal(outcome(t, w(args.slice(1))), 'no'); // one argument too few
  assert.equal(outcome(t, w([new Uint8Array(0), ...args])), 'no'); // not a clean stack
  const one = args.map((a) => a);
  one[one.findIndex((a) => a.length > 0)] = new Uint8Array(0);
  assert.equal(outcome(t, w(one)), 'no'); // one signature for m = 2
  const sighashAll = args.map((a) => (a.length ? concat(a, Uint8Array.of(0x02)) : a));
  assert.equal(outcome(t, w(sighashAll)), 'no'); // SIGHASH_NONE
  assert.equal(outcome(t, w(args, control, concat(script, Uint8Array.of(0x51)))),
    'refused: signature: the script this signature spends with is not a standard m-of-n: the tapscript does not end with OP_m OP_NUMEQUAL');
});

test('BIP-322 P2SH forms: a simple signature, a non-standard redeem script, a changed push', () => {
  const p2sh = bip322Case(93);
  assert.equal(outcome(p2sh, p2sh.signature),
    'refused: signature: a P2SH address needs a full (ful) BIP-322 signature; simple (smp) signatures are for native segwit addresses');
  const op1 = bip322Case(94);
  assert.equal(outcome(op1, op1.signature), 'refused: signature: the script this signature spends with is not a standard m-of-n: no keys after OP_m');
  const nested = bip322Case(87);
  // the nested program pushed with OP_PUSHDATA1 (0x4c 0x22) instead of 0x22: not exactly the push (BIP-141)
  const raw = base64.decode(nested.signature.slice(3));
  const at = raw.findIndex((_, i) => raw[i] === 0x23 && raw[i + 1] === 0x22 && raw[i + 2] === 0 && raw[i + 3] === 0x20);
  assert.ok(at > 0);
  const longer = concat(raw.subarray(0, at), Uint8Array.of(0x24, 0x4c), raw.subarray(at + 1));
  assert.equal(outcome(nested, 'ful' + base64.encode(longer)), 'no');
  const legacy = bip322Case(84);
  const lraw = base64.decode(legacy.signature.slice(3));
  const dummy = lraw[41] === 0xfd ? 44 : 42; // version, one input, outpoint, then the scriptSig's size: OP_0 first
  assert.equal(lraw[4], 1);
  assert.equal(lraw[dummy], 0);
  assert.equal(outcome(legacy, 'ful' + base64.encode(Uint8Array.of(...lraw.subarray(0, dummy), 0x51, ...lraw.subarray(dummy + 1)))), 'no'); // NULLDUMMY
});
