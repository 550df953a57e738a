/** Byte helpers: hex, concatenation, big-endian integers, UTF-8, length framing. */
import { bytesToHex, hexToBytes as nobleHexToBytes } from '@noble/hashes/utils';

export { bytesToHex };

const HEX_RE = /^([0-9a-f]{2})*$/;

/** Lowercase even-length hex (the only hex zkpor's files hold) to bytes. */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) throw new Error('not lowercase hex');
  return nobleHexToBytes(hex);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** UTF-8 of well-formed text; a lone surrogate is refused (TextEncoder would write U+FFFD). */
export function utf8(text: string): Uint8Array {
  if (/\p{Cs}/u.test(text)) throw new Error('text holds a lone surrogate (not Unicode)');
  return new TextEncoder().encode(text);
}

export function u8(x: number): Uint8Array {
  if (!Number.isInteger(x) || x < 0 || x > 255) throw new Error(`u8 out of range: ${x}`);
  return Uint8Array.of(x);
}

export function u32be(x: number): Uint8Array {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new Error(`u32 out of range: ${x}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, x);
  return out;
}

export function u64be(x: bigint): Uint8Array {
  if (x < 0n || x >= 1n << 64n) throw new Error('u64 out of range');
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, x);
  return out;
}

/** f(x) = u32be(len(x)) || x (docs/spec.md 3, 7). */
export function framed(x: Uint8Array | string): Uint8Array {
  const b = typeof x === 'string' ? utf8(x) : x;
  return concat(u32be(b.length), b);
}

/** Big-endian unsigned integer. */
export function bytesToBig(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + bytesToHex(b));
}

export function bigToBytes(x: bigint, len: number): Uint8Array {
  if (x < 0n || x >= 1n << BigInt(8 * len)) throw new Error('integer does not fit');
  return nobleHexToBytes(x.toString(16).padStart(2 * len, '0'));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}
