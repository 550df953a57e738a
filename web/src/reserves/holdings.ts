/**
 * The rules across the assets of one manifest (docs/spec.md 10.5, "Across assets" and "Known
 * token contracts"; 12.4 step 4), as zkpor/reserves/holdings.py states them:
 *
 * - one holding backs one asset: a holding is (chain, the native coin or one token contract in
 *   lower case, the address's key of 10.5's duplicate rule); two assets whose chain ids are
 *   equal, or either absent (any network), must not list one holding;
 * - a known symbol names its known contract: an asset on chain `ethereum` whose symbol is in
 *   zkpor's table for its chain id (1 when absent) must name exactly that contract. A
 *   contract the table cannot vouch for is accepted and listed as not checked.
 *
 * The table is zkpor's own package data, zkpor/reserves/known_tokens.json, bundled at build
 * time (one source of truth for both verifiers). Neither rule needs a signature.
 */
import { shown } from '../identifiers.js';
import type { Manifest } from '../models.js';
import { addressKey } from './check.js';
import knownTokensFile from '../../../zkpor/reserves/known_tokens.json';

/** The chain id an Ethereum asset without `chain_id` is read as by `tokenProblems`. */
export const MAINNET = 1;

export type KnownToken = { symbol: string; contract: string; source: string };
export type KnownChain = { name: string; tokens: Map<string, KnownToken> };

/** chain id -> (network name, symbol -> known token), from a `zkpor-known-tokens-v1` table. */
export function readKnownTokens(raw: unknown): Map<number, KnownChain> {
  const file = raw as { format?: unknown; chains?: Record<string, { name: string; tokens: Record<string, { contract: string; source: string }> }> };
  if (file.format !== 'zkpor-known-tokens-v1' || typeof file.chains !== 'object' || file.chains === null)
    throw new Error('known_tokens.json: unknown format');
  const out = new Map<number, KnownChain>();
  for (const [id, chain] of Object.entries(file.chains)) {
    const tokens = new Map<string, KnownToken>();
    for (const [sym, t] of Object.entries(chain.tokens)) tokens.set(sym, { symbol: sym, contract: String(t.contract), source: String(t.source) });
    out.set(Number(id), { name: String(chain.name), tokens });
  }
  return out;
}

let table: Map<number, KnownChain> | null = null;

/** zkpor's table of known token contracts (zkpor/reserves/known_tokens.json). */
export function knownTokens(): Map<number, KnownChain> {
  table ??= readKnownTokens(knownTokensFile);
  return table;
}

/** The known contract of `symbol` on `chainId`, or null. */
export function knownToken(symbol: string, chainId: number): KnownToken | null {
  return knownTokens().get(chainId)?.tokens.get(symbol) ?? null;
}

/**
 * Whether `tokenContract` is the known contract of `symbol` on the stated `chainId` (never
 * without a chain id: the network would not be stated).
 */
export function isKnownContract(symbol: string, chain: string, chainId: number | null, tokenContract: string | null): boolean {
  if (chain !== 'ethereum' || chainId === null || tokenContract === null) return false;
  const known = knownToken(symbol, chainId);
  return known !== null && known.contract.toLowerCase() === tokenContract.toLowerCase();
}

/**
 * One asset's reserves as the rules across assets see them: `where` prefixes its own problems
 * (`manifest: asset STETH reserves`), `label` names it in another asset's problem.
 */
export type Claim = {
  asset: string; where: string; label: string; chain: string; tokenContract: string | null; chainId: number | null;
  addresses: ReadonlyArray<{ address: string }>;
};

/** The claims of every asset of a manifest, in manifest order. */
export function manifestClaims(m: Manifest, source = 'manifest'): Claim[] {
  return [...m.assets].map(([sym, e]) => ({
    asset: sym, where: `${source}: asset ${sym} reserves`, label: `asset ${sym} reserves`, chain: e.reserves.chain,
    tokenContract: e.reserves.token_contract ?? null, chainId: e.reserves.chain_id ?? null, addresses: e.reserves.addresses,
  }));
}

