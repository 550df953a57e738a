/**
 * The generator set (docs/spec.md 3): G the base point, H and the vector generators G_i,
 * H_i by hash_to_curve under the project DST, and the generator digest bound into every
 * transcript. Vector generators are derived on first use and cached.
 */
import { sha256 } from '@noble/hashes/sha2';
import { concat, framed, u32be, utf8 } from './bytes.js';
import { G, pointToBytes, type Point } from './group.js';
import { hashToCurve } from './h2c.js';

export const SUITE = 'secp256k1_XMD:SHA-256_SSWU_RO_';
export const DST = utf8('ZKPOR-V01-CS01-with-' + SUITE);
export const H_MESSAGE = 'zkpor:pedersen:H';
export const G_PREFIX = 'zkpor:vector:G:';
export const H_PREFIX = 'zkpor:vector:H:';
export const DIGEST_LABEL = 'zkpor:generators:v1';

export const H: Point = hashToCurve(utf8(H_MESSAGE), DST);

const gCache: Point[] = [];
const hCache: Point[] = [];

export function vectorMessage(prefix: string, i: number): Uint8Array {
  return concat(utf8(prefix), u32be(i));
}

/** G_0 .. G_(count-1) (cached). */
export function vectorG(count: number): Point[] {
  while (gCache.length < count) gCache.push(hashToCurve(vectorMessage(G_PREFIX, gCache.length), DST));
  return gCache.slice(0, count);
}

/** H_0 .. H_(count-1) (cached). */
export function vectorH(count: number): Point[] {
  while (hCache.length < count) hCache.push(hashToCurve(vectorMessage(H_PREFIX, hCache.length), DST));
  return hCache.slice(0, count);
}

export function generatorDigestPreimage(): Uint8Array {
  return concat(
    framed(DIGEST_LABEL), framed(SUITE), framed(DST), framed(H_MESSAGE), framed(G_PREFIX),
    framed(H_PREFIX), pointToBytes(G), pointToBytes(H), pointToBytes(vectorG(1)[0]),
    pointToBytes(vectorH(1)[0]),
  );
}

let digestCache: Uint8Array | undefined;

/** SHA-256 of the framed derivation rule and spot values G, H, G_0, H_0. */
export function generatorDigest(): Uint8Array {
  if (!digestCache) digestCache = sha256(generatorDigestPreimage());
  return digestCache;
}
