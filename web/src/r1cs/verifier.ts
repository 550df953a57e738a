/**
 * The arithmetic-circuit (R1CS) verifier (docs/spec.md 15.4-15.6; zkpor/crypto/r1cs/verifier.py), one
 * batch item per proof, merged into the same multi-scalar multiplication as the range proofs
 * (same G, H, G_i, H_i). With y, z, x, w, u_1..u_k from the transcript, the z-combined weights
 * w_L, w_R, w_O, w_V, w_c (constraint k weighted z^(k+1)), delta = <y^-n o w_R, w_L>, s_i as
 * in 6.5 and a random c, a proof is valid iff
 *
 *   x A_I + x^2 A_O + x^3 S + sum_i (u_i^2 L_i + u_i^-2 R_i)
 *     + (w (t_x - a b) + c (x^2 (delta - w_c) - t_x)) G + (-mu - c tau_x) H
 *     - c x^2 sum_j w_V[j] V_j + c (x T1 + x^3 T3 + x^4 T4 + x^5 T5 + x^6 T6)
 *     + sum_i (x y^-i w_R[i] - a s_i) G_i + sum_i (y^-i (x w_L[i] + w_O[i] - b s_(n'-1-i)) - 1) H_i
 *
 * is the identity. Encoding (15.5): A_I || A_O || S || T1 || T3..T6 || t_x || t_x_blinding ||
 * e_blinding || (L_i || R_i) x k || a || b, 424 + 66 k bytes, k = log2(n') fixed by the
 * circuit the verifier rebuilt, never by the proof.
 */
import { VerificationError } from '../errors.js';
import { invN, modN, pointFromBytes, scalarFromBytes, type Point } from '../group.js';
import { generatorDigest } from '../generators.js';
import { Transcript } from '../transcript.js';
import { random128, verifyBatch, type Accumulator, type CustomItem } from '../rangeproof.js';
import { COMMITTED, LEFT, ONE_KIND, OUTPUT, RIGHT, type Circuit } from './system.js';

export const PROTOCOL = 'zkpor-r1cs-v1';

export type R1CSProof = {
  AI: Point; AO: Point; S: Point; T: Point[]; // T1, T3, T4, T5, T6
  tx: bigint; taux: bigint; mu: bigint;
  L: Point[]; R: Point[];
  a: bigint; b: bigint;
};

export const proofSize = (rounds: number): number => 424 + 66 * rounds;

/** Strict decoding of a proof for `circuit`: its exact size, canonical non-identity points, scalars < n. */
export function decodeR1CSProof(bytes: Uint8Array, circuit: Circuit): R1CSProof {
  const k = circuit.rounds;
  const want = proofSize(k);
  if (bytes.length !== want) throw new VerificationError(`R1CS proof for ${circuit.gates} gates must be ${want} bytes, got ${bytes.length}`);
  let off = 0;
  const field = (name: string, n: number) => {
    const part = bytes.subarray(off, off + n);
    off += n;
    return { part, name };
  };
  const pt = (name: string): Point => {
    const f = field(name, 33);
    try {
      return pointFromBytes(f.part);
    } catch (e) {
      throw new VerificationError(`R1CS proof field ${name}: ${(e as Error).message}`);
    }
  };
  const sc = (name: string): bigint => {
    const f = field(name, 32);
    try {
      return scalarFromBytes(f.part);
    } catch (e) {
      throw new VerificationError(`R1CS proof field ${name}: ${(e as Error).message}`);
    }
  };
  const AI = pt('A_I'), AO = pt('A_O'), S = pt('S');
  const T = ['T1', 'T3', 'T4', 'T5', 'T6'].map(pt);
  const tx = sc('t_x'), taux = sc('t_x_blinding'), mu = sc('e_blinding');
  const L: Point[] = [], R: Point[] = [];
  for (let i = 0; i < k; i++) {
    L.push(pt(`L[${i}]`));
    R.push(pt(`R[${i}]`));
  }
  const a = sc('a'), b = sc('b');
  return { AI, AO, S, T, tx, taux, mu, L, R, a, b };
}

/** The statement part of the transcript (15.4): generators, circuit digest, sizes, inputs. */
export function startTranscript(circuit: Circuit, commitments: Point[]): Transcript {
  const t = new Transcript(PROTOCOL);
  t.appendMessage('gens', generatorDigest());
  t.appendMessage('circuit', circuit.digest());
  t.appendU64('n', BigInt(circuit.gates));
  t.appendU64('m', BigInt(circuit.inputs));
  t.appendU64('q', BigInt(circuit.constraints.length));
  for (const v of commitments) t.appendPoint('V', v);
  return t;
}

export type Weights = { wL: bigint[]; wR: bigint[]; wO: bigint[]; wV: bigint[]; wc: bigint };

/** The constraints combined with powers of z (vectors of length `padded`, zero beyond n). */
export function combine(circuit: Circuit, z: bigint, padded: number): Weights {
  const vecs: bigint[][] = [[0n], new Array(circuit.inputs).fill(0n), new Array(padded).fill(0n), new Array(padded).fill(0n), new Array(padded).fill(0n)];
  let zk = 1n;
  for (const terms of circuit.constraints) {
    zk = modN(zk * z);
    for (const [kind, index, coeff] of terms) vecs[kind][index] = modN(vecs[kind][index] + zk * coeff);
  }
  return { wL: vecs[LEFT], wR: vecs[RIGHT], wO: vecs[OUTPUT], wV: vecs[COMMITTED], wc: vecs[ONE_KIND][0] };
}

