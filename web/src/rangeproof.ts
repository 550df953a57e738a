/**
 * Bulletproofs range-proof verifier (docs/spec.md 6): proof decoding (6.4), the transcript
 * replay (6.3) and the single-msm check of 6.5, batched over many proofs with independent
 * random weights. n and m always come from the caller, never from the proof.
 *
 * Encoding: A || S || T1 || T2 || t_x || tau_x || mu || (L_i || R_i) * k || a || b,
 * 292 + 66 k bytes, k = log2(n m).
 */
import { VerificationError } from './errors.js';
import { G, N, invN, modN, msm, pointFromBytes, scalarFromBytes, type Point } from './group.js';
import { H, generatorDigest, vectorG, vectorH } from './generators.js';
import { Transcript } from './transcript.js';

export const SUPPORTED_BITS = [8, 16, 32, 64];
export const PROTOCOL = 'zkpor-rangeproof-v1';

export type RangeProof = {
  A: Point; S: Point; T1: Point; T2: Point;
  tx: bigint; taux: bigint; mu: bigint;
  L: Point[]; R: Point[];
  a: bigint; b: bigint;
};

/** k = log2(n m), after checking n in {8,16,32,64} and m a power of two in [1, 256]. */
export function checkParameters(bits: number, m: number): number {
  if (!SUPPORTED_BITS.includes(bits)) throw new VerificationError(`bit length ${bits} not supported`);
  if (!Number.isInteger(m) || m < 1 || m > 256 || (m & (m - 1)) !== 0)
    throw new VerificationError(`number of values ${m} must be a power of two between 1 and 256`);
  return Math.log2(bits * m);
}

export function proofSize(bits: number, m: number): number {
  return 292 + 66 * checkParameters(bits, m);
}

/** Decode a proof of exactly the size for (bits, m); every point non-identity, every scalar < n. */
export function decodeRangeProof(b: Uint8Array, bits: number, m: number): RangeProof {
  const k = checkParameters(bits, m);
  if (b.length !== 292 + 66 * k)
    throw new VerificationError(`range proof has ${b.length} bytes, expected ${292 + 66 * k} for n = ${bits}, m = ${m}`);
  let off = 0;
  const pt = (): Point => {
    const p = pointFromBytes(b.subarray(off, off + 33));
    off += 33;
    return p;
  };
  const sc = (): bigint => {
    const s = scalarFromBytes(b.subarray(off, off + 32));
    off += 32;
    return s;
  };
  try {
    const A = pt(), S = pt(), T1 = pt(), T2 = pt();
    const tx = sc(), taux = sc(), mu = sc();
    const L: Point[] = [], R: Point[] = [];
    for (let i = 0; i < k; i++) {
      L.push(pt());
      R.push(pt());
    }
    const a = sc(), bb = sc();
    return { A, S, T1, T2, tx, taux, mu, L, R, a, b: bb };
  } catch (e) {
    if (e instanceof VerificationError) throw e;
    throw new VerificationError(`range proof: ${(e as Error).message}`);
  }
}

/** A random non-zero 128-bit weight from the platform's CSPRNG. */
export function random128(): bigint {
  const buf = new Uint8Array(16);
  for (;;) {
    globalThis.crypto.getRandomValues(buf);
    let x = 0n;
    for (const byte of buf) x = (x << 8n) | BigInt(byte);
    if (x !== 0n) return x;
  }
}

/** The statement part of the transcript (6.3 steps 1-4, with the optional context). */
export function startTranscript(bits: number, commitments: Point[], context: Uint8Array): Transcript {
  const t = new Transcript(PROTOCOL);
  t.appendMessage('gens', generatorDigest());
  if (context.length > 0) t.appendMessage('context', context);
  t.appendU64('n', BigInt(bits));
  t.appendU64('m', BigInt(commitments.length));
  for (const v of commitments) t.appendPoint('V', v);
  return t;
}

export type RangeItem = {
  proof: RangeProof | Uint8Array;
  commitments: Point[];
  bits: number;
  context?: Uint8Array;
};

/** Another proof on the same generators (an R1CS proof, src/r1cs/verifier.ts): it adds its own terms. */
export type CustomItem = { accumulate: (acc: Accumulator, weight: bigint) => void };

export type BatchItem = RangeItem | CustomItem;

/**
 * Merged coefficients of one batch: G, H, the vector generators G_i, H_i (shared by range and
 * circuit proofs, section 3) and per-proof points. One msm checks the weighted sum.
 */
export class Accumulator {
  g = 0n;
  h = 0n;
  gi: bigint[] = [];
  hi: bigint[] = [];
  points: Point[] = [];
  scalars: bigint[] = [];

  add(p: Point, s: bigint): void {
    this.points.push(p);
    this.scalars.push(modN(s));
  }

  check(): boolean {
    const size = Math.max(this.gi.length, this.hi.length);
    const pts = [G, H, ...vectorG(size), ...vectorH(size), ...this.points];
    const scs = [this.g, this.h, ...pad(this.gi, size), ...pad(this.hi, size), ...this.scalars];
    return msm(pts, scs).is0();
  }
}

const pad = (xs: bigint[], n: number): bigint[] => xs.concat(Array(n - xs.length).fill(0n));

function accumulate(acc: Accumulator, item: BatchItem, weight: bigint): void {
  if ('accumulate' in item) item.accumulate(acc, weight);
  else accumulateRange(acc, item, weight);
}

