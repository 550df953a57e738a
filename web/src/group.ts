/**
 * secp256k1 (docs/spec.md 1) on @noble/curves: scalars (1.1) and the 33-byte point
 * encoding with a fixed-length identity (1.2), each non-canonical form refused.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { pippenger } from '@noble/curves/abstract/curve';
import { mod } from '@noble/curves/abstract/modular';
import { bytesToBig, bigToBytes } from './bytes.js';

export const Point = secp256k1.Point;
export type Point = InstanceType<typeof secp256k1.Point>;
export const N: bigint = Point.Fn.ORDER;
export const P: bigint = Point.Fp.ORDER;
export const G: Point = Point.BASE;
export const ZERO: Point = Point.ZERO;

export function modN(x: bigint): bigint {
  return mod(x, N);
}

/** Modular inverse mod n of a non-zero scalar. */
export function invN(x: bigint): bigint {
  return Point.Fn.inv(modN(x));
}

/** 32-byte big-endian scalar, refused when of another length or >= n (1.1). */
export function scalarFromBytes(b: Uint8Array, allowZero = true): bigint {
  if (b.length !== 32) throw new Error(`scalar must be 32 bytes, got ${b.length}`);
  const x = bytesToBig(b);
  if (x >= N) throw new Error('scalar is not below the group order n');
  if (!allowZero && x === 0n) throw new Error('scalar is zero');
  return x;
}

export function scalarToBytes(x: bigint): Uint8Array {
  return bigToBytes(modN(x), 32);
}

/** Decode a 33-byte point (1.2): the identity only when allowed, else each rule refused. */
export function pointFromBytes(b: Uint8Array, allowIdentity = false): Point {
  if (!(b instanceof Uint8Array)) throw new Error('point is not bytes');
  if (b.length !== 33) throw new Error(`point must be 33 bytes, got ${b.length}`);
  if (b[0] === 0) {
    if (b.some((x) => x !== 0)) throw new Error('point with prefix 00 has non-zero bytes');
    if (!allowIdentity) throw new Error('point is the identity');
    return ZERO;
  }
  if (b[0] !== 2 && b[0] !== 3) throw new Error(`point prefix ${b[0]} is not 02 or 03`);
  const x = bytesToBig(b.subarray(1));
  if (x >= P) throw new Error('point x is not below the field prime');
  try {
    return Point.fromBytes(b);
  } catch {
    throw new Error('point x is not on the curve');
  }
}

/** 33-byte encoding, the identity as 33 zero bytes. */
export function pointToBytes(p: Point): Uint8Array {
  if (p.is0()) return new Uint8Array(33);
  return p.toBytes(true);
}

/** k * P for any scalar (reduced mod n), the identity for 0. */
export function mul(p: Point, k: bigint): Point {
  const s = modN(k);
  if (s === 0n || p.is0()) return ZERO;
  return p.multiply(s);
}

/** sum_i scalars[i] * points[i] in one multi-scalar multiplication (Pippenger, noble). */
export function msm(points: Point[], scalars: bigint[]): Point {
  return pippenger(Point, Point.Fn, points, scalars.map(modN));
}

export function sum(points: Point[]): Point {
  let acc = ZERO;
  for (const p of points) acc = acc.add(p);
  return acc;
}