/** The challenges of one proof (exported for the vectors, which record them). */
export function challenges(circuit: Circuit, proof: R1CSProof, commitments: Point[]): { y: bigint; z: bigint; x: bigint; w: bigint; u: bigint[] } {
  const t = startTranscript(circuit, commitments);
  t.appendPoint('A_I', proof.AI);
  t.appendPoint('A_O', proof.AO);
  t.appendPoint('S', proof.S);
  const y = t.challengeScalar('y');
  const z = t.challengeScalar('z');
  ['T1', 'T3', 'T4', 'T5', 'T6'].forEach((name, i) => t.appendPoint(name, proof.T[i]));
  const x = t.challengeScalar('x');
  t.appendScalar('t_x', proof.tx);
  t.appendScalar('t_x_blinding', proof.taux);
  t.appendScalar('e_blinding', proof.mu);
  const w = t.challengeScalar('w');
  t.appendU64('ipa_n', BigInt(circuit.paddedGates));
  const u: bigint[] = [];
  for (let i = 0; i < proof.L.length; i++) {
    t.appendPoint('L', proof.L[i]);
    t.appendPoint('R', proof.R[i]);
    u.push(t.challengeScalar('u'));
  }
  return { y, z, x, w, u };
}

function accumulate(acc: Accumulator, circuit: Circuit, proof: R1CSProof, vs: Point[], weight: bigint): void {
  const n2 = circuit.paddedGates;
  const { y, z, x, w, u } = challenges(circuit, proof, vs);
  const c = random128();
  const wts = combine(circuit, z, n2);
  const yInv = invN(y);
  const yInvPows: bigint[] = new Array(n2);
  yInvPows[0] = 1n;
  for (let i = 1; i < n2; i++) yInvPows[i] = modN(yInvPows[i - 1] * yInv);
  // s_0 = prod u_j^-1; s_i = s_(i - 2^t) u_(k-1-t)^2, t the top bit of i (6.5).
  const k = u.length;
  const uInv = u.map(invN);
  const s: bigint[] = new Array(n2);
  s[0] = uInv.reduce((p, q) => modN(p * q), 1n);
  for (let i = 1; i < n2; i++) {
    const t = 31 - Math.clz32(i);
    s[i] = modN(s[i - (1 << t)] * u[k - 1 - t] * u[k - 1 - t]);
  }
  const { a, b } = proof;
  const x2 = modN(x * x);
  while (acc.gi.length < n2) acc.gi.push(0n);
  while (acc.hi.length < n2) acc.hi.push(0n);
  const wa = modN(weight * a), wb = modN(weight * b), wx = modN(weight * x);
  let delta = 0n;
  for (let i = 0; i < n2; i++) {
    const yi = yInvPows[i];
    acc.gi[i] = modN(acc.gi[i] + wx * yi * wts.wR[i] - wa * s[i]);
    acc.hi[i] = modN(acc.hi[i] + weight * yi * (x * wts.wL[i] + wts.wO[i]) - wb * yi * s[n2 - 1 - i] - weight);
    if (wts.wR[i] !== 0n && wts.wL[i] !== 0n) delta += wts.wR[i] * wts.wL[i] * yi;
  }
  delta = modN(delta);
  const wc = modN(weight * c);
  acc.g = modN(acc.g + weight * w * (proof.tx - a * b) + wc * (x2 * (delta - wts.wc) - proof.tx));
  acc.h = modN(acc.h - weight * proof.mu - wc * proof.taux);
  const minus = modN(-wc * x2);
  vs.forEach((v, j) => {
    if (wts.wV[j] !== 0n) acc.add(v, minus * wts.wV[j]);
  });
  acc.add(proof.AI, wx);
  acc.add(proof.AO, wx * x);
  acc.add(proof.S, wx * x2);
  let xi = modN(wc * x);
  proof.T.forEach((p, idx) => {
    acc.add(p, xi);
    xi = modN(xi * (idx === 0 ? x2 : x));
  });
  for (let i = 0; i < k; i++) {
    acc.add(proof.L[i], weight * u[i] * u[i]);
    acc.add(proof.R[i], weight * uInv[i] * uInv[i]);
  }
}

/**
 * A batch item for `proof` (bytes or decoded) over `commitments` (in the circuit's input
 * order) for `circuit`, which the caller rebuilt from public data. Shape and decoding
 * failures raise VerificationError here, before any batch.
 */
export function circuitItem(circuit: Circuit, proof: Uint8Array | R1CSProof, commitments: Point[]): CustomItem {
  try {
    circuit.checkShape();
  } catch (e) {
    throw new VerificationError(`circuit is not well formed: ${(e as Error).message}`);
  }
  if (commitments.length !== circuit.inputs)
    throw new VerificationError(`circuit has ${circuit.inputs} committed inputs, got ${commitments.length} commitments`);
  for (const v of commitments) if (v.is0()) throw new VerificationError('a committed input is the identity');
  const p = proof instanceof Uint8Array ? decodeR1CSProof(proof, circuit) : proof;
  if (p.L.length !== circuit.rounds || p.R.length !== circuit.rounds)
    throw new VerificationError(`proof has ${p.L.length} inner-product rounds; a ${circuit.gates}-gate circuit needs ${circuit.rounds}`);
  return { accumulate: (acc, weight) => accumulate(acc, circuit, p, commitments, weight) };
}

/** Verify one proof on its own (VerificationError on failure). */
export function verifyCircuitProof(circuit: Circuit, proof: Uint8Array | R1CSProof, commitments: Point[]): void {
  verifyBatch([circuitItem(circuit, proof, commitments)], () => 'R1CS proof');
}


