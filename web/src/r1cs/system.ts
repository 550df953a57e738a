/**
 * The constraint system a circuit is written against (zkpor/crypto/r1cs/lc.py, system.py; docs/spec.md
 * 15.1, 15.2), verifier side only: no values, just the constraints. A circuit has n gates
 * a_L[i] a_R[i] = a_O[i], m committed inputs v_j and q linear constraints
 *
 *   sum_i WL[k,i] a_L[i] + WR[k,i] a_R[i] + WO[k,i] a_O[i] + sum_j WV[k,j] v_j + c_k = 0  (mod n).
 *
 * A linear combination is a map from a variable (kind, index) to a coefficient in [1, n);
 * kinds 0 = the constant one, 1 = v, 2 = a_L, 3 = a_R, 4 = a_O. The verifier rebuilds the
 * circuit from the statement's public definition (src/circuits/) and the transcript binds its
 * digest:
 *
 *   SHA-256( f("zkpor-r1cs-circuit-v1") || u64be(n) || u64be(m) || u64be(q)
 *            || per constraint: u32be(t) || per term, sorted by (kind, index):
 *               u8(kind) || u32be(index) || scalar32(coefficient) )
 */
import { sha256 } from '@noble/hashes/sha2';
import { concat, framed, u32be, u64be, u8 } from '../bytes.js';
import { N, modN, scalarToBytes } from '../group.js';

export const ONE_KIND = 0;
export const COMMITTED = 1;
export const LEFT = 2;
export const RIGHT = 3;
export const OUTPUT = 4;
export const MAX_GATES = 2 ** 20;
export const MAX_INPUTS = 2 ** 16;
const SLOT = 2 ** 22; // key = kind * SLOT + index (index < 2^20 gates, 2^16 inputs)

export type Variable = { kind: number; idx: number };
export type Term = [kind: number, index: number, coefficient: bigint];

const key = (v: Variable): number => v.kind * SLOT + v.idx;

/** sum_k c_k var_k with coefficients in [1, n); immutable. */
export class LC {
  constructor(readonly terms: ReadonlyMap<number, bigint> = new Map()) {}

  static of(x: LCLike): LC {
    if (x instanceof LC) return x;
    if (typeof x === 'bigint' || typeof x === 'number') {
      const c = modN(BigInt(x));
      return new LC(c === 0n ? new Map() : new Map([[0, c]]));
    }
    return new LC(new Map([[key(x), 1n]]));
  }

  /** sum_k w_k x_k for (w_k, x_k) pairs, in one pass. */
  static weighted(pairs: Iterable<[bigint | number, LCLike]>): LC {
    const out = new Map<number, bigint>();
    for (const [w, x] of pairs) {
      const wb = BigInt(w);
      for (const [k, c] of LC.of(x).terms) out.set(k, modN((out.get(k) ?? 0n) + wb * c));
    }
    for (const [k, c] of out) if (c === 0n) out.delete(k);
    return new LC(out);
  }

  static sum(items: Iterable<LCLike>): LC {
    const pairs: [bigint, LCLike][] = [];
    for (const x of items) pairs.push([1n, x]);
    return LC.weighted(pairs);
  }

  add(other: LCLike): LC {
    return LC.weighted([[1n, this], [1n, other]]);
  }

  sub(other: LCLike): LC {
    return LC.weighted([[1n, this], [N - 1n, other]]);
  }

  mul(k: bigint | number): LC {
    return LC.weighted([[BigInt(k), this]]);
  }

  /** The canonical sorted terms of the digest (zero terms are already gone). */
  canonical(): Term[] {
    return [...this.terms.keys()].sort((a, b) => a - b).map((k) => [Math.floor(k / SLOT), k % SLOT, this.terms.get(k)!]);
  }
}

export type LCLike = LC | Variable | bigint | number;

export const lc = LC.of;

export const variable = (kind: number, idx: number): Variable => ({ kind, idx });

/** A compiled statement: sizes and the sparse constraints (each a sorted term list). */
export class Circuit {
  private digestCache: Uint8Array | undefined;
  constructor(readonly gates: number, readonly inputs: number, readonly constraints: Term[][], readonly name = '') {}

