/**
 * RFC 9380 hashing to secp256k1 (docs/spec.md 2): expand_message_xmd with SHA-256 and the
 * suite secp256k1_XMD:SHA-256_SSWU_RO_, from @noble/curves (its SSWU map onto E' and
 * 3-isogeny). The extra refusals of zkpor (an empty DST, a length of 0) are checked here.
 */
import { secp256k1_hasher } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToBig, concat, u8, utf8 } from './bytes.js';
import { P, Point } from './group.js';

/**
 * RFC 9380 5.3.1 with SHA-256 (b = 32, r = 64 bytes), the DST over 255 bytes replaced by
 * SHA-256("H2C-OVERSIZE-DST-" || DST) (5.3.3). Written here rather than taken from noble:
 * @noble/curves 1.9.7 refuses len_in_bytes = 8160 (ell = 255), which the RFC allows.
 */
export function expandMessageXmd(msg: Uint8Array, dst: Uint8Array, len: number): Uint8Array {
  if (dst.length === 0) throw new Error('empty DST');
  if (!Number.isInteger(len) || len <= 0 || len > 8160) throw new Error('len_in_bytes out of range');
  if (dst.length > 255) dst = sha256(concat(utf8('H2C-OVERSIZE-DST-'), dst));
  const ell = Math.ceil(len / 32);
  const dstPrime = concat(dst, u8(dst.length));
  const b0 = sha256(concat(new Uint8Array(64), msg, Uint8Array.of(len >> 8, len & 0xff), u8(0), dstPrime));
  const out = new Uint8Array(ell * 32);
  let prev = sha256(concat(b0, u8(1), dstPrime));
  out.set(prev, 0);
  for (let i = 2; i <= ell; i++) {
    const x = new Uint8Array(32);
    for (let j = 0; j < 32; j++) x[j] = b0[j] ^ prev[j];
    prev = sha256(concat(x, u8(i), dstPrime));
    out.set(prev, (i - 1) * 32);
  }
  return out.slice(0, len);
}

/** hash_to_field (RFC 9380 5.2) for count 2, m = 1, L = 48. */
function hashToField2(msg: Uint8Array, dst: Uint8Array): [bigint, bigint] {
  const u = expandMessageXmd(msg, dst, 96);
  return [bytesToBig(u.subarray(0, 48)) % P, bytesToBig(u.subarray(48, 96)) % P];
}

export type H2COutput = { u0: bigint; u1: bigint; q0: Point; q1: Point; p: Point };

/** hash_to_curve with every intermediate value (hash_to_field count 2, L = 48). */
export function hashToCurveTrace(msg: Uint8Array, dst: Uint8Array): H2COutput {
  if (dst.length === 0) throw new Error('empty DST');
  const [u0, u1] = hashToField2(msg, dst);
  const q0 = secp256k1_hasher.mapToCurve([u0]) as unknown as Point;
  const q1 = secp256k1_hasher.mapToCurve([u1]) as unknown as Point;
  return { u0, u1, q0, q1, p: q0.add(q1) };
}

export function hashToCurve(msg: Uint8Array, dst: Uint8Array): Point {
  if (dst.length === 0) throw new Error('empty DST');
  return Point.fromAffine(secp256k1_hasher.hashToCurve(msg, { DST: dst }).toAffine());
}
