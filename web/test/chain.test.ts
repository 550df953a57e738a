/**
 * Issue 16 on the page: the token fields of a manifest asset's reserves (10.1, 12.2) and
 * BIP-322 ownership signatures routed by address (10.9), through the manifest checks; a
 * signature the page cannot evaluate is listed as not checked, never passed or failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base64, bech32m } from '@scure/base';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex, concat, hexToBytes, utf8 } from '../src/bytes.js';
import { spendItems } from '../src/reserves/bip322.js';
import { InputError, VerificationError } from '../src/errors.js';
import { parseStrictJson, type Json } from '../src/json.js';
import { manifest as parseManifest } from '../src/models.js';
import { canonicalManifest, checkManifest } from '../src/manifest.js';
import { addressKey, diagnoseSignature, verifyAssetReserves } from '../src/reserves/check.js';
import { toChecksumAddress } from '../src/reserves/ethereum.js';
import { cases } from './vectors.js';

const strict = (v: unknown): Json => parseStrictJson(utf8(JSON.stringify(v)));
const byFlag = (flag: string) => cases('manifest.json').find(({ t }) => t.result === 'valid' && t.flags.includes(flag))!.t;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const oracle = JSON.parse(readFileSync(join(process.cwd(), 'test', 'bip322-oracle.json'), 'utf8')).cases as Array<Record<string, string>>;

test('token fields: parsed, shown, in the canonical JSON only when given; every bad form refused', () => {
  const t = byFlag('TokenContract');
  const m = parseManifest(strict(t.manifest));
  const eth = m.assets.get('ETH')!.reserves;
  assert.equal(eth.token_contract, '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2');
  assert.equal(eth.chain_id, 1);
  assert.ok(canonicalManifest(m).includes('"chain_id":1,') && canonicalManifest(m).includes('"token_contract":"0xC02a'));
  const mc = checkManifest(m, null, true, [], []);
  const shown = mc.assets.find((a) => a.asset === 'ETH')!;
  assert.deepEqual([shown.tokenContract, shown.chainId], ['0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2', 1]);
  assert.deepEqual([mc.assets.find((a) => a.asset === 'BTC')!.tokenContract, mc.assets.find((a) => a.asset === 'BTC')!.chainId], [null, null]);
  // null means absent: the same canonical JSON as without the fields
  const nulls = clone(byFlag('SignaturesChecked').manifest);
  nulls.assets.ETH.reserves.token_contract = null;
  nulls.assets.ETH.reserves.chain_id = null;
  assert.equal(canonicalManifest(parseManifest(strict(nulls))), canonicalManifest(parseManifest(strict(byFlag('SignaturesChecked').manifest))));
  const bad: Array<[(r: any, all: any) => void, RegExp]> = [
    [(r) => (r.token_contract = r.token_contract.toLowerCase()), /not in EIP-55 checksum form \(expected 0xC02aaA39/],
    [(r) => (r.token_contract = '0x' + r.token_contract.slice(2).toUpperCase()), /not in EIP-55 checksum form/],
    [(r) => (r.token_contract = r.token_contract.slice(0, -1)), /not 0x and 40 hex digits/],
    [(r) => (r.token_contract = 'C02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2ab'), /not 0x and 40 hex digits/],
    [(r) => (r.token_contract = 1), /expected a string/],
    [(r) => (r.chain_id = 0), /outside 1\.\./],
    [(r) => (r.chain_id = 2 ** 53), /outside 1\.\.|too large/],
    [(r) => (r.chain_id = '1'), /expected an integer/],
    [(r) => (r.chain_id = 1.5), /./],
    [(_r, all) => (all.assets.BTC.reserves.token_contract = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2'), /token_contract is for chain ethereum, not bitcoin/],
    [(_r, all) => (all.assets.BTC.reserves.chain_id = 1), /chain_id is for chain ethereum, not bitcoin/],
    [(r) => (r.token = 'x'), /unknown field/],
  ];
  for (const [edit, re] of bad) {
    const v = clone(t.manifest);
    edit(v.assets.ETH.reserves, v);
    assert.throws(() => parseManifest(strict(v)), (e: Error) => e instanceof InputError && re.test(e.message), re.source);
  }
  assert.equal(toChecksumAddress('0xdac17f958d2ee523a2206206994597c13d831ec7'), '0xdAC17F958D2ee523a2206206994597C13D831ec7');
});

test('BIP-322 in the manifest: a P2TR address is checked, keyed by its text, refused when tampered', () => {
  const t = byFlag('Bip322');
  const m = parseManifest(strict(t.manifest));
  const btc = m.assets.get('BTC')!;
  const found = btc.reserves.addresses.find((a) => a.address.startsWith('bc1p'))!;
  const p2tr = { ...found, signature: found.signature! };
  assert.ok(p2tr.signature.length > 0);
  const args = [m.exchange, m.round_id, btc.decimals] as const;
  const unchecked: string[] = [];
  assert.ok(verifyAssetReserves('BTC', 'bitcoin', btc.reserves.addresses, ...args, unchecked) > 0n);
  assert.deepEqual(unchecked, []);
  assert.equal(diagnoseSignature('bitcoin', p2tr.address, p2tr.signature, m.exchange, m.round_id), 'expected');
  assert.equal(diagnoseSignature('bitcoin', p2tr.address, p2tr.signature, m.exchange, 'another-round'), null);
  assert.equal(addressKey('bitcoin', p2tr.address.toUpperCase()), 'segwit:' + p2tr.address);
  const upper = [...btc.reserves.addresses, { ...p2tr, address: p2tr.address.toUpperCase(), balance: '0' }];
  assert.throws(() => verifyAssetReserves('BTC', 'bitcoin', upper, ...args), /duplicate address/);
  const raw = Buffer.from(p2tr.signature.replace(/^smp/, ''), 'base64');
  raw[10] ^= 1;
  const flipped = [{ ...p2tr, signature: 'smp' + raw.toString('base64') }];
  assert.throws(() => verifyAssetReserves('BTC', 'bitcoin', flipped, ...args), /was not made by this address's key over the expected message/);
  assert.throws(() => verifyAssetReserves('BTC', 'bitcoin', [{ ...p2tr, signature: 'pof' + raw.toString('base64') }], ...args), /proof-of-funds/);
  assert.throws(() => verifyAssetReserves('BTC', 'bitcoin-testnet', [p2tr], ...args), /a bitcoin address cannot hold reserves on chain bitcoin-testnet/);
  assert.throws(() => verifyAssetReserves('ETH', 'ethereum', [p2tr], ...args), /a bitcoin address cannot hold reserves on chain ethereum/);
  // the whole manifest, signatures checked; a flipped signature fails it
  assert.deepEqual(checkManifest(m, t.digest, true, [], []).unchecked, []);
  const v = clone(t.manifest);
  v.assets.BTC.reserves.addresses.find((a: any) => a.address === p2tr.address).signature = flipped[0].signature;
  assert.throws(() => checkManifest(parseManifest(strict(v)), null, true, [], []), VerificationError);
});

/** A Taproot address committing to `script` as its only leaf with leaf version `version`, and the control block. */
function taprootLeaf(internal: Uint8Array, script: Uint8Array, version: number): { address: string; control: Uint8Array } {
  const tagged = (tag: string, ...m: Uint8Array[]) => schnorr.utils.taggedHash(tag, ...m);
  const leaf = tagged('TapLeaf', Uint8Array.of(version), Uint8Array.of(script.length), script);
  const tweak = BigInt('0x' + bytesToHex(tagged('TapTweak', internal, leaf)));
  const q = schnorr.utils.lift_x(BigInt('0x' + bytesToHex(internal))).add(secp256k1.Point.BASE.multiply(tweak)).toAffine();
  const qx = hexToBytes(q.x.toString(16).padStart(64, '0'));
  return { address: bech32m.encode('bc', [1, ...bech32m.toWords(qx)]), control: Uint8Array.of(version | Number(q.y & 1n), ...internal) };
}