  /** n rounded up to a power of two (at least 1): the inner-product length. */
  get paddedGates(): number {
    let p = 1;
    while (p < this.gates) p *= 2;
    return p;
  }

  get rounds(): number {
    return Math.log2(this.paddedGates);
  }

  termCount(): number {
    return this.constraints.reduce((s, t) => s + t.length, 0);
  }

  digest(): Uint8Array {
    if (!this.digestCache) {
      const h = sha256.create();
      h.update(framed('zkpor-r1cs-circuit-v1'));
      h.update(concat(u64be(BigInt(this.gates)), u64be(BigInt(this.inputs)), u64be(BigInt(this.constraints.length))));
      for (const terms of this.constraints) {
        h.update(u32be(terms.length));
        for (const [kind, index, coeff] of terms) h.update(concat(u8(kind), u32be(index), scalarToBytes(coeff)));
      }
      this.digestCache = h.digest();
    }
    return this.digestCache;
  }

  /** Every term names an existing wire with a coefficient in [1, n), sorted without repeats. */
  checkShape(): void {
    if (this.gates < 0 || this.gates > MAX_GATES || this.inputs < 0 || this.inputs > MAX_INPUTS)
      throw new Error(`circuit sizes out of range: n=${this.gates}, m=${this.inputs}`);
    const limits = [1, this.inputs, this.gates, this.gates, this.gates];
    this.constraints.forEach((terms, k) => {
      let prev = -1;
      for (const [kind, index, coeff] of terms) {
        if (!(kind in limits) || index < 0 || index >= limits[kind]) throw new Error(`constraint ${k}: no wire (${kind}, ${index})`);
        if (!(coeff > 0n && coeff < N)) throw new Error(`constraint ${k}: coefficient not in [1, n)`);
        const kk = kind * SLOT + index;
        if (kk <= prev) throw new Error(`constraint ${k}: terms not sorted or repeated`);
        prev = kk;
      }
    });
  }
}

/**
 * The verifier's constraint system (zkpor's ConstraintSystem(inputs=m)): gates and constraints
 * are added in exactly the order the Python gadgets add them, so the digest is the same.
 */
export class ConstraintSystem {
  readonly inputs: Variable[];
  private gateCount = 0;
  private pending: number | null = null;
  private readonly constraints: Term[][] = [];

  constructor(inputs: number, readonly name = '') {
    if (!Number.isInteger(inputs) || inputs < 0 || inputs > MAX_INPUTS) throw new Error(`input count ${inputs} out of range`);
    this.inputs = Array.from({ length: inputs }, (_, j) => variable(COMMITTED, j));
  }

  get gates(): number {
    return this.gateCount;
  }

  /** A new gate with free wires (l, r, o = l r); no constraint. */
  allocateMultiplier(): [Variable, Variable, Variable] {
    const i = this.gateCount;
    if (i >= MAX_GATES) throw new Error(`circuit exceeds ${MAX_GATES} gates`);
    this.gateCount++;
    return [variable(LEFT, i), variable(RIGHT, i), variable(OUTPUT, i)];
  }

  /** A gate computing left * right: l - left = 0, r - right = 0. */
  multiply(left: LCLike, right: LCLike): [Variable, Variable, Variable] {
    const [l, r, o] = this.allocateMultiplier();
    this.constrain(lc(l).sub(left));
    this.constrain(lc(r).sub(right));
    return [l, r, o];
  }

  /** A free variable using half a gate: two successive allocations share one gate. */
  allocate(): Variable {
    if (this.pending !== null) {
      const i = this.pending;
      this.pending = null;
      return variable(RIGHT, i);
    }
    const [l] = this.allocateMultiplier();
    this.pending = l.idx;
    return l;
  }

  /** lc = 0; a constraint with no term at all is dropped. */
  constrain(x: LCLike): void {
    const terms = lc(x).canonical();
    if (terms.length) this.constraints.push(terms);
  }

  circuit(): Circuit {
    return new Circuit(this.gateCount, this.inputs.length, this.constraints.slice(), this.name);
  }
}
