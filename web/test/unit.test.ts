/** Refusals beyond the vectors: strict JSON, .zkpi truncation and byte flips, identifiers, amounts, the digest rule. */
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { hexToBytes, utf8 } from '../src/bytes.js';
import { InputError, VerificationError } from '../src/errors.js';
import { canonicalJson, parseStrictJson } from '../src/json.js';
import { decodeZkpi, encodeZkpi } from '../src/zkpi.js';
import { roots as parseRoots, inclusionProof } from '../src/models.js';
import { checkInclusion } from '../src/inclusion.js';
import { verifyBatch, type BatchItem } from '../src/rangeproof.js';
import { identifierProblem } from '../src/identifiers.js';
import { formatUnits, parseAmount } from '../src/amounts.js';
import { normalizeDigest } from '../src/manifest.js';
import { pointFromBytes } from '../src/group.js';
import { cases } from './vectors.js';

test('strict JSON refuses what Python zkpor refuses', () => {
  const bad = [
    '{"a":1,"a":2}', '{"a":1.0}', '{"a":1e3}', '{"a":-0}', '{"a":01}', '{"a":NaN}', '{"a":Infinity}',
    '[1]', '"x"', '{"a":1} x', '{"a":1', '{"a":"\u0001"}', '{"a":123456789012345678901}', "{'a':1}", '{"a":tru}',
  ];
  for (const text of bad) assert.throws(() => parseStrictJson(utf8(text)), InputError, text);
  assert.throws(() => parseStrictJson(Uint8Array.of(0xef, 0xbb, 0xbf, ...utf8('{}'))), /byte-order mark/);
  assert.throws(() => parseStrictJson(Uint8Array.of(0x7b, 0xff, 0x7d)), /not UTF-8/);
  const ok = parseStrictJson(utf8(' {"b":[1,-2,{"c":null}],"a":"\\u00e9\\n/","big":18446744073709551615}\n'));
  assert.equal(ok.big, 18446744073709551615n);
  assert.equal(canonicalJson(ok), '{"a":"é\\n/","b":[1,-2,{"c":null}],"big":18446744073709551615}');
  assert.equal(canonicalJson(parseStrictJson(utf8('{"x":"\\u007f\\u001f\\b"}'))), '{"x":"\u007f\\u001f\\b"}');
});

function firstValidInclusion() {
  const c = cases('inclusion.json').find(({ t }) => t.result === 'valid' && t.inclusion.assets.length > 1)!.t;
  return { roots: parseRoots(c.roots), bin: hexToBytes(c.binary) };
}

function verifyBinary(bin: Uint8Array, roots: ReturnType<typeof parseRoots>): void {
  const p = decodeZkpi(bin);
  const batch: BatchItem[] = [];
  checkInclusion(p, roots.assets, roots.round_id, roots.arity, batch);
  verifyBatch(batch);
}

test('.zkpi: truncated, extended, bad magic or version refused', () => {
  const { roots, bin } = firstValidInclusion();
  verifyBinary(bin, roots);
  for (const cut of [0, 3, 4, 5, 40, bin.length - 1]) assert.throws(() => decodeZkpi(bin.subarray(0, cut)), InputError, `cut ${cut}`);
  assert.throws(() => decodeZkpi(Uint8Array.of(...bin, 0)), /trailing/);
  const badMagic = bin.slice();
  badMagic[0] ^= 1;
  assert.throws(() => decodeZkpi(badMagic), InputError);
  const badVersion = bin.slice();
  for (const v of [0, 5, 255]) {
    badVersion[4] = v;
    assert.throws(() => decodeZkpi(badVersion), /: unsupported binary inclusion proof version/);
  }
  for (const v of [1, 2, 3]) {
    badVersion[4] = v; // the versions before margin tags, refused by name
    assert.throws(() => decodeZkpi(badVersion), /: binary inclusion proof version \d is from before leaf margin tags/);
  }
  const badFlags = bin.slice();
  badFlags[5] = 2; // flag bit 1 needs its debt section (spec 8.1a, 16.8)
  assert.throws(() => decodeZkpi(badFlags), /truncated in debt count/);
  assert.throws(() => decodeZkpi(Uint8Array.of(...badFlags, 0)), /at least one debt/);
  badFlags[5] = 4;
  assert.throws(() => decodeZkpi(badFlags), /: unknown flags 0x04/);
});

test('.zkpi: any of 60 single-byte changes spread over a valid proof is refused', () => {
  const { roots, bin } = firstValidInclusion();
  for (let k = 0; k < 60; k++) {
    const i = Math.floor(((k + 0.5) * bin.length) / 60);
    const t = bin.slice();
    t[i] ^= 0x01 << (k % 8);
    assert.throws(() => verifyBinary(t, roots), (e: unknown) => e instanceof InputError || e instanceof VerificationError, `byte ${i}`);
  }
});

