/**
 * The collateral statements (circuits/collateral.py; docs/spec.md 15.7.2, 16.4): over inputs
 * < 2^64 (tree leaves), 100 sum_j p_j debt_j <= sum_i S_i(p_i equity_i). `collateral` takes
 * equity_0, debt_0, equity_1, debt_1, ...; `accountCollateral` (a margin account) takes its E
 * equity inputs then its M debt inputs, an equity under a one-bracket table and every debt
 * bound to a wire of its own, and compares over D bits, D = bit length of
 * 100 (2^64 - 1) max(sum p_i, sum p_j).
 */
import { ConstraintSystem, LC, type LCLike } from '../r1cs/system.js';
import { BracketTable, bitLength, haircutHundredths } from './brackets.js';
import { bind, lessOrEqual } from './gadgets.js';

export const INPUT_BITS = 64;
const MAX_INPUT = (1n << BigInt(INPUT_BITS)) - 1n;

export type AssetTerms = { price: bigint; table: BracketTable };

export function collateral(cs: ConstraintSystem, assets: AssetTerms[]): void {
  if (!assets.length) throw new Error('the collateral statement needs at least one asset');
  if (cs.inputs.length !== 2 * assets.length) throw new Error(`${assets.length} assets need ${2 * assets.length} committed inputs`);
  const coll: LCLike[] = [];
  const debt: [bigint, LCLike][] = [];
  assets.forEach((t, a) => {
    coll.push(haircutHundredths(cs, cs.inputs[2 * a], t.price, INPUT_BITS, t.table));
    debt.push([100n * t.price, bind(cs, cs.inputs[2 * a + 1])]);
  });
  const bits = bitLength(100n * MAX_INPUT * assets.reduce((s, a) => s + a.price, 0n));
  lessOrEqual(cs, LC.weighted(debt), LC.sum(coll), bits);
}

export function accountCollateral(cs: ConstraintSystem, equity: AssetTerms[], debtPrices: bigint[]): void {
  if (cs.inputs.length !== equity.length + debtPrices.length || !cs.inputs.length)
    throw new Error(`${equity.length} equity and ${debtPrices.length} debt terms need ${equity.length + debtPrices.length} committed inputs (at least one)`);
  for (const p of debtPrices) if (p < 1n) throw new Error('debt price must be a positive integer');
  const coll: LCLike[] = [];
  equity.forEach((t, i) => {
    let x: LCLike = cs.inputs[i];
    if (t.table.brackets === 1) x = bind(cs, x);
    coll.push(haircutHundredths(cs, x, t.price, INPUT_BITS, t.table));
  });
  const debt = debtPrices.map((p, j) => [100n * p, bind(cs, cs.inputs[equity.length + j])] as [bigint, LCLike]);
  const sumE = equity.reduce((s, a) => s + a.price, 0n);
  const sumD = debtPrices.reduce((s, p) => s + p, 0n);
  let top = sumE > sumD ? sumE : sumD;
  if (top < 1n) top = 1n;
  lessOrEqual(cs, LC.weighted(debt), LC.sum(coll), bitLength(100n * MAX_INPUT * top));
}
