/**
 * The marginal bracket (tiered haircut) function (circuits/brackets.py; docs/spec.md 15.7.1).
 * Bounds 0 = b_0 < b_1 < ... < b_(K-1), percents r_1..r_K in [0, 100], a price p >= 1; for
 * X = p x the haircut value in hundredths is S(X) = sum_k r_k min(max(X - b_(k-1), 0), w_k),
 * w_k = b_k - b_(k-1) (w_K infinite). The gadget (precondition x < 2^B): one-hot e_1..e_K,
 * saturation flags derived from them, rem = X - sum_k e_k b_(k-1), g = e_K rem, f = rem - g,
 * 0 <= f < w_sel (strict), e_K (x - ceil(b_(K-1) / p)) in [0, 2^B), S = sum_(k<K) r_k w_k s_k
 * + (sum_k e_k r_k) rem. K + 2W + B + 3 gates for K >= 2.
 */
import { ConstraintSystem, LC, lc, type LCLike } from '../r1cs/system.js';
import { boolean, rangeCheck } from './gadgets.js';

export class BracketTable {
  constructor(readonly bounds: bigint[], readonly percents: number[]) {
    if (percents.length !== bounds.length + 1)
      throw new Error(`${bounds.length} bracket bounds need ${bounds.length + 1} percents, got ${percents.length}`);
    let prev = 0n;
    bounds.forEach((b, i) => {
      if (b <= prev) throw new Error(`bracket bound ${i} must be an integer above ${prev}`);
      prev = b;
    });
    percents.forEach((r, i) => {
      if (!Number.isInteger(r) || r < 0 || r > 100) throw new Error(`bracket percent ${i} must be an integer in [0, 100]`);
    });
  }

  get brackets(): number {
    return this.percents.length;
  }

  /** w_1..w_(K-1) of the finite brackets. */
  widths(): bigint[] {
    return this.bounds.map((b, i) => b - (i === 0 ? 0n : this.bounds[i - 1]));
  }

  /** W: the bit length of the largest finite w_k - 1 (at least 1). */
  widthBits(): number {
    let w = 1;
    for (const x of this.widths()) w = Math.max(w, bitLength(x - 1n));
    return w;
  }
}

export function bitLength(x: bigint): number {
  return x <= 0n ? 0 : x.toString(2).length;
}

/** S(X) with plain integers (what the gadget must equal). */
export function referenceHundredths(t: BracketTable, value: bigint): bigint {
  let total = 0n;
  t.percents.forEach((r, k) => {
    const lo = k === 0 ? 0n : t.bounds[k - 1];
    const over = value > lo ? value - lo : 0n;
    const part = k < t.bounds.length ? (over < t.bounds[k] - lo ? over : t.bounds[k] - lo) : over;
    total += BigInt(r) * part;
  });
  return total;
}

/** S(p x) as a linear combination; precondition x < 2^xBits. */
export function haircutHundredths(cs: ConstraintSystem, x0: LCLike, price: bigint, xBits: number, table: BracketTable): LC {
  if (price < 1n) throw new Error('price must be a positive integer');
  if ((price * 100n) << BigInt(xBits) >= 1n << 200n) throw new Error('price * 2^x_bits * 100 must stay below 2^200');
  const x = lc(x0);
  const bigX = x.mul(price);
  const K = table.brackets;
  if (K === 1) return bigX.mul(BigInt(table.percents[0]));
  const lows = [0n, ...table.bounds];
  const widths = table.widths();
  const e = Array.from({ length: K }, () => boolean(cs));
  cs.constrain(LC.sum(e).sub(1n));
  const rem = bigX.sub(LC.weighted(e.map((ek, k) => [lows[k], ek] as [bigint, LCLike])));
  const top = e[K - 1];
  const [, , g] = cs.multiply(top, rem);
  const f = rem.sub(g);
  const wBits = table.widthBits();
  rangeCheck(cs, f, wBits);
  const wSel = LC.weighted(e.slice(0, K - 1).map((ek, k) => [widths[k], ek] as [bigint, LCLike])).add(top);
  rangeCheck(cs, wSel.sub(1n).sub(f), wBits);
  const last = table.bounds[table.bounds.length - 1];
  const threshold = (last + price - 1n) / price;
  const [, , topSlack] = cs.multiply(top, x.sub(threshold));
  rangeCheck(cs, topSlack, xBits);
  const ratio = LC.weighted(e.map((ek, k) => [BigInt(table.percents[k]), ek] as [bigint, LCLike]));
  const [, , marginal] = cs.multiply(ratio, rem);
  const full: [bigint, LCLike][] = [];
  let prefix = new LC();
  for (let k = 0; k < K - 1; k++) {
    prefix = prefix.add(e[k]);
    full.push([BigInt(table.percents[k]) * widths[k], lc(1n).sub(prefix)]);
  }
  return LC.weighted(full).add(marginal);
}

/** h = floor(S(p x) / 100): S - 100 h and 99 - (S - 100 h) in [0, 2^7). */
export function haircutValue(cs: ConstraintSystem, x: LCLike, h: LCLike, price: bigint, xBits: number, table: BracketTable): void {
  const s = haircutHundredths(cs, x, price, xBits, table);
  const d = s.sub(lc(h).mul(100n));
  rangeCheck(cs, d, 7);
  rangeCheck(cs, lc(99n).sub(d), 7);
}