test('a BIP-322 signature the page cannot evaluate is listed as not checked, not passed, not failed', () => {
  // zkpor's standard-script rule lets a standard tapscript under another leaf version through
  const valid = cases('multisig.json').find(({ t }) => t.comment === 'Taproot script path 2-of-3, simple')!.t;
  const w = spendItems(valid.signature)!.witness;
  const { address, control } = taprootLeaf(w[w.length - 1].subarray(1, 33), w[w.length - 2], 0xc2);
  const items = [...w.slice(0, -1), control];
  const signature = 'smp' + base64.encode(concat(Uint8Array.of(items.length), ...items.map((x) => concat(Uint8Array.of(x.length), x))));
  const unchecked: string[] = [];
  const entry = { address, balance: '1', signature };
  assert.equal(verifyAssetReserves('BTC', 'bitcoin', [entry], 'E', 'R', 8, unchecked), 100000000n);
  assert.equal(unchecked.length, 1);
  assert.match(unchecked[0], /^asset BTC reserves\.addresses\[0\] bc1p.*: a Taproot leaf version other than 0xc0/);
  // an OP_TRUE witness script (bip322-core: valid) is refused as zkpor refuses it
  const c = oracle.find((x) => x.what.startsWith('P2WSH, a script this page does not evaluate'))!;
  assert.equal(c.verdict, 'valid');
  assert.throws(() => verifyAssetReserves('BTC', 'bitcoin', [{ address: c.address, balance: '1', signature: c.signature }], 'E', 'R', 8, unchecked),
    /signature: the script this signature spends with is not a standard m-of-n: /);
  assert.equal(unchecked.length, 1);
  // its witness script not the address's: refused, whatever the script
  const other = oracle.find((x) => x.what === 'P2WSH 2-of-3, keys 0 and 1')!;
  assert.throws(() => verifyAssetReserves('BTC', 'bitcoin', [{ address: c.address, balance: '1', signature: other.signature }], 'E', 'R', 8, unchecked),
    /was not made by this address's key/);
  assert.equal(unchecked.length, 1);
  // a multisig address signs zkpor's ownership message, checked here in full
  const ms = oracle.find((x) => x.what === 'P2WSH 2-of-3, keys 0 and 2')!;
  const [, exchange, round] = /exchange: (.*)\nround: (.*)\n/.exec(ms.message)!;
  assert.equal(verifyAssetReserves('BTC', 'bitcoin', [{ address: ms.address, balance: '2', signature: ms.signature }], exchange, round, 8), 200000000n);
  assert.throws(() => verifyAssetReserves('BTC', 'bitcoin', [{ address: ms.address, balance: '2', signature: ms.signature }], exchange, 'R2', 8),
    /was not made by this address's key/);
});
