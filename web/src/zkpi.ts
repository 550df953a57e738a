/**
 * The binary inclusion proof `.zkpi` (docs/spec.md 8.1a), big-endian, str8 = u8 length || UTF-8:
 *
 *   "ZKPI" | u8 version = 4 | u8 flags (bit 0: exchange, bit 1: debts; no other bit)
 *   | str8 exchange (1-100 bytes)                                   flag bit 0 only
 *   | str8 round_id | str8 user_id | u8 arity | u8 asset count
 *   per asset: str8 asset | u8 decimals | u64 units | 32 blinding | 32 salt
 *              | u64 leaf_index | u64 leaf_count | u8 depth
 *              per level 1..depth: u8 c | c x (32 hash || 33 commitment [|| 8 margin tag, level 1 only])
 *                                  | the child proofs (7.6)
 *   | debt section (flag bit 1 only): u8 debt count (>= 1) | the debts as the assets
 *     | u64 account | u8 input count | per input: str8 asset | u8 tree (0 equity, 1 debt)
 *     | u64 leaf | u32 proof length | the collateral proof
 *
 * A margin tag that is none is 8 zero bytes and decodes as an absent `margin`. Versions 1, 2
 * and 3 (before margin tags) are refused by name.
 *
 * Decoding is strict (exact lengths, no trailing bytes) and yields the JSON model, so the
 * verification is the same for both forms.
 */
import { bytesToHex, concat, hexToBytes, u32be, u64be, u8, utf8 } from './bytes.js';
import { identifierProblem } from './identifiers.js';
import { InputError } from './errors.js';
import { formatUnits } from './amounts.js';
import { INCLUSION_FORMAT, inclusionProof, type AssetInclusion, type InclusionProof } from './models.js';
import { MARGIN_TAG_BYTES, NO_TAG, childChunks, chunkProofSize, isNoTag, tagFromBytes, tagToBytes } from './sumtree.js';
import type { Json } from './json.js';

export const MAGIC = utf8('ZKPI');
const TREES = ['equity', 'debt'] as const;
export const ZKPI_VERSION = 4;
/** Versions of earlier releases (no margin tags), refused by name. */
const OLD_VERSIONS = [1, 2, 3];
const FLAG_EXCHANGE = 1;
const FLAG_DEBTS = 2;

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
        const child: { [k: string]: Json } = { hash: bytesToHex(raw.subarray(0, 32)), commitment: bytesToHex(raw.subarray(32)) };
        if (level === 1) {
          let tag;
          try {
            tag = tagFromBytes(r.take(MARGIN_TAG_BYTES, 'margin tag'));
          } catch (e) {
            if (e instanceof InputError) throw e;
            throw new InputError((e as Error).message);
          }
          if (!isNoTag(tag)) child.margin = { account: tag.account, inputs: tag.inputs };
        }
        children.push(child);
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

/** Version 4: the flags byte says whether the exchange (bit 0) and the debt section (bit 1) are present. */
export function decodeZkpi(data: Uint8Array): InclusionProof {
  const r = new Reader(data);
  if (!isZkpi(r.take(4, 'magic'))) throw new InputError('not a binary zkpor inclusion proof');
  const version = r.u8('version');
  if (OLD_VERSIONS.includes(version))
    throw new InputError(`binary inclusion proof version ${version} is from before leaf margin tags (version ${ZKPI_VERSION}) and is no longer accepted: ask the exchange for a new export`);
  if (version !== ZKPI_VERSION) throw new InputError(`unsupported binary inclusion proof version ${version}`);
  const flags = r.u8('flags');
  if (flags & ~(FLAG_EXCHANGE | FLAG_DEBTS))
    throw new InputError(`unknown flags 0x${flags.toString(16).padStart(2, '0')} (only bits 0 and 1 are defined)`);
  const head: { [k: string]: Json } = { format: INCLUSION_FORMAT };
  if (flags & FLAG_EXCHANGE) {
    const exchange = r.str8('exchange');
    if (exchange === '') throw new InputError('the exchange flag needs a non-empty exchange');
    const problem = identifierProblem(exchange, 100);
    if (problem !== null) throw new InputError(`exchange name ${problem}`);
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
  if (flags & FLAG_DEBTS) {
    const count = r.u8('debt count');
    if (count < 1) throw new InputError('the debts flag needs at least one debt');
    Object.assign(head, readMargin(r, count, arity));
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
      for (const c of s.children) {
        parts.push(hexToBytes(c.hash), hexToBytes(c.commitment));
        if (s.level === 1) parts.push(tagToBytes(c.margin ?? NO_TAG));
      }
      for (const pr of s.proofs) parts.push(hexToBytes(pr));
    }
  }
}

/**
 * The binary form of a (validated) proof, exactly one encoding per proof: flag bit 0 exactly
 * when it names its exchange, bit 1 exactly when it has debts. The amount is re-derived from the units.
 */
export function encodeZkpi(p: InclusionProof): Uint8Array {
  const debts = p.debts ?? [];
  if (debts.length && !p.collateral) throw new Error('debts without a collateral proof');
  if (!debts.length && p.collateral) throw new Error('a collateral proof without debts');
  const flags = (p.exchange !== undefined ? FLAG_EXCHANGE : 0) | (debts.length ? FLAG_DEBTS : 0);
  const parts: Uint8Array[] = [MAGIC, u8(ZKPI_VERSION), u8(flags)];
  if (p.exchange !== undefined) parts.push(str8(p.exchange));
  parts.push(str8(p.round_id), str8(p.user_id), u8(p.arity), u8(p.assets.length));
  entries(parts, p.assets);
  if (debts.length) {
    parts.push(u8(debts.length));
    const c = p.collateral!;
    entries(parts, debts);
    parts.push(u64be(BigInt(c.account)), u8(c.inputs.length));
    for (const i of c.inputs) parts.push(str8(i.asset), u8(TREES.indexOf(i.tree)), u64be(BigInt(i.leaf)));
    const raw = hexToBytes(c.proof);
    parts.push(u32be(raw.length), raw);
  }
  return concat(...parts);
}
