/**
 * ECDSA public-key recovery (docs/spec.md 10.7, SEC 1 v2 4.1.6): with e = digest mod n,
 * x = r + (recid >> 1) n (refused unless x < p), R = (x, y) with y of parity recid & 1,
 * Q = r^-1 (s R - e G), refused if the identity.
 */
import { bytesToBig, concat, bigToBytes } from '../bytes.js';
import { VerificationError } from '../errors.js';
import { G, N, P, invN, modN, mul, pointFromBytes, type Point } from '../group.js';

export function checkRange(r: bigint, s: bigint): void {
  if (r === 0n) throw new VerificationError('signature r is zero');
  if (s === 0n) throw new VerificationError('signature s is zero');
  if (r >= N) throw new VerificationError('signature r is not below the group order n');
  if (s >= N) throw new VerificationError('signature s is not below the group order n');
}

export function recoverPublicKey(digest: Uint8Array, r: bigint, s: bigint, recid: number): Point {
  checkRange(r, s);
  if (!Number.isInteger(recid) || recid < 0 || recid > 3) throw new VerificationError('recovery id out of range');
  const fail = () => new VerificationError('signature does not recover a public key');
  const x = r + BigInt(recid >> 1) * N;
  if (x >= P) throw fail();
  let R: Point;
  try {
    R = pointFromBytes(concat(Uint8Array.of(2 + (recid & 1)), bigToBytes(x, 32)));
  } catch {
    throw fail();
  }
  const e = modN(bytesToBig(digest));
  const rInv = invN(r);
  const Q = mul(R, modN(s * rInv)).subtract(mul(G, modN(e * rInv)));
  if (Q.is0()) throw fail();
  return Q;
}
