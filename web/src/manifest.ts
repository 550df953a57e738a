/**
 * The manifest (docs/spec.md 12): its canonical JSON and digest (12.3), the statement
 * digest every solvency proof binds (zkpor/formats/manifest.py: SHA-256("zkpor-manifest-statement-v1"
 * || 0x00 || canonical JSON with every solvency proof replaced by "")), and the checks of
 * 12.4 for every asset, the rules across assets (10.5: one holding backs one asset, known token
 * contracts) and ownership signatures included; with margin (16.5, 16.6) the terms'
 * consistency and the solvency of equity minus debt. Range proofs go into a batch.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, concat, hexToBytes, utf8 } from './bytes.js';
import { InputError, VerificationError } from './errors.js';
import { G, N, mul, pointFromBytes, type Point } from './group.js';
import { H, generatorDigest } from './generators.js';
import { canonicalJson, type Json } from './json.js';
import { formatUnits, parseAmount } from './amounts.js';
import type { Manifest } from './models.js';
import type { BatchItem } from './rangeproof.js';
import { decodeSolvencyProof, parseMinRatio, solvencyItem } from './solvency.js';
import { levelSizes, SUPPORTED_ARITIES } from './sumtree.js';
import { verifyAssetReserves } from './reserves/check.js';
import { crossAssetProblems, isKnownContract, manifestClaims, tokenProblems, unknownTokenNotes } from './reserves/holdings.js';
import { marginTerms, type MarginTerms } from './margin.js';

export function canonicalManifest(m: Manifest): string {
  return canonicalJson(m.normalized);
}

export function manifestDigest(m: Manifest): string {
  return bytesToHex(sha256(utf8(canonicalManifest(m))));
}

export function statementDigest(m: Manifest): Uint8Array {
  const copy = JSON.parse(JSON.stringify(m.normalized, (_k, v) => (typeof v === 'bigint' ? { $big: v.toString() } : v)), (_k, v) =>
    v && typeof v === 'object' && '$big' in v ? BigInt(v.$big) : v) as { assets: Record<string, { solvency: { proof: string } }> };
  for (const a of Object.values(copy.assets)) a.solvency.proof = '';
  return sha256(concat(utf8('zkpor-manifest-statement-v1\x00'), utf8(canonicalJson(copy as unknown as Json))));
}

export function solvencyContext(statement: Uint8Array, asset: string): Uint8Array {
  return concat(statement, utf8(asset));
}

/** A pasted digest: trimmed, lower case, exactly 64 hex digits. */
export function normalizeDigest(text: string): string {
  const d = text.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(d)) throw new InputError('the published digest must be 64 hex digits (as the exchange published it)');
  return d;
}

/** `net`: the asset has a debt tree, so the solvency proof covers equity minus debt (16.5). */
export type AssetReserves = {
  asset: string; chain: string; blockHeight: string; blockHash: string | null; reserves: string; reservesUnits: bigint;
  minRatio: string; liabilities: string | null; addresses: { address: string; balance: string }[]; rootCommitment: Point;
  net: boolean; debt: string | null; tokenContract: string | null; chainId: number | null;
  /** `tokenContract` is the known contract of the symbol on its chain id (10.5, "Known token contracts"). */
  tokenKnown: boolean;
  /** The size of the anonymity set the private reserves are proven among (17.11); null without. */
  privateKeys: number | null;
};

/**
 * `unchecked`: the ownership signatures this page could not evaluate (never counted as checked);
 * `notKnownTokens`: the "not checked" line of each token contract zkpor's table cannot vouch for.
 */
export type ManifestCheck = {
  digest: string; digestMatched: boolean | null; assets: AssetReserves[]; terms: MarginTerms | null; unchecked: string[];
  notKnownTokens: string[];
};

/**
 * 12.4 steps 1-3 for every asset (range proofs set aside in `batch`, labelled in `labels`), step 4
 * (across assets, whatever `checkSignatures` says) and, with `checkSignatures`, step 5.
 * Raises VerificationError at the first failure (steps 4 and 5 list every problem).
 */
