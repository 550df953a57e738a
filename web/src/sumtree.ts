/**
 * The k-ary Merkle sum tree's shape and hashes (docs/spec.md 7.3, 7.4, 7.6), shared by the
 * inclusion check: level sizes, children of a node, child proof chunks, leaf and node hashes
 * (equity trees and the debt trees `SYM/debt` of 16.3).
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

export function nodeHash(roundId: string, asset: string, level: number, children: Child[]): Uint8Array {
  if (level < 1 || level > 64) throw new Error('level out of range');
  if (children.length < 1 || children.length > 64) throw new Error('child count out of range');
  const parts = [framed('zkpor-node-v1'), framed(roundId), framed(asset), u8(level), u8(children.length)];
  for (const c of children) {
    if (c.hash.length !== 32 || c.commitment.length !== 33) throw new Error('child of the wrong size');
    parts.push(c.hash, c.commitment);
  }
  return sha256(concat(...parts));
}