const at = (where: string, i: number, address: string): string => `${where}.addresses[${i}] ${shown(address, 100)}`;

function holdingText(c: Claim): string {
  if (c.tokenContract !== null) return `token ${c.tokenContract}`;
  return c.chain === 'ethereum' ? 'ether' : `coins on chain ${c.chain}`;
}

/** Whether two chain ids may name one network: equal, or either absent (any network). */
const sameNetwork = (a: number | null, b: number | null): boolean => a === null || b === null || a === b;

/**
 * One line per address whose holding an earlier asset already claims, naming the first such
 * claim on the same network. Duplicates within one asset are the per-asset check's.
 */
export function crossAssetProblems(claims: Iterable<Claim>): string[] {
  const problems: string[] = [];
  const seen = new Map<string, Array<{ claim: Claim; index: number; address: string }>>();
  for (const claim of claims) {
    const holding = claim.tokenContract === null ? 'native' : claim.tokenContract.toLowerCase();
    const mine = new Set<string>();
    claim.addresses.forEach(({ address }, i) => {
      // JSON of the triple: no separator a chain, contract or address could forge
      const key = JSON.stringify([claim.chain, holding, addressKey(claim.chain, address)]);
      if (mine.has(key)) return;
      mine.add(key);
      const earlier = seen.get(key) ?? [];
      const other = earlier.find((o) => sameNetwork(claim.chainId, o.claim.chainId));
      if (other)
        problems.push(`${at(claim.where, i, address)}: already claimed by ${at(other.claim.label, other.index, other.address)}: ` +
          `one address's ${holdingText(claim)} can back one asset only`);
      earlier.push({ claim, index: i, address });
      seen.set(key, earlier);
    });
  }
  return problems;
}

function network(chainId: number): string {
  const chain = knownTokens().get(chainId);
  return chain === undefined ? `chain id ${chainId}` : `${chain.name} (chain id ${chainId})`;
}

/**
 * One line per Ethereum asset whose symbol is a known token of its chain id (1 when absent)
 * but which names another contract, or none (its balances would be ether).
 */
export function tokenProblems(claims: Iterable<Claim>): string[] {
  const problems: string[] = [];
  for (const c of claims) {
    if (c.chain !== 'ethereum') continue;
    const chainId = c.chainId ?? MAINNET;
    const known = knownToken(c.asset, chainId);
    if (known === null) continue;
    const given = c.tokenContract;
    if (given !== null && given.toLowerCase() === known.contract.toLowerCase()) continue;
    const readAs = c.chainId !== null ? '' : ' (no chain_id: read as chain id 1)';
    const sym = c.asset;
    problems.push(given === null
      ? `${c.where}: no token contract, so its balances are ether, but ${sym} on ${network(chainId)} is the token ${known.contract}${readAs}`
      : `${c.where}: token contract ${given} is not ${sym}: ${sym} on ${network(chainId)} is ${known.contract}${readAs}`);
  }
  return problems;
}

/** The "not checked" line of each token contract the table cannot vouch for. */
export function unknownTokenNotes(claims: Iterable<Claim>): string[] {
  const notes: string[] = [];
  for (const c of claims) {
    const contract = c.tokenContract;
    if (c.chain !== 'ethereum' || contract === null) continue;
    if (isKnownContract(c.asset, c.chain, c.chainId, contract)) continue;
    const reason = c.chainId === null
      ? 'no chain_id, so the network is not stated'
      : !knownTokens().has(c.chainId)
        ? `no table of known contracts for chain id ${c.chainId}`
        : `${c.asset} is not in the table of known contracts`;
    notes.push(`${c.asset}: token contract ${contract} is not a known contract for ${c.asset}: check it yourself (${reason})`);
  }
  return notes;
}
