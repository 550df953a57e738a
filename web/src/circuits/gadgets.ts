/**
 * The gadgets of zkpor.circuits (circuits/gadgets.py; docs/spec.md 15.7), verifier side: each
 * adds the same gates and constraints, in the same order, as the Python gadget, so the rebuilt
 * circuit has the same digest. Counts as (gates, constraints); preconditions ("x < 2^k") are
 * facts the caller already has (for tree leaves: the trees' range proofs).
 */
import { ConstraintSystem, LC, lc, type LCLike, type Variable } from '../r1cs/system.js';

export const MAX_RANGE_BITS = 240;

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > MAX_RANGE_BITS) throw new Error(`bit width ${bits} must be an integer in [1, ${MAX_RANGE_BITS}]`);
}

/** b in {0, 1}: the gate (b, 1 - b) with a_L + a_R - 1 = 0 and a_O = 0. (1, 2) */
export function boolean(cs: ConstraintSystem): Variable {
  const [l, r, o] = cs.allocateMultiplier();
  cs.constrain(lc(l).add(r).sub(1n));
  cs.constrain(o);
  return l;
}

/** Little-endian bits of x: k booleans and sum_i 2^i b_i - x = 0, so 0 <= x < 2^k. (k, 2k + 1) */
export function toBits(cs: ConstraintSystem, x: LCLike, bits: number): Variable[] {
  checkBits(bits);
  const out: Variable[] = [];
  for (let i = 0; i < bits; i++) out.push(boolean(cs));
  cs.constrain(LC.weighted(out.map((b, i) => [1n << BigInt(i), b] as [bigint, LCLike])).sub(x));
  return out;
}

export function rangeCheck(cs: ConstraintSystem, x: LCLike, bits: number): void {
  toBits(cs, x, bits);
}

/** A wire equal to x (half a gate, 1 constraint): gives an input its own constraint (W_V rank). */
export function bind(cs: ConstraintSystem, x: LCLike): Variable {
  const w = cs.allocate();
  cs.constrain(lc(w).sub(x));
  return w;
}

/** a <= b for a, b < 2^k: b - a in [0, 2^k). (k, 2k + 1) */
export function lessOrEqual(cs: ConstraintSystem, a: LCLike, b: LCLike, bits: number): void {
  rangeCheck(cs, lc(b).sub(a), bits);
}

/** a < b for a, b < 2^k: b - a - 1 in [0, 2^k). (k, 2k + 1) */
export function lessThan(cs: ConstraintSystem, a: LCLike, b: LCLike, bits: number): void {
  rangeCheck(cs, lc(b).sub(a).sub(1n), bits);
}