/** Add one proof's terms of 6.5, times `weight`, to the accumulator. */
function accumulateRange(acc: Accumulator, item: RangeItem, weight: bigint): void {
  const m = item.commitments.length;
  const bits = item.bits;
  const k = checkParameters(bits, m);
  const proof = item.proof instanceof Uint8Array ? decodeRangeProof(item.proof, bits, m) : item.proof;
  if (proof.L.length !== k || proof.R.length !== k)
    throw new VerificationError(`range proof has ${proof.L.length} rounds, expected ${k}`);
  for (const v of item.commitments) if (v.is0()) throw new VerificationError('a commitment is the identity');
  const nm = bits * m;
  let y: bigint, z: bigint, x: bigint, w: bigint;
  const u: bigint[] = [];
  try {
    const t = startTranscript(bits, item.commitments, item.context ?? new Uint8Array(0));
    t.appendPoint('A', proof.A);
    t.appendPoint('S', proof.S);
    y = t.challengeScalar('y');
    z = t.challengeScalar('z');
    t.appendPoint('T1', proof.T1);
    t.appendPoint('T2', proof.T2);
    x = t.challengeScalar('x');
    t.appendScalar('t_x', proof.tx);
    t.appendScalar('t_x_blinding', proof.taux);
    t.appendScalar('e_blinding', proof.mu);
    w = t.challengeScalar('w');
    t.appendU64('ipa_n', BigInt(nm));
    for (let i = 0; i < k; i++) {
      t.appendPoint('L', proof.L[i]);
      t.appendPoint('R', proof.R[i]);
      u.push(t.challengeScalar('u'));
    }
  } catch (e) {
    throw new VerificationError(`range proof transcript: ${(e as Error).message}`);
  }
  const c = random128();
  const uInv = u.map(invN);
  // s_0 = prod u_j^-1; s_i = s_(i - 2^t) u_(k-1-t)^2, t the top bit of i.
  const s: bigint[] = new Array(nm);
  s[0] = uInv.reduce((p, q) => modN(p * q), 1n);
  for (let i = 1; i < nm; i++) {
    const t = 31 - Math.clz32(i);
    s[i] = modN(s[i - (1 << t)] * u[k - 1 - t] * u[k - 1 - t]);
  }
  const z2 = modN(z * z);
  // delta(y, z) = (z - z^2) <1, y^nm> - sum_{j=1..m} z^(j+2) (2^n - 1)
  let sumY = 0n, yp = 1n;
  for (let i = 0; i < nm; i++) {
    sumY = modN(sumY + yp);
    yp = modN(yp * y);
  }
  const twoN1 = (1n << BigInt(bits)) - 1n;
  let zp = modN(z2 * z); // z^3
  let sumZ = 0n;
  for (let j = 1; j <= m; j++) {
    sumZ = modN(sumZ + zp * twoN1);
    zp = modN(zp * z);
  }
  const delta = modN((z - z2) * sumY - sumZ);
  const wc = modN(weight * c);
  acc.add(proof.A, weight);
  acc.add(proof.S, weight * x);
  let zj = z2;
  for (const v of item.commitments) {
    acc.add(v, wc * zj);
    zj = modN(zj * z);
  }
  acc.add(proof.T1, wc * x);
  acc.add(proof.T2, wc * modN(x * x));
  for (let i = 0; i < k; i++) {
    acc.add(proof.L[i], weight * u[i] * u[i]);
    acc.add(proof.R[i], weight * uInv[i] * uInv[i]);
  }
  acc.g = modN(acc.g + weight * (w * (proof.tx - proof.a * proof.b) + c * (delta - proof.tx)));
  acc.h = modN(acc.h + weight * (-proof.mu - c * proof.taux));
  while (acc.gi.length < nm) acc.gi.push(0n);
  while (acc.hi.length < nm) acc.hi.push(0n);
  const yInv = invN(y);
  let yInvI = 1n;
  // z^(2 + floor(i / n)) 2^(i mod n)
  let zBlock = z2;
  let two = 1n;
  for (let i = 0; i < nm; i++) {
    if (i > 0 && i % bits === 0) {
      zBlock = modN(zBlock * z);
      two = 1n;
    }
    acc.gi[i] = modN(acc.gi[i] + weight * (-z - proof.a * s[i]));
    const hTerm = z + yInvI * (zBlock * two - proof.b * s[nm - 1 - i]);
    acc.hi[i] = modN(acc.hi[i] + weight * hTerm);
    yInvI = modN(yInvI * yInv);
    two <<= 1n;
  }
}

/** Verify one proof over `commitments` (m = their number) with `bits`. */
export function verifyRangeProof(item: RangeItem): void {
  verifyBatch([item]);
}

/**
 * Verify many proofs as one msm (6.5); on failure re-verify one by one to name the first
 * invalid item (its index in the message). Raises VerificationError.
 */
export function verifyBatch(items: BatchItem[], label = (i: number) => `range proof ${i}`): void {
  if (items.length === 0) return;
  const acc = new Accumulator();
  for (let i = 0; i < items.length; i++) {
    try {
      accumulate(acc, items[i], items.length === 1 ? 1n : random128());
    } catch (e) {
      throw new VerificationError(`${label(i)}: ${(e as Error).message}`);
    }
  }
  if (acc.check()) return;
  if (items.length > 1) {
    for (let i = 0; i < items.length; i++) {
      const one = new Accumulator();
      accumulate(one, items[i], 1n);
      if (!one.check()) throw new VerificationError(`${label(i)}: does not verify`);
    }
  }
  throw new VerificationError(`${label(0)}: does not verify`);
}
