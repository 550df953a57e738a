/**
 * Fiat-Shamir transcript (docs/spec.md 5): a running SHA-512 over framed records
 * record(tag, label, data) = tag || u32be(len label) || label || u64be(len data) || data.
 * A challenge absorbs record("C", label, ""), takes the digest of the state so far (the
 * state is not finalised), absorbs the digest and returns it mod n; zero is refused.
 */
import { sha512 } from '@noble/hashes/sha2';
import { bytesToBig, concat, u32be, u64be, utf8 } from './bytes.js';
import { N, pointToBytes, scalarToBytes, type Point } from './group.js';

type Bytesish = Uint8Array | string;
const asBytes = (x: Bytesish): Uint8Array => (typeof x === 'string' ? utf8(x) : x);

export class Transcript {
  private h = sha512.create();
  /** Every byte absorbed, only when `record` is set (for the vectors). */
  readonly log: Uint8Array[] | undefined;

  constructor(protocol: Bytesish, record = false) {
    this.log = record ? [] : undefined;
    this.absorb('I', utf8('zkpor-transcript-v1'), asBytes(protocol));
  }

  private absorb(tag: string, label: Uint8Array, data: Uint8Array): void {
    const rec = concat(utf8(tag), u32be(label.length), label, u64be(BigInt(data.length)), data);
    this.h.update(rec);
    this.log?.push(rec);
  }

  appendMessage(label: Bytesish, data: Uint8Array): void {
    this.absorb('M', asBytes(label), data);
  }

  appendU64(label: Bytesish, x: bigint): void {
    if (x < 0n || x >= 1n << 64n) throw new Error('u64 out of range');
    this.absorb('M', asBytes(label), u64be(x));
  }

  appendScalar(label: Bytesish, s: bigint): void {
    if (s < 0n || s >= N) throw new Error('scalar is not below n');
    this.absorb('M', asBytes(label), scalarToBytes(s));
  }

  appendPoint(label: Bytesish, p: Point, allowIdentity = false): void {
    if (p.is0() && !allowIdentity) throw new Error('transcript point is the identity');
    this.absorb('M', asBytes(label), pointToBytes(p));
  }

  /** The challenge and the 64-byte digest it was reduced from. */
  challengeWithDigest(label: Bytesish): { challenge: bigint; digest: Uint8Array } {
    this.absorb('C', asBytes(label), new Uint8Array(0));
    const digest = this.h.clone().digest();
    this.h.update(digest);
    this.log?.push(digest);
    const challenge = bytesToBig(digest) % N;
    if (challenge === 0n) throw new Error('zero challenge');
    return { challenge, digest };
  }

  challengeScalar(label: Bytesish): bigint {
    return this.challengeWithDigest(label).challenge;
  }
}
