/**
 * Multisig cold wallets (src/reserves/multisig.ts, docs/spec/reserves.md 10.11) over
 * vectors/v2/multisig.json: every script's m, n and address, every key-by-key entry's
 * signers or refusal, and every BIP-322 case (P2SH, P2SH-P2WSH, P2WSH and Taproot script
 * paths), evaluated here: none is left as not checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexToBytes } from '../src/bytes.js';
import { UncheckedSignature } from '../src/reserves/bip322.js';
import { diagnoseSignature, multisigProblem, ownershipMessage, verifyAssetReserves } from '../src/reserves/check.js';
import { MAX_KEYS, parseMultisig, prepare, scriptAddress, type Form } from '../src/reserves/multisig.js';
import { AssertionFailure, eq, runCases, type Group, type Test } from './vectors.js';

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
