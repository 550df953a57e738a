/**
 * The binary inclusion proof `.zkpi` (docs/spec.md 8.1a), big-endian, str8 = u8 length || UTF-8:
 *
 *   "ZKPI" | u8 version = 1 | str8 round_id | str8 user_id | u8 arity | u8 asset count
 *   per asset: str8 asset | u8 decimals | u64 units | 32 blinding | 32 salt
 *              | u64 leaf_index | u64 leaf_count | u8 depth
 *              per level 1..depth: u8 c | c x (32 hash || 33 commitment) | the child proofs (7.6)
 *
 * Decoding is strict (exact lengths, no trailing bytes) and yields the JSON model, so the
 * verification is the same for both forms.
 */
import { bytesToHex, concat, hexToBytes, u64be, u8, utf8 } from './bytes.js';
import { InputError } from './errors.js';
import { formatUnits } from './amounts.js';
import { inclusionProof, type InclusionProof } from './models.js';
import { childChunks, chunkProofSize } from './sumtree.js';
import type { Json } from './json.js';

export const MAGIC = utf8('ZKPI');

export function isZkpi(data: Uint8Array): boolean {
  return data.length >= 4 && MAGIC.every((b, i) => data[i] === b);
}

class Reader {
  pos = 0;
  constructor(readonly d: Uint8Array) {}
  take(n: number, what: string): Uint8Array {
    if (this.pos + n > this.d.length) throw new InputError(`binary inclusion proof truncated in ${what}`);
    const out = this.d.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(what: string): number {
    return this.take(1, what)[0];
  }
  u64(what: string): bigint {
    return new DataView(this.take(8, what).slice().buffer).getBigUint64(0);
  }
  str8(what: string): string {
    const b = this.take(this.u8(what), what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      throw new InputError(`${what} is not UTF-8`);
    }
  }
}

const safe = (x: bigint, what: string): number => {
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(`${what} too large`);
  return Number(x);
};

export function decodeZkpi(data: Uint8Array): InclusionProof {
  const r = new Reader(data);
  if (!isZkpi(r.take(4, 'magic'))) throw new InputError('not a binary zkpor inclusion proof');
  const version = r.u8('version');
  if (version === 2) {
    throw new InputError(
      'this proof has margin accounts (debts and a collateral proof), which this page cannot check yet: use zkpor verify user',
    );
  }
  if (version !== 1) throw new InputError('unsupported binary inclusion proof version');
  const roundId = r.str8('round_id');
  const userId = r.str8('user_id');
  const arity = r.u8('arity');
  if (arity < 2) throw new InputError('arity out of range');
  const assets: Json[] = [];
  const count = r.u8('asset count');
  for (let a = 0; a < count; a++) {
    const asset = r.str8('asset');
    const decimals = r.u8('decimals');
    const units = r.u64('units');
    const blinding = bytesToHex(r.take(32, 'blinding'));
    const salt = bytesToHex(r.take(32, 'salt'));
    const leafIndex = safe(r.u64('leaf_index'), 'leaf_index');
    const leafCount = safe(r.u64('leaf_count'), 'leaf_count');
    const depth = r.u8('depth');
    const path: Json[] = [];
    let index = leafIndex;
    for (let level = 1; level <= depth; level++) {
      index = Math.floor(index / arity);
      const c = r.u8('child count');
      if (c < 1 || c > 64) throw new InputError('a node has 1 to 64 children');
      const children: Json[] = [];
      for (let i = 0; i < c; i++) {
        const raw = r.take(65, 'children');
        children.push({ hash: bytesToHex(raw.subarray(0, 32)), commitment: bytesToHex(raw.subarray(32)) });
      }
      const proofs = childChunks(c).map((m) => bytesToHex(r.take(chunkProofSize(m), 'range proofs')));
      path.push({ level, index, children, proofs });
    }
    assets.push({
      asset, decimals, amount: decimals <= 30 ? formatUnits(units, decimals) : '', units: units.toString(),
      blinding, salt, leaf_index: leafIndex, leaf_count: leafCount, path,
    });
  }
  if (r.pos !== data.length) throw new InputError(`binary inclusion proof has ${data.length - r.pos} trailing bytes`);
  return inclusionProof({ format: 'zkpor-inclusion-v1', round_id: roundId, user_id: userId, arity, assets });
}

function str8(s: string): Uint8Array {
  const b = utf8(s);
  if (b.length > 255) throw new Error('string longer than 255 bytes');
  return concat(u8(b.length), b);
}

/** The binary form of a (validated) proof; the amount is re-derived from the units. */
export function encodeZkpi(p: InclusionProof): Uint8Array {
  const parts: Uint8Array[] = [MAGIC, u8(1), str8(p.round_id), str8(p.user_id), u8(p.arity), u8(p.assets.length)];
  for (const a of p.assets) {
    parts.push(str8(a.asset), u8(a.decimals), u64be(BigInt(a.units)), hexToBytes(a.blinding), hexToBytes(a.salt),
      u64be(BigInt(a.leaf_index)), u64be(BigInt(a.leaf_count)), u8(a.path.length));
    for (const s of a.path) {
      parts.push(u8(s.children.length));
      for (const c of s.children) parts.push(hexToBytes(c.hash), hexToBytes(c.commitment));
      for (const pr of s.proofs) parts.push(hexToBytes(pr));
    }
  }
  return concat(...parts);
}
