/**
 * Solvency per asset (docs/spec.md 11): D = ((q R) mod n) G - p C_L opens to q R - p L;
 * the proof C_hi || range proof (787 bytes) shows D = C_lo + 2^64 C_hi with both halves in
 * [0, 2^64), which forces q R >= p L (11.6). The range proof binds `context` (in a
 * manifest: the statement digest followed by the asset symbol).
 */
import { VerificationError } from './errors.js';
import { G, mul, pointFromBytes, type Point } from './group.js';
import { decodeRangeProof, type RangeItem, type RangeProof } from './rangeproof.js';

const MIN_RATIO = /^([1-9][0-9]{0,9})\/([1-9][0-9]{0,9})$/;

/**
 * The manifest's `min_ratio` (docs/spec.md 11.7, 12.2): `"p/q"`, ASCII digits without leading
 * zeros, with 1 <= q <= p < 2^32 (lowest terms not required: the proof is for this p and q).
 * The prover's `--min-ratio` text grammar (decimals, white space) is not read here.
 */
export function parseMinRatio(text: string): { p: bigint; q: bigint } {
  const m = MIN_RATIO.exec(text);
  if (!m) throw new VerificationError(`min_ratio ${JSON.stringify(text)} is not "p/q" in decimal digits`);
  const p = BigInt(m[1]);
  const q = BigInt(m[2]);
  if (q > p) throw new VerificationError(`min_ratio ${text} is below 1 (no fractional reserves)`);
  if (p >= 1n << 32n) throw new VerificationError(`min_ratio ${text} has a term of 2^32 or more`);
  return { p, q };
}

export type SolvencyProof = { cHi: Point; rangeProof: RangeProof };

export function decodeSolvencyProof(b: Uint8Array): SolvencyProof {
  if (b.length < 33) throw new VerificationError('solvency proof shorter than 33 bytes');
  let cHi: Point;
  try {
    cHi = pointFromBytes(b.subarray(0, 33), true);
  } catch (e) {
    throw new VerificationError(`solvency proof C_hi: ${(e as Error).message}`);
  }
  return { cHi, rangeProof: decodeRangeProof(b.subarray(33), 64, 2) };
}

/**
 * The range-proof item of 11.5 (checks 1 and 2 done here), for a batch. `cP`: the private
 * reserves' commitment C_P (11.9), added q times to D; null without private reserves.
 */
export function solvencyItem(
  R: bigint, cL: Point, proof: SolvencyProof, p: bigint, q: bigint, context: Uint8Array, cP: Point | null = null,
): RangeItem {
  if (R < 0n || R >= 1n << 64n) throw new VerificationError('reserves must be in [0, 2^64)');
  if (!(1n <= q && q <= p && p < 1n << 32n)) throw new VerificationError('ratio must satisfy 1 <= q <= p < 2^32');
  let D = mul(G, q * R).subtract(mul(cL, p));
  if (cP !== null) D = D.add(mul(cP, q));
  if (proof.cHi.is0()) throw new VerificationError('C_hi is the identity');
  const cLo = D.subtract(mul(proof.cHi, 1n << 64n));
  if (cLo.is0()) throw new VerificationError('C_lo is the identity');
  return { proof: proof.rangeProof, commitments: [cLo, proof.cHi], bits: 64, context };
}

export function differenceCommitment(R: bigint, cL: Point, p: bigint, q: bigint): Point {
  return mul(G, q * R).subtract(mul(cL, p));
}
