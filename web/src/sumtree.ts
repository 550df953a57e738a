/**
 * The k-ary Merkle sum tree's shape and hashes (docs/spec.md 7.3, 7.4, 7.6), shared by the
 * inclusion check: level sizes, children of a node, child proof chunks, leaf and node hashes
 * (equity trees and the debt trees `SYM/debt` of 16.3), and the leaves' margin tags (7.4), bound at level 1.
 */
import { sha256 } from '@noble/hashes/sha2';
import { concat, framed, u8 } from './bytes.js';

export const SUPPORTED_ARITIES = [2, 4, 8, 16, 32, 64];
export const RANGE_BITS = 64;

/** s_0 = leaf_count, s_(l+1) = ceil(s_l / k) while s_l > 1; one leaf gets [1, 1]. */
export function levelSizes(leafCount: number, arity: number): number[] {
  if (!SUPPORTED_ARITIES.includes(arity)) throw new Error(`unsupported arity ${arity}`);
  if (!Number.isSafeInteger(leafCount) || leafCount < 1) throw new Error('a tree needs at least one leaf');
  const sizes = [leafCount];
  while (sizes[sizes.length - 1] > 1) sizes.push(Math.ceil(sizes[sizes.length - 1] / arity));
  if (sizes.length === 1) sizes.push(1);
  return sizes;
}

/** The children of node i of level l + 1: [i k, min(i k + k, s_l)). */
export function childrenOf(i: number, sizeBelow: number, arity: number): { start: number; count: number } {
  const start = i * arity;
  const end = Math.min(start + arity, sizeBelow);
  return { start, count: Math.max(0, end - start) };
}

/** The binary expansion of the child count, largest first (7.6). */
export function childChunks(count: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error(`child count ${count} out of range`);
  const out: number[] = [];
  for (let b = 64; b >= 1; b >>= 1) if (count & b) out.push(b);
  return out;
}

/** Bytes of a 64-bit aggregated proof over m values: 292 + 66 log2(64 m). */
export function chunkProofSize(m: number): number {
  return 292 + 66 * Math.log2(64 * m);
}

/** `asset` is the tree name: a debt tree (`SYM/debt`, 16.3) hashes its leaves with the debt tag. */
export function leafHash(roundId: string, asset: string, salt: Uint8Array, userId: string, commitment: Uint8Array): Uint8Array {
  if (salt.length !== 32) throw new Error(`salt must be 32 bytes, got ${salt.length}`);
  if (commitment.length !== 33) throw new Error('commitment must be 33 bytes');
  return sha256(concat(framed(asset.endsWith('/debt') ? 'zkpor-debt-leaf-v1' : 'zkpor-leaf-v1'), framed(roundId), framed(asset), salt, framed(userId), commitment));
}

export type Child = { hash: Uint8Array; commitment: Uint8Array };

/** Bytes of a margin tag (7.4): u32be(account) || u32be(inputs). */
export const MARGIN_TAG_BYTES = 8;
/** The largest account number and input count a tag holds (u32 each). */
export const MAX_TAG_FIELD = 0xffffffff;

/** A leaf's margin tag (7.4): `inputs = 0` (and `account = 0`) is none, a leaf no margin account uses. */
export type MarginTag = { account: number; inputs: number };
export const NO_TAG: MarginTag = { account: 0, inputs: 0 };

export const isNoTag = (t: MarginTag): boolean => t.inputs === 0;

export function tagToBytes(t: MarginTag): Uint8Array {
  for (const v of [t.account, t.inputs])
    if (!Number.isInteger(v) || v < 0 || v > MAX_TAG_FIELD) throw new Error('margin tag fields must fit in 32 bits');
  if (t.inputs === 0 && t.account !== 0) throw new Error('a margin tag without inputs must have account 0');
  const out = new Uint8Array(MARGIN_TAG_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, t.account);
  dv.setUint32(4, t.inputs);
  return out;
}

/** Only canonical tags decode: `inputs = 0` with `account != 0` is refused. */
export function tagFromBytes(b: Uint8Array): MarginTag {
  if (b.length !== MARGIN_TAG_BYTES) throw new Error(`a margin tag is ${MARGIN_TAG_BYTES} bytes, got ${b.length}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const t = { account: dv.getUint32(0), inputs: dv.getUint32(4) };
  if (t.inputs === 0 && t.account !== 0) throw new Error('non-canonical margin tag: account without inputs');
  return t;
}

/** "none" or "account A (N inputs)", as zkpor's messages say. */
export const describeTag = (t: MarginTag): string => (isNoTag(t) ? 'none' : `account ${t.account} (${t.inputs} inputs)`);

/**
 * SHA-256(f("zkpor-node-v2") || f(round) || f(asset) || u8(level) || u8(c) || child_0 || ...),
 * `child_i` = hash_i || C_i || tag_i at level 1 (the children are leaves, `tags` their 8-byte
 * margin tags: required there) and hash_i || C_i above (no tags).
 */
export function nodeHash(roundId: string, asset: string, level: number, children: Child[], tags: Uint8Array[] | null = null): Uint8Array {
  if (level < 1 || level > 64) throw new Error('level out of range');
  if (children.length < 1 || children.length > 64) throw new Error('child count out of range');
  if ((level === 1) !== (tags !== null)) throw new Error('margin tags go with the children of level-1 nodes only');
  if (tags !== null && (tags.length !== children.length || tags.some((t) => t.length !== MARGIN_TAG_BYTES)))
    throw new Error('one 8-byte margin tag per child');
  const parts = [framed('zkpor-node-v2'), framed(roundId), framed(asset), u8(level), u8(children.length)];
  children.forEach((c, i) => {
    if (c.hash.length !== 32 || c.commitment.length !== 33) throw new Error('child of the wrong size');
    parts.push(c.hash, c.commitment);
    if (tags !== null) parts.push(tags[i]);
  });
  return sha256(concat(...parts));
}
