/** Margin accounts beyond the vectors: .zkpi version 4 (flags, margin tags), the proof's exchange, tampering, the margin-tag checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../src/bytes.js';
import { InputError, VerificationError } from '../src/errors.js';
import { checkInclusion, checkTags, type VerifiedAsset } from '../src/inclusion.js';
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

test('.zkpi version 4 with debts (flag bit 1): round-trips with its margin tags, verifies the same, and is strict', () => {
  const a = alice();
  verify(a.proof);
  // alice's leaves are tagged (account, inputs) at level 1, in her path and so in the binary
  const own = a.proof.assets[0].path[0].children.filter((c) => c.margin !== undefined);
  assert.ok(own.length >= 1);
  const bin = encodeZkpi(a.proof);
  assert.equal(bin[4], 4);
  assert.equal(bin[5], 2);
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
  // Without debts: flags 0, no debt section; the flags byte says what follows.
  const spot = clone(a.proof);
  delete spot.debts;
  delete spot.collateral;
  const spotBin = encodeZkpi(spot);
  assert.deepEqual([...spotBin.subarray(4, 6)], [4, 0]);
  const flagged = spotBin.slice();
  flagged[5] = 2;
  refused(() => decodeZkpi(flagged), /truncated in debt count/, InputError);
  refused(() => decodeZkpi(Uint8Array.of(...flagged, 0)), /the debts flag needs at least one debt/, InputError);
  const noFlag = bin.slice();
  noFlag[5] = 0;
  refused(() => decodeZkpi(noFlag), /trailing bytes/, InputError);
  for (const f of [4, 8, 0x80, 0xff]) {
    const t = bin.slice();
    t[5] = f;
    refused(() => decodeZkpi(t), new RegExp(`^unknown flags 0x${f.toString(16).padStart(2, '0')} \\(only bits 0 and 1 are defined\\)$`), InputError);
  }
  for (const v of [1, 2, 3]) {
    const t = bin.slice();
    t[4] = v;
    refused(() => decodeZkpi(t), new RegExp(`^binary inclusion proof version ${v} is from before leaf margin tags \\(version 4\\) and is no longer accepted`), InputError);
  }
});

/** Where the 8-byte tag of child `i` of the first asset's level-1 step is in `bin` (flags 2: no exchange). */
function tagOffset(p: InclusionProof, bin: Uint8Array, i: number): number {
  const e = p.assets[0];
  const head = 4 + 2 + 1 + utf8(p.round_id).length + 1 + utf8(p.user_id).length + 2;
  const entry = 1 + utf8(e.asset).length + 1 + 8 + 32 + 32 + 8 + 8 + 1;
  const at = head + entry + 1 + i * (65 + 8) + 65;
  assert.equal(bin[head + entry], e.path[0].children.length);
  return at;
}

test('.zkpi margin tags: none is 8 zero bytes and decodes as absent; a tag is u32 account || u32 inputs; non-canonical refused', () => {
  const a = alice();
  const bin = encodeZkpi(a.proof);
  a.proof.assets[0].path[0].children.forEach((c, i) => {
    const at = tagOffset(a.proof, bin, i);
    const dv = new DataView(bin.buffer, bin.byteOffset + at, 8);
    assert.deepEqual([dv.getUint32(0), dv.getUint32(4)], c.margin ? [c.margin.account, c.margin.inputs] : [0, 0]);
  });
  const none = a.proof.assets[0].path[0].children.findIndex((c) => c.margin === undefined);
  if (none >= 0) {
    const t = bin.slice();
    t[tagOffset(a.proof, bin, none) + 3] = 1; // account 1, inputs 0
    refused(() => decodeZkpi(t), /^non-canonical margin tag: account without inputs$/, InputError);
    t[tagOffset(a.proof, bin, none) + 7] = 1; // account 1, inputs 1: decodes, but the node hash changes
    assert.deepEqual(decodeZkpi(t).assets[0].path[0].children[none].margin, { account: 1, inputs: 1 });
    refused(() => verify(decodeZkpi(t)), /path does not lead to the published root/);
  }
  refused(() => decodeZkpi(bin.subarray(0, tagOffset(a.proof, bin, 0) + 4)), /truncated in margin tag/, InputError);
});