test('JSON proof: reordered path steps and swapped children refused', () => {
  const c = cases('inclusion.json').find(({ t }) => t.result === 'valid' && t.inclusion.assets[0].path.length > 1)!.t;
  const roots = parseRoots(c.roots);
  const run = (v: unknown) => {
    const batch: BatchItem[] = [];
    checkInclusion(inclusionProof(parseStrictJson(utf8(JSON.stringify(v)))), roots.assets, roots.round_id, roots.arity, batch);
    verifyBatch(batch);
  };
  run(c.inclusion);
  const reordered = structuredClone(c.inclusion);
  reordered.assets[0].path.reverse();
  assert.throws(() => run(reordered), VerificationError);
  const swapped = structuredClone(c.inclusion);
  const kids = swapped.assets[0].path[0].children;
  if (kids.length > 1) {
    [kids[0], kids[1]] = [kids[1], kids[0]];
    assert.throws(() => run(swapped), VerificationError);
  }
  const asString = structuredClone(c.inclusion);
  asString.arity = String(asString.arity);
  assert.throws(() => run(asString), InputError);
});

test('identifiers: controls, bidi, zero-width, separators, non-NFC refused', () => {
  for (const s of ['a\u0000', 'a\u001b[31m', 'a\u202e', 'a\u200b', 'a\u2028', 'a\u2029', 'e\u0301', '', '\u007f'])
    assert.notEqual(identifierProblem(s), null, JSON.stringify(s));
  assert.equal(identifierProblem('Example Exchange'), null);
  assert.equal(identifierProblem('é'), null);
  assert.notEqual(identifierProblem('x'.repeat(65), 64), null);
});

test('amounts: exact, no sign, exponent or extra decimals', () => {
  assert.equal(parseAmount('1.5', 8), 150000000n);
  assert.equal(parseAmount('1.50000000', 8), 150000000n);
  for (const s of ['-1', '1e3', '1.', '.5', '1.123456789', ' 1', '0x10', '18446744073709551616'])
    assert.throws(() => parseAmount(s, 8 + (s.startsWith('1844') ? -8 : 0)), Error, s);
  assert.equal(formatUnits(150000000n, 8), '1.5');
  assert.equal(formatUnits(0n, 8), '0.0');
  assert.equal(formatUnits(1200000000n, 8), '12.0');
  assert.equal(formatUnits(7n, 0), '7');
});

test('digest: 64 hex digits, case-insensitive, otherwise refused', () => {
  assert.equal(normalizeDigest(' ' + 'AB'.repeat(32) + '\n'), 'ab'.repeat(32));
  for (const s of ['', 'ab'.repeat(31), 'ab'.repeat(33), 'zz'.repeat(32)]) assert.throws(() => normalizeDigest(s), InputError); // a typo, not a failed check
});

test('points: every non-canonical 33-byte form refused', () => {
  const G = hexToBytes('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
  pointFromBytes(G);
  const pHex = 'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f';
  for (const b of [
    new Uint8Array(33), Uint8Array.of(0, ...new Uint8Array(31), 1), Uint8Array.of(4, ...G.subarray(1)),
    Uint8Array.of(2, ...hexToBytes(pHex)), G.subarray(0, 32), Uint8Array.of(...G, 0),
    Uint8Array.of(2, ...hexToBytes('0000000000000000000000000000000000000000000000000000000000000005')),
  ]) assert.throws(() => pointFromBytes(b), Error);
  assert.ok(pointFromBytes(new Uint8Array(33), true).is0());
});

test('reserves: chain confusion, duplicates, bad signatures, variants named', async () => {
  const { verifyAssetReserves, ownershipMessage } = await import('../src/reserves/check.js');
  const m = cases('manifest.json').find(({ t }) => t.result === 'valid' && t.check_signatures)!.t.manifest;
  const btc = m.assets.BTC.reserves.addresses;
  const eth = m.assets.ETH.reserves.addresses;
  const args = (a: any[], chain: string, sym: string) => [sym, chain, a, m.exchange, m.round_id, m.assets[sym].decimals] as const;
  assert.ok(verifyAssetReserves(...args(btc, 'bitcoin', 'BTC')) > 0n);
  assert.ok(verifyAssetReserves(...args(eth, 'ethereum', 'ETH')) > 0n);
  assert.throws(() => verifyAssetReserves(...args(btc, 'bitcoin-testnet', 'BTC')), /cannot hold reserves on chain bitcoin-testnet/);
  assert.throws(() => verifyAssetReserves(...args(btc, 'ethereum', 'BTC')), /a bitcoin address cannot hold reserves on chain ethereum/);
  assert.throws(() => verifyAssetReserves(...args(eth, 'bitcoin', 'ETH')), /an Ethereum address cannot hold reserves/);
  assert.throws(() => verifyAssetReserves(...args([...eth, { ...eth[0], address: eth[0].address.toLowerCase() }], 'ethereum', 'ETH')), /duplicate address/);
  assert.throws(() => verifyAssetReserves('BTC', 'bitcoin', btc, m.exchange, 'another-round', 8), /was not made by this address's key/);
  assert.throws(() => verifyAssetReserves(...args([{ ...btc[0], signature: btc[1].signature }], 'bitcoin', 'BTC')), /./);
  const mixed = btc.map((a: any) => (a.address.startsWith('bc1') ? { ...a, address: a.address.slice(0, 6) + a.address.slice(6).toUpperCase() } : a));
  assert.throws(() => verifyAssetReserves(...args(mixed, 'bitcoin', 'BTC')), /mixed-case bech32/);
  assert.throws(() => verifyAssetReserves(...args([{ ...btc[0], balance: '1.123456789' }], 'bitcoin', 'BTC')), /decimals/);
  assert.equal(ownershipMessage('E', 'R', 'A'), 'zkpor proof of reserves\nexchange: E\nround: R\naddress: A');
});
