/**
 * Margin accounts, a customer's side (docs/spec.md 16; zkpor/protocol/margin.py, zkpor/verify/margin.py).
 *
 * Terms. With Q = quote.decimals and D the largest decimals of the priced assets, every value
 * is an integer of margin units, 10^-(Q+D) quote: p_a = price_a 10^Q 10^(D - decimals_a) per
 * base unit, b_k = up_to_k 10^(Q+D). An account is collateralized iff
 * 100 sum_a p_a debt_a <= sum_a S_a(p_a equity_a) (exact integers, nothing rounded).
 *
 * A margin account's inputs are leaf commitments: its equity leaves in priced assets (in the
 * margin asset order: ascending bytes of the symbols, never their place in a file), then its
 * debt leaves likewise. The verifier rebuilds the circuit
 * from the published terms (every price and bound divided by their gcd first) and checks the
 * proof over the commitments recomputed from the customer's own openings (16.8 step 6).
 */
import { VerificationError } from './errors.js';
import { parseAmount } from './amounts.js';
import type { Point } from './group.js';
import type { AssetRoot, InclusionProof, Quote } from './models.js';
import { hexToBytes } from './bytes.js';
import { BracketTable, bitLength } from './circuits/brackets.js';
import { accountCollateral, type AssetTerms } from './circuits/collateral.js';
import { Circuit, ConstraintSystem } from './r1cs/system.js';
import { circuitItem } from './r1cs/verifier.js';
import type { CustomItem } from './rangeproof.js';

export const DEBT_SUFFIX = '/debt';
const MAX_PRICE_BITS = 128; // price * 2^64 * 100 < 2^200 (the bracket gadget's no-wrap bound)

export type MarginTerms = {
  quoteSymbol: string; quoteDecimals: number; scale: number;
  prices: Map<string, bigint>; tables: Map<string, BracketTable>;
};

const parse = (text: string, decimals: number, limit: bigint, what: string): bigint => {
  try {
    return parseAmount(text, decimals, limit + 1n);
  } catch (e) {
    throw new VerificationError(`margin terms: ${what}: ${(e as Error).message}`);
  }
};

/**
 * The published terms (null without a quote), as terms_of: VerificationError when they are
 * inconsistent (price without tiers, a price without the quote, a debt tree of an unpriced
 * asset, a malformed table, a price of 0 or too large).
 */
export function marginTerms(quote: Quote | undefined, assets: Map<string, AssetRoot>): MarginTerms | null {
  const priced: [string, AssetRoot][] = [];
  for (const [sym, a] of assets) {
    if ((a.price === undefined) !== (a.tiers === undefined)) throw new VerificationError(`asset ${sym}: price and tiers go together`);
    if (a.price !== undefined) {
      if (!quote) throw new VerificationError(`asset ${sym}: a price needs the round's quote`);
      priced.push([sym, a]);
    }
    if (a.debt && a.price === undefined) throw new VerificationError(`asset ${sym}: a debt tree needs a price`);
  }
  if (!quote) return null;
  const Q = quote.decimals;
  const scale = Math.max(0, ...priced.map(([, a]) => a.decimals));
  const prices = new Map<string, bigint>();
  const tables = new Map<string, BracketTable>();
  for (const [sym, a] of priced) {
    const price = parse(a.price!, Q, 1n << BigInt(MAX_PRICE_BITS), `asset ${sym}: price`) * 10n ** BigInt(scale - a.decimals);
    if (price < 1n) throw new VerificationError(`margin terms: asset ${sym}: price must be above 0`);
    if (bitLength(price) > MAX_PRICE_BITS) throw new VerificationError(`margin terms: asset ${sym}: price is too large`);
    const tiers = a.tiers!;
    const bounds: bigint[] = [];
    const percents: number[] = [];
    tiers.forEach((t, i) => {
      const last = i === tiers.length - 1;
      if ((t.up_to === undefined) !== last)
        throw new VerificationError(`margin terms: asset ${sym}: tiers[${i}]: every bracket but the last needs up_to, the last has none`);
      percents.push(t.ratio);
      if (t.up_to !== undefined) {
        const b = parse(t.up_to, Q, 1n << 180n, `asset ${sym}: tiers[${i}].up_to`) * 10n ** BigInt(scale);
        if (b <= (bounds.length ? bounds[bounds.length - 1] : 0n))
          throw new VerificationError(`margin terms: asset ${sym}: tiers[${i}].up_to must be above 0 and above the previous one`);
        bounds.push(b);
      }
    });
    tables.set(sym, new BracketTable(bounds, percents));
    prices.set(sym, price);
  }
  return { quoteSymbol: quote.symbol, quoteDecimals: Q, scale, prices, tables };
}

