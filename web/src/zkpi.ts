/**
 * The binary inclusion proof `.zkpi` (docs/spec.md 8.1a), big-endian, str8 = u8 length || UTF-8:
 *
 *   "ZKPI" | u8 version = 1 | str8 round_id | str8 user_id | u8 arity | u8 asset count
 *   per asset: str8 asset | u8 decimals | u64 units | 32 blinding | 32 salt
 *              | u64 leaf_index | u64 leaf_count | u8 depth
 *              per level 1..depth: u8 c | c x (32 hash || 33 commitment) | the child proofs (7.6)
 *
 * Version 2 (debts, 8.1a) appends u8 debt count (>= 1) | the debts as the assets | u64 account
 * | u8 input count | per input: str8 asset | u8 tree (0 equity, 1 debt) | u64 leaf
 * | u32 proof length | the collateral proof. Version 3 (a proof that names its exchange) is
 * "ZKPI" | 3 | str8 exchange | the version-1 layout | u8 debt count (0: none) | the debt section.
 *
 * Decoding is strict (exact lengths, no trailing bytes) and yields the JSON model, so the
 * verification is the same for both forms.
 */
import { bytesToHex, concat, hexToBytes, u32be, u64be, u8, utf8 } from './bytes.js';
import { identifierProblem } from './identifiers.js';
import { InputError } from './errors.js';
import { formatUnits } from './amounts.js';
import { inclusionProof, type AssetInclusion, type InclusionProof } from './models.js';
import { childChunks, chunkProofSize } from './sumtree.js';
import type { Json } from './json.js';

export const MAGIC = utf8('ZKPI');
const TREES = ['equity', 'debt'] as const;

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

function readEntries(r: Reader, count: number, arity: number): Json[] {
  const out: Json[] = [];
  for (let a = 0; a < count; a++) {
    const asset = r.str8('asset');
    const decimals = r.u8('decimals');
    const units = r.u64('units');
    const blinding = bytesToHex(r.take(32, 'blinding'));
    const salt = bytesToHex(r.take(32, 'salt'));
    const leafIndex = safe(r.u64('leaf_index'), 'leaf_index');
    const leafCount = safe(r.u64('leaf_count'), 'leaf_count');
    if (decimals > 30) throw new InputError('decimals above 30');
    const depth = r.u8('depth');
    if (depth < 1 || depth > 64) throw new InputError(`depth ${depth} outside 1..64`);
    const path: Json[] = [];
    let index = leafIndex;
    for (let level = 1; level <= depth; level++) {
      index = Math.floor(index / arity);
      const c = r.u8('child count');
      // Rule 7: checked before any child is read.
      if (c < 1 || c > arity) throw new InputError(`a node has 1 to ${arity} children (the arity), not ${c}`);
      const children: Json[] = [];
      for (let i = 0; i < c; i++) {
        const raw = r.take(65, 'children');
        children.push({ hash: bytesToHex(raw.subarray(0, 32)), commitment: bytesToHex(raw.subarray(32)) });
      }
      const proofs = childChunks(c).map((m) => bytesToHex(r.take(chunkProofSize(m), 'range proofs')));
      path.push({ level, index, children, proofs });
    }
    out.push({
      asset, decimals, amount: formatUnits(units, decimals), units: units.toString(),
      blinding, salt, leaf_index: leafIndex, leaf_count: leafCount, path,
    });
  }
  return out;
}

/** The debt section after its count byte: debts, then the collateral proof (16.8). */
function readMargin(r: Reader, count: number, arity: number): { debts: Json[]; collateral: Json } {
  const debts = readEntries(r, count, arity);
  const account = safe(r.u64('account'), 'account');
  const inputs: Json[] = [];
  const n = r.u8('input count');
  for (let i = 0; i < n; i++) {
    const asset = r.str8('input asset');
    const tree = r.u8('input tree');
    if (tree > 1) throw new InputError('input tree must be 0 (equity) or 1 (debt)');
    inputs.push({ asset, tree: TREES[tree], leaf: safe(r.u64('input leaf'), 'input leaf') });
  }
  const length = new DataView(r.take(4, 'proof length').slice().buffer).getUint32(0);
  const proof = bytesToHex(r.take(length, 'collateral proof'));
  return { debts, collateral: { account, inputs, proof } };
}