export function checkManifest(
  m: Manifest, expectedDigest: string | null, checkSignatures: boolean, batch: BatchItem[], labels: string[],
): ManifestCheck {
  const digest = manifestDigest(m);
  let matched: boolean | null = null;
  if (expectedDigest !== null) {
    const want = normalizeDigest(expectedDigest);
    if (want !== digest) throw new VerificationError(`manifest digest ${digest} differs from the published ${want}`);
    matched = true;
  }
  if (m.parameters.generator_digest !== bytesToHex(generatorDigest())) throw new VerificationError('manifest uses another generator set');
  if (!SUPPORTED_ARITIES.includes(m.parameters.arity)) throw new VerificationError(`unsupported arity ${m.parameters.arity}`);
  const statement = statementDigest(m);
  const terms = marginTerms(m.quote, m.assets); // prices, tiers and debt trees consistent
  const out: AssetReserves[] = [];
  for (const [sym, e] of m.assets) {
    const where = `asset ${sym}`;
    if (e.depth !== levelSizes(e.leaf_count, m.parameters.arity).length - 1) throw new VerificationError(`${where}: depth does not match the leaf count`);
    const res = e.reserves;
    let total = 0n;
    try {
      for (const a of res.addresses) total += parseAmount(a.balance, e.decimals);
    } catch (err) {
      throw new VerificationError(`${where}: reserves balance: ${(err as Error).message}`);
    }
    if (total.toString() !== res.total_units || formatUnits(total, e.decimals) !== res.total)
      throw new VerificationError(`${where}: reserves total is not the sum of the balances`);
    let p: bigint, q: bigint;
    try {
      ({ p, q } = parseMinRatio(e.solvency.min_ratio));
    } catch (err) {
      throw new VerificationError(`${where}: ${(err as Error).message}`);
    }
    let root: Point;
    let debtRoot: Point | null = null;
    try {
      root = pointFromBytes(hexToBytes(e.root_commitment));
    } catch (err) {
      throw new VerificationError(`${where}: root commitment: ${(err as Error).message}`);
    }
    if (e.debt) {
      try {
        debtRoot = pointFromBytes(hexToBytes(e.debt.root_commitment));
      } catch (err) {
        throw new VerificationError(`${where}: debt root commitment: ${(err as Error).message}`);
      }
      if (e.debt.depth !== levelSizes(e.debt.leaf_count, m.parameters.arity).length - 1)
        throw new VerificationError(`${where}: debt tree depth does not match its leaf count`);
    }
    if ((e.solvency.debt !== undefined) !== (e.debt !== undefined && e.solvency.liabilities !== null))
      throw new VerificationError(`${where}: the debt total is disclosed exactly when there is a debt tree and the liabilities are disclosed`);
    // 16.5: with a debt tree the proof is over the net liabilities C_E - C_D.
    const net = debtRoot ? root.subtract(debtRoot) : root;
    let cP: Point | null = null;
    if (e.private_reserves) {
      try {
        cP = pointFromBytes(hexToBytes(e.private_reserves.commitment));
      } catch (err) {
        throw new VerificationError(`${where}: private reserves commitment: ${(err as Error).message}`);
      }
    }
    try {
      const proof = decodeSolvencyProof(hexToBytes(e.solvency.proof));
      batch.push(solvencyItem(total, net, proof, p, q, solvencyContext(statement, sym), cP));
      labels.push(`${where}: solvency proof`);
    } catch (err) {
      throw new VerificationError(`${where}: solvency proof: ${(err as Error).message}`);
    }
    const d = e.solvency.liabilities;
    if (d !== null) {
      const units = BigInt(d.units);
      const blinding = BigInt('0x' + d.blinding);
      if (blinding >= N || !mul(G, units).add(mul(H, blinding)).equals(root))
        throw new VerificationError(`${where}: disclosed liabilities do not open the root`);
      if (formatUnits(units, e.decimals) !== d.amount) throw new VerificationError(`${where}: disclosed amount does not match its units`);
    }
    const dd = e.solvency.debt;
    if (dd && debtRoot) {
      const units = BigInt(dd.units);
      const blinding = BigInt('0x' + dd.blinding);
      if (blinding >= N || !mul(G, units).add(mul(H, blinding)).equals(debtRoot))
        throw new VerificationError(`${where}: disclosed debt does not open the debt root`);
      if (formatUnits(units, e.decimals) !== dd.amount) throw new VerificationError(`${where}: disclosed debt does not match its units`);
    }
    out.push({
      asset: sym, chain: res.chain, blockHeight: res.block_height.toString(), blockHash: res.block_hash, reserves: res.total,
      reservesUnits: total, minRatio: e.solvency.min_ratio, liabilities: d ? d.amount : null,
      addresses: res.addresses.map((a) => ({ address: a.address, balance: a.balance })), rootCommitment: root,
      net: debtRoot !== null, debt: dd ? dd.amount : null, tokenContract: res.token_contract ?? null, chainId: res.chain_id ?? null,
      tokenKnown: isKnownContract(sym, res.chain, res.chain_id ?? null, res.token_contract ?? null),
      privateKeys: e.private_reserves ? e.private_reserves.keys : null,
    });
  }
  // 12.4 step 4 (10.5, "Across assets", "Known token contracts"): no signature needed.
  const claims = manifestClaims(m);
  const across = [...crossAssetProblems(claims), ...tokenProblems(claims)];
  if (across.length) throw new VerificationError(across.join('\n'));
  const notKnownTokens = unknownTokenNotes(claims);
  const unchecked: string[] = [];
  if (checkSignatures) {
    const problems: string[] = [];
    for (const [sym, e] of m.assets) {
      try {
        verifyAssetReserves(sym, e.reserves.chain, e.reserves.addresses, m.exchange, m.round_id, e.decimals, unchecked);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    if (problems.length) throw new VerificationError(problems.join('\n'));
  }
  return { digest, digestMatched: matched, assets: out, terms, unchecked, notKnownTokens };
}