test('JSON margin tags: {account, inputs} integers on level-1 children only, strict', () => {
  const a = alice();
  const at = (f: (c: any, p: any) => void) => {
    const p = clone(a.raw);
    f(p.assets[0].path[0].children[0], p);
    return () => inclusionProof(strict(p));
  };
  assert.doesNotThrow(at((c) => { c.margin = { account: 0xffffffff, inputs: 0xffffffff }; }));
  assert.doesNotThrow(at((c) => { c.margin = null; })); // null is absent
  refused(at((c) => { c.margin = { account: 0, inputs: 0 }; }), /margin\.inputs: 0 outside 1\.\.4294967295/, InputError);
  refused(at((c) => { c.margin = { account: 2 ** 32, inputs: 1 }; }), /margin\.account: 4294967296 outside/, InputError);
  refused(at((c) => { c.margin = { account: -1, inputs: 1 }; }), /margin\.account/, InputError);
  refused(at((c) => { c.margin = { account: 1.5, inputs: 1 }; }), /not an integer/, InputError);
  refused(at((c) => { c.margin = { account: '1', inputs: 1 }; }), /margin\.account: expected an integer/, InputError);
  refused(at((c) => { c.margin = { account: 1 }; }), /margin\.inputs: field required/, InputError);
  refused(at((c) => { c.margin = { account: 1, inputs: 1, tree: 'BTC' }; }), /margin\.tree: unknown field/, InputError);
  refused(at((c) => { c.margin = [1, 1]; }), /margin: expected an object/, InputError);
  // Above level 1 the children are nodes: no margin tag (a proof of depth 2 or more).
  const deep = clone(cases('inclusion.json').find(({ t }) => t.result === 'valid' && t.inclusion.assets[0].path.length > 1)!.t.inclusion);
  assert.doesNotThrow(() => inclusionProof(strict(deep)));
  deep.assets[0].path[1].children[0].margin = { account: 0, inputs: 1 };
  refused(() => inclusionProof(strict(deep)), /assets\.0\.path\.1: only leaves \(children at level 1\) carry a margin tag/, InputError);
  for (const old of ['zkpor-inclusion-v1', 'zkpor-inclusion-v0'])
    refused(at((_c, p) => { p.format = old; }), new RegExp(`^format '${old}' is from before leaf margin tags \\(format v2\\)`), InputError);
  refused(at((_c, p) => { p.format = 'zkpor-inclusion'; }), /must be one of "zkpor-inclusion-v2"/, InputError);
});

test("margin tags: the customer's own leaves (8.2 step 4), zkpor's messages", () => {
  const a = alice();
  const batch: BatchItem[] = [];
  const out = checkInclusion(a.proof, a.roots.assets, a.roots.round_id, a.roots.arity, batch, [], a.terms);
  const coll = a.proof.collateral!;
  const n = coll.inputs.length;
  for (const v of out) if (v.kind === 'debt' || a.terms!.prices.has(v.asset)) assert.deepEqual(v.tag, { account: coll.account, inputs: n });
  const withTag = (tag: { account: number; inputs: number }, i = 0): VerifiedAsset[] => out.map((v, j) => (j === i ? { ...v, tag } : v));
  const noDebts = { ...a.proof, debts: undefined, collateral: undefined };
  const none = out.map((v) => ({ ...v, tag: { account: 0, inputs: 0 } }));
  checkTags(noDebts, none, a.terms);
  refused(() => checkTags(noDebts, none.map((v, j) => (j === 0 ? { ...v, tag: { account: 5, inputs: 2 } } : v)), a.terms),
    new RegExp(`^asset ${out[0].asset}: your leaf is pledged as collateral of margin account 5, but you have no debt: the exchange counts your balance as backing someone else's loan$`));
  const debt = out.findIndex((v) => v.kind === 'debt');
  refused(() => checkTags(noDebts, none.map((v, j) => (j === debt ? { ...v, tag: { account: 0, inputs: 1 } } : v)), a.terms),
    new RegExp(`^asset ${out[debt].asset} \\(debt\\): your leaf is pledged as collateral of margin account 0`));
  checkTags(a.proof, out, a.terms);
  refused(() => checkTags(a.proof, withTag({ account: coll.account + 1, inputs: n }), a.terms),
    new RegExp(`your leaf is tagged account ${coll.account + 1} \\(${n} inputs\\), but your collateral proof is for account ${coll.account} \\(${n} inputs\\): the published account is not the one you were shown$`));
  refused(() => checkTags(a.proof, withTag({ account: coll.account, inputs: n + 1 }), a.terms), /the published account is not the one you were shown/);
  refused(() => checkTags(a.proof, withTag({ account: 0, inputs: 0 }, debt), a.terms),
    /\(debt\): your leaf is tagged none, but your collateral proof is for account/);
  refused(() => checkTags({ ...a.proof, collateral: { ...coll, account: coll.account + 7 } }, out, a.terms), /the published account is not the one you were shown/);
  // An equity leaf in an unpriced asset is no collateral: its tag must be none.
  const unpriced = { ...out[0], asset: 'XYZ', kind: 'equity' as const };
  checkTags(a.proof, [...out, { ...unpriced, tag: { account: 0, inputs: 0 } }], a.terms);
  refused(() => checkTags(a.proof, [...out, { ...unpriced, tag: { account: coll.account, inputs: n } }], a.terms),
    new RegExp(`^asset XYZ: your leaf is pledged as collateral of margin account ${coll.account}, but the asset has no price, so it cannot be collateral$`));
});

test('.zkpi flag bit 0: the exchange is named, decoded, checked; one encoding per proof', () => {
  const a = alice();
  for (const withDebts of [true, false]) {
    const p = clone(a.proof);
    if (!withDebts) {
      delete p.debts;
      delete p.collateral;
    }
    p.exchange = 'Example Exchange';
    const bin = encodeZkpi(p);
    assert.deepEqual([...bin.subarray(4, 6)], [4, withDebts ? 3 : 1]);
    const back = decodeZkpi(bin);
    assert.deepEqual(back, p);
    assert.deepEqual(encodeZkpi(back), bin);
    if (withDebts) verify(back);
    else assert.equal(back.debts, undefined);
    const name = utf8('Example Exchange');
    const withName = (x: Uint8Array) => Uint8Array.of(...bin.subarray(0, 6), x.length, ...x, ...bin.subarray(7 + name.length));
    refused(() => decodeZkpi(withName(new Uint8Array(0))), /^the exchange flag needs a non-empty exchange$/, InputError);
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
