/**
 * Issue 21 items 3 and 4 on the page (docs/spec.md 10.5, "Across assets" and "Known token
 * contracts"; 12.4 step 4): one holding backs one asset, a known token symbol names its known
 * contract, and the "not checked" line of a contract the table cannot vouch for; each text
 * as zkpor/reserves/holdings.py writes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { utf8 } from '../src/bytes.js';
import { VerificationError } from '../src/errors.js';
import { parseStrictJson, type Json } from '../src/json.js';
import { manifest as parseManifest } from '../src/models.js';
import { checkManifest } from '../src/manifest.js';
import { toChecksumAddress } from '../src/reserves/ethereum.js';
import {
  crossAssetProblems, isKnownContract, knownToken, knownTokens, readKnownTokens, tokenProblems, unknownTokenNotes, type Claim,
} from '../src/reserves/holdings.js';
import { cases } from './vectors.js';

const strict = (v: unknown): Json => parseStrictJson(utf8(JSON.stringify(v)));
const byComment = (start: string) => {
  const found = cases('manifest.json').filter(({ t }) => t.comment.startsWith(start));
  assert.equal(found.length, 1, `one manifest.json case whose comment starts with ${start}`);
  return found[0].t;
};

const USDT = '0xdAC17F958D2ee523a2206206994597C13D831ec7';
const A = '0x259e4E85e16f1FbfdE84A8E08bE55bB28ABeF8ed';
const B = '0x2EA7E02ab8c8A07d949a145C6970c35497695DE1';
function claim(asset: string, addresses: string[], o: Partial<Claim> = {}): Claim {
  return {
    asset, where: `manifest: asset ${asset} reserves`, label: `asset ${asset} reserves`, chain: 'ethereum', tokenContract: null, chainId: 1,
    addresses: addresses.map((address) => ({ address })), ...o,
  };
}

test('known tokens: the bundled table is zkpor/reserves/known_tokens.json, every contract in EIP-55 form', () => {
  const file = JSON.parse(readFileSync(join(process.cwd(), '..', 'zkpor', 'reserves', 'known_tokens.json'), 'utf8'));
  assert.deepEqual(knownTokens(), readKnownTokens(file));
  const mainnet = knownTokens().get(1)!;
  assert.equal(mainnet.name, 'Ethereum mainnet');
  assert.deepEqual([...mainnet.tokens.keys()].sort(), ['DAI', 'LINK', 'PEPE', 'SHIB', 'UNI', 'USDC', 'USDT', 'WBTC', 'WETH']);
  for (const [, chain] of knownTokens())
    for (const [sym, t] of chain.tokens) {
      assert.equal(t.symbol, sym);
      assert.equal(toChecksumAddress(t.contract.toLowerCase()), t.contract, `${sym} in EIP-55 form`);
      assert.ok(t.source.startsWith('https://'), `${sym} names its source`);
    }
  assert.equal(knownToken('USDT', 1)!.contract, USDT);
  assert.equal(knownToken('USDT', 10), null);
  assert.equal(knownToken('usdt', 1), null, 'symbols are compared exactly');
  assert.throws(() => readKnownTokens({ ...file, format: 'zkpor-known-tokens-v2' }), /unknown format/);
});

test('across assets: one holding backs one asset, absent chain id matching every chain id', () => {
  const dup = (asset: string, i: number, other: string, j: number, addr: string, addr2 = addr, what = 'ether') =>
    `manifest: asset ${asset} reserves.addresses[${i}] ${addr}: already claimed by asset ${other} reserves.addresses[${j}] ${addr2}: one address's ${what} can back one asset only`;
  // allowed: ether and a token at one address; one contract at two addresses; ether on chain ids 1 and 10
  assert.deepEqual(crossAssetProblems([claim('ETH', [A]), claim('USDT', [A], { tokenContract: USDT })]), []);
  assert.deepEqual(crossAssetProblems([claim('USDT', [A], { tokenContract: USDT }), claim('USDT2', [B], { tokenContract: USDT })]), []);
  assert.deepEqual(crossAssetProblems([claim('ETH', [A]), claim('OPETH', [A], { chainId: 10 })]), []);
  // refused: equal chain ids, either absent, both absent; addresses and contracts in any case
  assert.deepEqual(crossAssetProblems([claim('ETH', [B, A]), claim('STETH', [A.toLowerCase()])]), [dup('STETH', 0, 'ETH', 1, A.toLowerCase(), A)]);
  assert.deepEqual(crossAssetProblems([claim('ETH', [A]), claim('OPETH', [A], { chainId: null })]), [dup('OPETH', 0, 'ETH', 0, A)]);
  assert.deepEqual(crossAssetProblems([claim('ETH', [A], { chainId: null }), claim('OPETH', [A], { chainId: 10 })]), [dup('OPETH', 0, 'ETH', 0, A)]);
  assert.deepEqual(crossAssetProblems([claim('ETH', [A], { chainId: null }), claim('X', [A], { chainId: null })]), [dup('X', 0, 'ETH', 0, A)]);
  assert.deepEqual(crossAssetProblems([claim('USDT', [A], { tokenContract: USDT }), claim('USDT2', [A], { tokenContract: USDT.toLowerCase() })]),
    [dup('USDT2', 0, 'USDT', 0, A, A, `token ${USDT.toLowerCase()}`)]);
  // the first earlier claim on the same network is named; each address once; duplicates within an asset are the per-asset check's
  assert.deepEqual(crossAssetProblems([claim('OPETH', [A], { chainId: 10 }), claim('ETH', [A, A]), claim('STETH', [A, A])]),
    [dup('STETH', 0, 'ETH', 0, A)]);
  assert.deepEqual(crossAssetProblems([claim('ETH', [A]), claim('STETH', [A]), claim('WSTETH', [A])]),
    [dup('STETH', 0, 'ETH', 0, A), dup('WSTETH', 0, 'ETH', 0, A)]);
  // Bitcoin: by decoded type and hash (bech32 in either case is one address); two chains are two holdings
  const p2wpkh = 'bc1qdtz337969qlmqpe785znvx3684e6x46ad9we57';
  const btc = (asset: string, addrs: string[], chain = 'bitcoin') => claim(asset, addrs, { chain, chainId: null });
  assert.deepEqual(crossAssetProblems([btc('BTC', [p2wpkh]), btc('XBT', [p2wpkh.toUpperCase()])]),
    [dup('XBT', 0, 'BTC', 0, p2wpkh.toUpperCase(), p2wpkh, 'coins on chain bitcoin')]);
  assert.deepEqual(crossAssetProblems([btc('BTC', [p2wpkh]), claim('ETH', [p2wpkh], { chainId: null })]), []);
  // an address shown escaped, at most 100 characters, as in the per-asset problems
  assert.deepEqual(crossAssetProblems([claim('ETH', ['x\ny']), claim('STETH', ['x\ny'])]), [dup('STETH', 0, 'ETH', 0, 'x\\x0ay')]);
});

test('known token contracts: a listed symbol names its contract (chain id 1 when absent)', () => {
  const evil = '0x5e5E5e5e5E5e5E5E5e5E5E5e5e5E5E5E5e5E5E5e';
  assert.deepEqual(tokenProblems([claim('USDT', [A], { tokenContract: USDT }), claim('USDT', [A], { tokenContract: USDT.toLowerCase() })]), []);
  assert.deepEqual(tokenProblems([claim('USDT', [A], { tokenContract: evil })]),
    [`manifest: asset USDT reserves: token contract ${evil} is not USDT: USDT on Ethereum mainnet (chain id 1) is ${USDT}`]);
  assert.deepEqual(tokenProblems([claim('USDT', [A], { tokenContract: evil, chainId: null })]),
    [`manifest: asset USDT reserves: token contract ${evil} is not USDT: USDT on Ethereum mainnet (chain id 1) is ${USDT} (no chain_id: read as chain id 1)`]);
  assert.deepEqual(tokenProblems([claim('USDT', [A])]),
    [`manifest: asset USDT reserves: no token contract, so its balances are ether, but USDT on Ethereum mainnet (chain id 1) is the token ${USDT}`]);
  // not listed for that chain id, or not on chain ethereum, or another symbol: not this rule's
  assert.deepEqual(tokenProblems([claim('USDT', [A], { tokenContract: evil, chainId: 10 }), claim('USDT', [A], { chainId: 1337 }),
    claim('USDT', ['bc1qdtz337969qlmqpe785znvx3684e6x46ad9we57'], { chain: 'bitcoin', chainId: null }),
    claim('USDT-ERC20', [A], { tokenContract: evil })]), []);
});

test('known token contracts: a contract the table cannot vouch for is listed as not checked', () => {
  const evil = '0x5e5E5e5e5E5e5E5E5e5E5E5e5e5E5E5E5e5E5E5e';
  const note = (sym: string, c: string, reason: string) => `${sym}: token contract ${c} is not a known contract for ${sym}: check it yourself (${reason})`;
  assert.deepEqual(unknownTokenNotes([
    claim('USDT', [A], { tokenContract: USDT }), // known: no note
    claim('ETH', [A]), // ether: no note
    claim('USDT', [A], { tokenContract: USDT, chainId: null }),
    claim('USDT', [A], { tokenContract: evil, chainId: 1337 }),
    claim('XYZ', [A], { tokenContract: evil }),
  ]), [
    note('USDT', USDT, 'no chain_id, so the network is not stated'),
    note('USDT', evil, 'no table of known contracts for chain id 1337'),
    note('XYZ', evil, 'XYZ is not in the table of known contracts'),
  ]);
  assert.equal(isKnownContract('USDT', 'ethereum', 1, USDT.toLowerCase()), true);
  assert.equal(isKnownContract('USDT', 'ethereum', null, USDT), false);
  assert.equal(isKnownContract('USDT', 'ethereum', 10, USDT), false);
  assert.equal(isKnownContract('USDT', 'bitcoin', 1, USDT), false);
});

test('manifest checks: the vectors refused with holdings.py\'s text, with or without signatures; known and not-known contracts reported', () => {
  const want: Array<[string, string]> = [
    ['across assets: ETH\'s signed address listed unchanged by a second native asset STETH',
      'manifest: asset STETH reserves.addresses[0] 0x259e4E85e16f1FbfdE84A8E08bE55bB28ABeF8ed: already claimed by asset ETH reserves.addresses[0] 0x259e4E85e16f1FbfdE84A8E08bE55bB28ABeF8ed: one address\'s ether can back one asset only'],
    ['across assets: ETH on chain id 1 and OPETH without chain_id',
      'manifest: asset OPETH reserves.addresses[0] 0x259e4E85e16f1FbfdE84A8E08bE55bB28ABeF8ed: already claimed by asset ETH reserves.addresses[0] 0x259e4E85e16f1FbfdE84A8E08bE55bB28ABeF8ed: one address\'s ether can back one asset only'],
    ['across assets: USDT and USDT2 naming one token contract',
      'manifest: asset USDT2 reserves.addresses[0] 0x2EA7E02ab8c8A07d949a145C6970c35497695DE1: already claimed by asset USDT reserves.addresses[0] 0x2EA7E02ab8c8A07d949a145C6970c35497695DE1: one address\'s token 0xdAC17F958D2ee523a2206206994597C13D831ec7 can back one asset only'],
    ['across assets: BTC\'s P2WPKH address listed again',
      'manifest: asset XBT reserves.addresses[0] BC1QDTZ337969QLMQPE785ZNVX3684E6X46AD9WE57: already claimed by asset BTC reserves.addresses[2] bc1qdtz337969qlmqpe785znvx3684e6x46ad9we57: one address\'s coins on chain bitcoin can back one asset only'],
    ['across assets: USDT naming an exchange-deployed contract on chain id 1',
      'manifest: asset USDT reserves: token contract 0x5e5E5e5e5E5e5E5E5e5E5E5e5e5E5E5E5e5E5E5e is not USDT: USDT on Ethereum mainnet (chain id 1) is 0xdAC17F958D2ee523a2206206994597C13D831ec7'],
    ['across assets: USDT naming an exchange-deployed contract, no chain_id',
      'manifest: asset USDT reserves: token contract 0x5e5E5e5e5E5e5E5E5e5E5E5e5e5E5E5E5e5E5E5e is not USDT: USDT on Ethereum mainnet (chain id 1) is 0xdAC17F958D2ee523a2206206994597C13D831ec7 (no chain_id: read as chain id 1)'],
    ['across assets: USDT on chain id 1 with no token contract',
      'manifest: asset USDT reserves: no token contract, so its balances are ether, but USDT on Ethereum mainnet (chain id 1) is the token 0xdAC17F958D2ee523a2206206994597C13D831ec7'],
  ];
  for (const [comment, message] of want) {
    const m = parseManifest(strict(byComment(comment).manifest));
    for (const sigs of [true, false])
      assert.throws(() => checkManifest(m, null, sigs, [], []), (e: Error) => e instanceof VerificationError && e.message === message, `${comment} (signatures ${sigs})`);
  }
  const known = checkManifest(parseManifest(strict(byComment('across assets: ether (ETH) and USDT').manifest)), null, false, [], []);
  assert.deepEqual(known.assets.map((a) => [a.asset, a.tokenKnown]), [['BTC', false], ['ETH', false], ['USDT', true]]);
  assert.deepEqual(known.notKnownTokens, []);
  const weth = checkManifest(parseManifest(strict(byComment('ETH reserves held as an ERC-20 token').manifest)), null, false, [], []);
  assert.deepEqual(weth.notKnownTokens, [
    'ETH: token contract 0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2 is not a known contract for ETH: check it yourself (ETH is not in the table of known contracts)',
  ]);
  assert.equal(weth.assets.find((a) => a.asset === 'ETH')!.tokenKnown, false);
});
