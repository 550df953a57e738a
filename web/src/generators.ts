/**
 * The generator set (docs/spec.md 3): G the base point, H and the vector generators G_i,
 * H_i by hash_to_curve under the project DST, and the generator digest bound into every
 * transcript. Vector generators are made on first use and cached: the first 1,024 pairs come
 * from the table zkpor ships (zkpor/data/vector_generators.bin, G_0 || H_0 || G_1 || ...,
 * 33-byte points, embedded in the page) when its SHA-256 is the one zkpor/crypto/generators.py pins
 * and its first pair equals the derived one, which decodes 2,048 points instead of running
 * 2,048 hash_to_curve; beyond it, or with any mismatch, every point is derived.
 */
import { sha256 } from '@noble/hashes/sha2';
import { base64 } from '@scure/base';
import { bytesToHex, concat, framed, u32be, utf8 } from './bytes.js';
import { G, pointFromBytes, pointToBytes, type Point } from './group.js';
import { hashToCurve } from './h2c.js';
import shippedBase64 from '../../zkpor/data/vector_generators.bin';

export const SUITE = 'secp256k1_XMD:SHA-256_SSWU_RO_';
export const DST = utf8('ZKPOR-V01-CS01-with-' + SUITE);
export const H_MESSAGE = 'zkpor:pedersen:H';
export const G_PREFIX = 'zkpor:vector:G:';
export const H_PREFIX = 'zkpor:vector:H:';
export const DIGEST_LABEL = 'zkpor:generators:v1';

export const H: Point = hashToCurve(utf8(H_MESSAGE), DST);

export const SHIPPED_PAIRS = 1024;
export const SHIPPED_SHA256 = 'ea8c375d10caeda0bd3c93ccebcb47bbdbed35a0baa29bc1265a6a1df3257cff';

const gCache: Point[] = [];
const hCache: Point[] = [];

export function vectorMessage(prefix: string, i: number): Uint8Array {
  return concat(utf8(prefix), u32be(i));
}

export const deriveG = (i: number): Point => hashToCurve(vectorMessage(G_PREFIX, i), DST);
export const deriveH = (i: number): Point => hashToCurve(vectorMessage(H_PREFIX, i), DST);

/**
 * The shipped table from its base64 text, or null (then everything is derived) unless it is
 * exactly SHIPPED_PAIRS pairs with the pinned SHA-256 and its pair 0 equals the derived one.
 */
export function loadShipped(text: string, pin = SHIPPED_SHA256): Uint8Array | null {
  let data: Uint8Array;
  try {
    data = base64.decode(text);
  } catch {
    return null;
  }
  if (data.length !== 66 * SHIPPED_PAIRS || bytesToHex(sha256(data)) !== pin) return null;
  try {
    if (!pointFromBytes(data.subarray(0, 33)).equals(deriveG(0)) || !pointFromBytes(data.subarray(33, 66)).equals(deriveH(0))) return null;
  } catch {
    return null;
  }
  return data;
}

let shipped: Uint8Array | null | undefined;

/** Whether the generators come from the shipped table (after it was checked). */
export function usingShipped(): boolean {
  if (shipped === undefined) shipped = loadShipped(shippedBase64);
  return shipped !== null;
}

function extend(cache: Point[], count: number, offset: number, derive: (i: number) => Point): Point[] {
  while (cache.length < count) {
    const i = cache.length;
    cache.push(i < SHIPPED_PAIRS && usingShipped() ? pointFromBytes(shipped!.subarray(66 * i + offset, 66 * i + offset + 33)) : derive(i));
  }
  return cache.slice(0, count);
}

/** G_0 .. G_(count-1) (cached). */
export function vectorG(count: number): Point[] {
  return extend(gCache, count, 0, deriveG);
}

/** H_0 .. H_(count-1) (cached). */
export function vectorH(count: number): Point[] {
  return extend(hCache, count, 33, deriveH);
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
