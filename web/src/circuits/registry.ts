/**
 * The named statements of circuits/registry.py that vectors/r1cs.json uses, rebuilt from their
 * definitions (never from the vectors' matrices): range64, le64, lt64, haircut12 and
 * collateral{1,2,4,16}x12 with the demo prices and 12-bracket table.
 */
import { Circuit, ConstraintSystem } from '../r1cs/system.js';
import { BracketTable, haircutValue } from './brackets.js';
import { collateral, type AssetTerms } from './collateral.js';
import { bind, lessOrEqual, lessThan, rangeCheck } from './gadgets.js';

// 12 brackets over 10^-6 USD: 100% up to 10k USD, then 97 ... 0% above 50M USD (illustrative).
export const DEMO_TABLE = new BracketTable(
  [10_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000].map((b) => BigInt(b) * 10n ** 6n),
  [100, 97, 95, 90, 85, 80, 70, 60, 50, 40, 20, 0],
);
const DEMO_PRICES = [600, 3, 1, 25, 7, 140, 2, 90, 11, 4, 333, 18, 5, 60, 9, 1200];

export function demoAssets(count: number): AssetTerms[] {
  if (count < 1 || count > DEMO_PRICES.length) throw new Error(`demo asset count must be in [1, ${DEMO_PRICES.length}]`);
  return DEMO_PRICES.slice(0, count).map((p) => ({ price: BigInt(p), table: DEMO_TABLE }));
}

const STATEMENTS: Record<string, [inputs: number, build: (cs: ConstraintSystem) => void]> = {
  range64: [1, (cs) => rangeCheck(cs, cs.inputs[0], 64)],
  le64: [2, (cs) => lessOrEqual(cs, bind(cs, cs.inputs[0]), cs.inputs[1], 64)],
  lt64: [2, (cs) => lessThan(cs, bind(cs, cs.inputs[0]), cs.inputs[1], 64)],
  haircut12: [2, (cs) => haircutValue(cs, cs.inputs[0], cs.inputs[1], 1n, 64, DEMO_TABLE)],
  ...Object.fromEntries([1, 2, 4, 16].map((a) => [`collateral${a}x12`, [2 * a, (cs: ConstraintSystem) => collateral(cs, demoAssets(a))]])),
};

export function buildCircuit(name: string): Circuit {
  const st = STATEMENTS[name];
  if (!st) throw new Error(`unknown circuit ${JSON.stringify(name)}; known: ${Object.keys(STATEMENTS).sort().join(', ')}`);
  const cs = new ConstraintSystem(st[0], name);
  st[1](cs);
  return cs.circuit();
}