/**
 * Versions: 1 (no debts), 2 (debts: u8 debt count >= 1 and the debt section after the
 * assets), 3 (the proof names its exchange: str8 exchange right after the version, then the
 * version-1 layout, then u8 debt count, 0 for none, and the version-2 debt section when >= 1).
 */
export function decodeZkpi(data: Uint8Array): InclusionProof {
  const r = new Reader(data);
  if (!isZkpi(r.take(4, 'magic'))) throw new InputError('not a binary zkpor inclusion proof');
  const version = r.u8('version');
  if (version < 1 || version > 3) throw new InputError('unsupported binary inclusion proof version');
  const head: { [k: string]: Json } = { format: 'zkpor-inclusion-v1' };
  if (version === 3) {
    const exchange = r.str8('exchange');
    const problem = identifierProblem(exchange, 100);
    if (problem !== null) throw new InputError(`a version 3 proof names its exchange: exchange name ${problem}`);
    head.exchange = exchange;
  }
  head.round_id = r.str8('round_id');
  head.user_id = r.str8('user_id');
  const arity = r.u8('arity');
  if (![2, 4, 8, 16, 32, 64].includes(arity)) throw new InputError(`arity ${arity} is not 2, 4, 8, 16, 32 or 64`);
  head.arity = arity;
  const count = r.u8('asset count');
  if (count < 1) throw new InputError('asset count 0');
  head.assets = readEntries(r, count, arity);
  if (version >= 2) {
    const count = r.u8('debt count');
    if (version === 2 && count < 1) throw new InputError('a version 2 proof has at least one debt');
    if (count >= 1) Object.assign(head, readMargin(r, count, arity));
  }
  if (r.pos !== data.length) throw new InputError(`binary inclusion proof has ${data.length - r.pos} trailing bytes`);
  return inclusionProof(head);
}

function str8(s: string): Uint8Array {
  const b = utf8(s);
  if (b.length > 255) throw new Error('string longer than 255 bytes');
  return concat(u8(b.length), b);
}

function entries(parts: Uint8Array[], list: AssetInclusion[]): void {
  for (const a of list) {
    parts.push(str8(a.asset), u8(a.decimals), u64be(BigInt(a.units)), hexToBytes(a.blinding), hexToBytes(a.salt),
      u64be(BigInt(a.leaf_index)), u64be(BigInt(a.leaf_count)), u8(a.path.length));
    for (const s of a.path) {
      parts.push(u8(s.children.length));
      for (const c of s.children) parts.push(hexToBytes(c.hash), hexToBytes(c.commitment));
      for (const pr of s.proofs) parts.push(hexToBytes(pr));
    }
  }
}

/**
 * The binary form of a (validated) proof, exactly one encoding per proof: version 3 when it
 * names its exchange, else 2 with debts, else 1. The amount is re-derived from the units.
 */
export function encodeZkpi(p: InclusionProof): Uint8Array {
  const debts = p.debts ?? [];
  if (debts.length && !p.collateral) throw new Error('debts without a collateral proof');
  if (!debts.length && p.collateral) throw new Error('a collateral proof without debts');
  const version = p.exchange !== undefined ? 3 : debts.length ? 2 : 1;
  const parts: Uint8Array[] = [MAGIC, u8(version)];
  if (p.exchange !== undefined) parts.push(str8(p.exchange));
  parts.push(str8(p.round_id), str8(p.user_id), u8(p.arity), u8(p.assets.length));
  entries(parts, p.assets);
  if (version === 3 || debts.length) parts.push(u8(debts.length));
  if (debts.length) {
    const c = p.collateral!;
    entries(parts, debts);
    parts.push(u64be(BigInt(c.account)), u8(c.inputs.length));
    for (const i of c.inputs) parts.push(str8(i.asset), u8(TREES.indexOf(i.tree)), u64be(BigInt(i.leaf)));
    const raw = hexToBytes(c.proof);
    parts.push(u32be(raw.length), raw);
  }
  return concat(...parts);
}
