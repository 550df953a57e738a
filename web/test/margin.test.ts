/** Margin accounts beyond the vectors: .zkpi versions 2 and 3, the proof's exchange, tampering. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../src/bytes.js';
import { InputError, VerificationError } from '../src/errors.js';
import { checkInclusion } from '../src/inclusion.js';
import { marginTerms } from '../src/margin.js';
import { inclusionProof, roots as parseRoots, type InclusionProof, type Manifest } from '../src/models.js';
import { parseStrictJson, type Json } from '../src/json.js';
import { verifyBatch, type BatchItem } from '../src/rangeproof.js';
import { checkExchange } from '../src/verify.js';
import { decodeZkpi, encodeZkpi } from '../src/zkpi.js';
import { cases } from './vectors.js';

const strict = (v: unknown): Json => parseStrictJson(utf8(JSON.stringify(v)));
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function alice() {
  const { t } = cases('margin.json').find(({ g, t }) => g.type === 'MarginInclusionTest' && t.result === 'valid')!;
  const roots = parseRoots(strict(t.roots));
  return { roots, raw: t.inclusion, proof: inclusionProof(strict(t.inclusion)), terms: marginTerms(roots.quote, roots.assets) };
}

function verify(p: InclusionProof, r = alice()): void {
  const batch: BatchItem[] = [];
  const labels: string[] = [];
  checkInclusion(p, r.roots.assets, r.roots.round_id, r.roots.arity, batch, labels, r.terms);
  verifyBatch(batch, (i) => labels[i]);
}

const refused = (f: () => void, re: RegExp, kind: typeof InputError | typeof VerificationError = VerificationError) =>
  assert.throws(f, (e: unknown) => e instanceof kind && re.test((e as Error).message), String(re));

test('.zkpi version 2: a proof with debts round-trips, verifies the same, and is strict', () => {
  const a = alice();
  verify(a.proof);
  const bin = encodeZkpi(a.proof);
  assert.equal(bin[4], 2);
  const back = decodeZkpi(bin);
  assert.deepEqual(back, a.proof);
  verify(back);
  for (const cut of [5, 200, bin.length - 500, bin.length - 1]) refused(() => decodeZkpi(bin.subarray(0, cut)), /truncated/, InputError);
  refused(() => decodeZkpi(Uint8Array.of(...bin, 0)), /trailing/, InputError);
  // The input tree byte of the first collateral input (0 = equity): 2 is refused, 1 changes the input.
  const proofLen = a.proof.collateral!.proof.length / 2;
  const tail = 4 + proofLen;
  const inputsLen = a.proof.collateral!.inputs.reduce((s, i) => s + 1 + i.asset.length + 1 + 8, 0);
  const treeAt = bin.length - tail - inputsLen + 1 + a.proof.collateral!.inputs[0].asset.length;
  assert.equal(bin[treeAt], 0);
  const bad = bin.slice();
  bad[treeAt] = 2;
  refused(() => decodeZkpi(bad), /input tree must be 0/, InputError);
  bad[treeAt] = 1;
  refused(() => verify(decodeZkpi(bad)), /not exactly your debt leaves/);
  // A version 1 proof is still version 1, byte for byte (no debt section).
  const spot = clone(a.proof);
  delete spot.debts;
  delete spot.collateral;
  assert.equal(encodeZkpi(spot)[4], 1);
});

test('.zkpi version 3: the exchange is named, decoded, checked; one encoding per proof', () => {
  const a = alice();
  for (const withDebts of [true, false]) {
    const p = clone(a.proof);
    if (!withDebts) {
      delete p.debts;
      delete p.collateral;
    }
    p.exchange = 'Example Exchange';
    const bin = encodeZkpi(p);
    assert.equal(bin[4], 3);
    const back = decodeZkpi(bin);
    assert.deepEqual(back, p);
    assert.deepEqual(encodeZkpi(back), bin);
    if (withDebts) verify(back);
    else assert.equal(back.debts, undefined);
    const name = utf8('Example Exchange');
    const withName = (x: Uint8Array) => Uint8Array.of(...bin.subarray(0, 5), x.length, ...x, ...bin.subarray(6 + name.length));
    refused(() => decodeZkpi(withName(new Uint8Array(0))), /exchange name is empty/, InputError);
    refused(() => decodeZkpi(withName(utf8('Ex\u0007change'))), /control character/, InputError);
    refused(() => decodeZkpi(withName(utf8('Ex\u200bchange'))), /format character/, InputError);
    refused(() => decodeZkpi(withName(utf8('Cafe\u0301'))), /NFC/, InputError);
    refused(() => decodeZkpi(withName(utf8('x'.repeat(101)))), /longer than 100 bytes/, InputError);
    assert.equal(decodeZkpi(withName(utf8('x'.repeat(100)))).exchange, 'x'.repeat(100));
    refused(() => decodeZkpi(bin.subarray(0, bin.length - 1)), /truncated/, InputError);
    refused(() => decodeZkpi(Uint8Array.of(...bin, 0)), /trailing/, InputError);
  }
});

test("the proof's exchange must be the manifest's, code point for code point", () => {
  const a = alice();
  const m = { exchange: 'Example Exchange' } as Manifest;
  checkExchange(a.proof, m.exchange); // no exchange in the proof: nothing to compare
  checkExchange({ ...a.proof, exchange: 'Example Exchange' }, m.exchange);
  refused(() => checkExchange({ ...a.proof, exchange: 'Other Exchange' }, m.exchange),
    /^the proof is for exchange 'Other Exchange'; the manifest is exchange 'Example Exchange'$/);
  refused(() => checkExchange({ ...a.proof, exchange: 'Example exchange' }, m.exchange), /the proof is for exchange/);
  // The JSON field follows the identifier rules; null means absent.
  assert.equal(inclusionProof(strict({ ...a.raw, exchange: 'Example Exchange' })).exchange, 'Example Exchange');
  assert.equal(inclusionProof(strict({ ...a.raw, exchange: null })).exchange, undefined);
  for (const bad of ['', 'a\u0000b', 'x'.repeat(101), 5]) refused(() => inclusionProof(strict({ ...a.raw, exchange: bad })), /exchange/, InputError);
});

test('collateral: tampered proof, inputs, missing pieces and terms are refused', () => {
  const a = alice();
  const tamper = (f: (p: any) => void) => {
    const p = clone(a.raw);
    f(p);
    return inclusionProof(strict(p));
  };
  const flip = (hex: string, at: number) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
  // a scalar byte (t_x), an L point's x coordinate, the final b
  for (const at of [8 * 66 + 10, 424 * 2 + 12, a.proof.collateral!.proof.length - 3])
    refused(() => verify(tamper((p) => { p.collateral.proof = flip(p.collateral.proof, at); })), /^collateral proof(: R1CS proof field | \(margin account 0\): does not verify)/);
  refused(() => verify(tamper((p) => { p.collateral.proof += '00'; })), /must be \d+ bytes/);
  refused(() => verify(tamper((p) => { p.collateral.inputs[0].leaf += 1; })), /not exactly your debt leaves/);
  refused(() => verify(tamper((p) => { p.collateral.inputs.push(p.collateral.inputs[0]); })), /not exactly your debt leaves/);
  refused(() => verify(tamper((p) => { p.collateral.inputs.reverse(); })), /equity inputs must come before debt inputs/);
  refused(() => verify(tamper((p) => { delete p.collateral; })), /debts without a collateral proof/);
  refused(() => verify(tamper((p) => { delete p.debts; })), /a collateral proof without debts/);
  refused(() => verify(tamper((p) => { p.debts[0].units = String(BigInt(p.debts[0].units) - 1n); p.debts[0].amount = p.debts[0].units; p.debts[0].decimals = 0; })), /./);
  refused(() => verify(tamper((p) => { p.debts.push(p.debts[0]); })), /debt asset USDT appears twice/);
  refused(() => verify(tamper((p) => { p.debts[0].asset = 'BTC'; })), /asset BTC: no published debt tree/);
  refused(() => verify(a.proof, { ...a, terms: null }), /no margin terms/);
});

test('margin terms: inconsistent or malformed published terms are refused', () => {
  const { t } = cases('margin.json').find(({ g, t }) => g.type === 'MarginInclusionTest' && t.result === 'valid')!;
  const terms = (f: (r: any) => void) => {
    const r = clone(t.roots);
    f(r);
    const parsed = parseRoots(strict(r));
    return () => marginTerms(parsed.quote, parsed.assets);
  };
  const ok = terms(() => {})()!;
  assert.equal(ok.scale, 8);
  assert.equal(ok.prices.get('BTC'), 9700000n); // 97000.00 USD per BTC = 9,700,000 cents per 10^8 sat, at 10^-(2+8) USD
  assert.equal(ok.prices.get('USDT'), 100n * 10n ** 2n);
  refused(terms((r) => { delete r.assets.BTC.tiers; }), /price and tiers go together/);
  refused(terms((r) => { delete r.quote; }), /a price needs the round's quote/);
  refused(terms((r) => { delete r.assets.USDT.price; delete r.assets.USDT.tiers; }), /a debt tree needs a price/);
  refused(terms((r) => { r.assets.BTC.tiers[1].up_to = r.assets.BTC.tiers[0].up_to; }), /above the previous one/);
  refused(terms((r) => { r.assets.BTC.tiers[2].up_to = '9000000'; }), /every bracket but the last needs up_to/);
  refused(terms((r) => { delete r.assets.BTC.tiers[0].up_to; }), /every bracket but the last needs up_to/);
  refused(terms((r) => { r.assets.BTC.price = '0'; }), /price must be above 0/);
  refused(terms((r) => { r.assets.BTC.price = '1.001'; }), /decimals/);
  refused(terms((r) => { r.assets.BTC.price = '9'.repeat(40); }), /fit|too large/);
  assert.equal(terms((r) => { delete r.quote; for (const a of Object.values(r.assets) as any[]) { delete a.price; delete a.tiers; delete a.debt; } })(), null);
});