/** The margin asset order (16.4): ascending byte order of the symbols' UTF-8 encodings. */
export function assetOrder(symbols: Iterable<string>): string[] {
  const enc = new TextEncoder();
  const cmp = (a: string, b: string): number => {
    const x = enc.encode(a), y = enc.encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  };
  return [...symbols].sort(cmp);
}

/**
 * (equity assets, debt assets) of an account's input trees; VerificationError unless they are
 * equity trees of priced assets in strictly increasing asset order, then at least one debt
 * tree likewise.
 */
export function accountShape(terms: MarginTerms, order: string[], trees: string[]): [string[], string[]] {
  const rank = new Map(assetOrder(order).map((a, i) => [a, i]));
  const equity: string[] = [];
  const debt: string[] = [];
  for (const tree of trees) {
    const isDebt = tree.endsWith(DEBT_SUFFIX);
    const kind = isDebt ? debt : equity;
    const asset = isDebt ? tree.slice(0, -DEBT_SUFFIX.length) : tree;
    if (!rank.has(asset) || !terms.prices.has(asset)) throw new VerificationError(`input tree ${JSON.stringify(tree)} is not a priced asset's`);
    if (!isDebt && debt.length) throw new VerificationError('equity inputs must come before debt inputs');
    if (kind.length && rank.get(kind[kind.length - 1])! >= rank.get(asset)!)
      throw new VerificationError('inputs must be in increasing asset order, each asset once');
    kind.push(asset);
  }
  if (!debt.length) throw new VerificationError('a margin account needs at least one debt input');
  return [equity, debt];
}

const gcd = (a: bigint, b: bigint): bigint => {
  while (b) [a, b] = [b, a % b];
  return a;
};

/** The account's circuit (inputs: equity commitments, then debt commitments), prices and bounds over their gcd. */
export function accountCircuit(terms: MarginTerms, equityAssets: string[], debtAssets: string[]): Circuit {
  const numbers = [...equityAssets, ...debtAssets].map((a) => terms.prices.get(a)!);
  for (const a of equityAssets) numbers.push(...terms.tables.get(a)!.bounds);
  let g = numbers.reduce(gcd, 0n);
  if (g === 0n) g = 1n;
  const equity: AssetTerms[] = equityAssets.map((a) => {
    const t = terms.tables.get(a)!;
    return { price: terms.prices.get(a)! / g, table: new BracketTable(t.bounds.map((b) => b / g), t.percents) };
  });
  const cs = new ConstraintSystem(equityAssets.length + debtAssets.length, 'collateral');
  try {
    accountCollateral(cs, equity, debtAssets.map((a) => terms.prices.get(a)! / g));
  } catch (e) {
    throw new VerificationError(`collateral circuit: ${(e as Error).message}`);
  }
  return cs.circuit();
}

export type Leaves = Map<string, Point>; // `${asset}|${tree}|${leaf}` -> the leaf commitment
export const leafKey = (asset: string, tree: 'equity' | 'debt', leaf: number): string => `${asset}|${tree}|${leaf}`;

/**
 * 16.8 step 6: the collateral inputs are exactly the customer's debt leaves and equity leaves
 * in priced assets (each once, positions as in their paths); the proof, over the leaf
 * commitments recomputed from the customer's openings, is returned as a batch item.
 */
export function collateralItem(proof: InclusionProof, leaves: Leaves, terms: MarginTerms | null, order: string[]): CustomItem {
  const coll = proof.collateral;
  if (!coll) throw new VerificationError('debts without a collateral proof');
  if (!terms) throw new VerificationError('debts, but the published roots have no margin terms');
  const positions = coll.inputs.map((i) => leafKey(i.asset, i.tree, i.leaf));
  const wanted = [...leaves.keys()].filter((k) => k.split('|')[1] === 'debt' || terms.prices.has(k.split('|')[0]));
  const set = new Set(positions);
  if (set.size !== positions.length || set.size !== wanted.length || !wanted.every((k) => set.has(k)))
    throw new VerificationError('collateral proof: its inputs are not exactly your debt leaves and your equity leaves in priced assets');
  const trees = coll.inputs.map((i) => (i.tree === 'debt' ? i.asset + DEBT_SUFFIX : i.asset));
  try {
    const [equity, debt] = accountShape(terms, order, trees);
    return circuitItem(accountCircuit(terms, equity, debt), hexToBytes(coll.proof), positions.map((k) => leaves.get(k)!));
  } catch (e) {
    throw new VerificationError(`collateral proof: ${(e as Error).message}`);
  }
}
