/**
 * A customer's inclusion proof against published roots (docs/spec.md 8.2, 16.8). Round id,
 * arity, roots and margin terms come from the published file, never from the proof; every
 * range proof of every step (siblings included) and the collateral proof are collected and
 * verified as one batch at the end.
 */
import { bytesToHex, equalBytes, hexToBytes } from './bytes.js';
import { VerificationError } from './errors.js';
import { G, N, mul, pointFromBytes, pointToBytes, sum, type Point } from './group.js';
import { H } from './generators.js';
import { parseAmount } from './amounts.js';
import type { AssetInclusion, AssetRoot, ChildNode, InclusionProof } from './models.js';
import { DEBT_SUFFIX, collateralItem, leafKey, type Leaves, type MarginTerms } from './margin.js';
import { type BatchItem, decodeRangeProof } from './rangeproof.js';
import {
  NO_TAG, RANGE_BITS, SUPPORTED_ARITIES, childChunks, childrenOf, describeTag, isNoTag, leafHash, levelSizes, nodeHash, tagToBytes,
  type Child, type MarginTag,
} from './sumtree.js';

export type StepView = { level: number; index: number; position: number; children: ChildNode[] };
export type VerifiedAsset = {
  asset: string; kind: 'equity' | 'debt'; amount: string; units: bigint; decimals: number; leafIndex: number; leafCount: number;
  rootHash: string; steps: StepView[];
  /** The leaf's own margin tag, as its level-1 node binds it (7.4; checked by 8.2 step 4). */
  tag: MarginTag;
};

function sameAmount(display: string, units: bigint, decimals: number): boolean {
  try {
    return parseAmount(display, decimals, 1n << 64n) === units;
  } catch {
    return false;
  }
}

type TreeRoot = { tree: string; decimals: number; leaf_count: number; depth: number; root_hash: string; root_commitment: string };

/**
 * Step 2 of 8.2 for one leaf (its range proofs go into `batch`); returns the view (with the
 * leaf's own margin tag, from its level-1 step) and the leaf commitment.
 */
function checkPath(
  e: AssetInclusion, root: TreeRoot, kind: 'equity' | 'debt', where: string, roundId: string, userId: string, arity: number,
  batch: BatchItem[], labels: string[],
): { view: VerifiedAsset; leaf: Point } {
  if (e.leaf_count !== root.leaf_count || e.decimals !== root.decimals)
    throw new VerificationError(`${where}: leaf count or decimals differ from the published root`);
  const sizes = levelSizes(root.leaf_count, arity);
  const depth = sizes.length - 1;
  if (depth !== root.depth) throw new VerificationError(`${where}: published depth ${root.depth} does not match ${root.leaf_count} leaves`);
  if (e.path.length !== depth) throw new VerificationError(`${where}: path has ${e.path.length} steps, the tree has ${depth}`);
  if (!(e.leaf_index < root.leaf_count)) throw new VerificationError(`${where}: leaf index out of range`);
  const units = BigInt(e.units);
  if (units >= 1n << BigInt(RANGE_BITS)) throw new VerificationError(`${where}: amount does not fit in 64 bits`);
  if (!sameAmount(e.amount, units, e.decimals)) throw new VerificationError(`${where}: amount ${JSON.stringify(e.amount)} does not match units`);
  const blinding = BigInt('0x' + e.blinding);
  if (blinding >= N) throw new VerificationError(`${where}: blinding is not a canonical scalar`);
  const leafPoint = mul(G, units).add(mul(H, blinding));
  const leafC = pointToBytes(leafPoint);
  let cur: Child = { hash: leafHash(roundId, root.tree, hexToBytes(e.salt), userId, leafC), commitment: leafC };
  let index = e.leaf_index;
  const steps: StepView[] = [];
  let ownTag: MarginTag = NO_TAG;
  for (let level = 1; level <= depth; level++) {
    const step = e.path[level - 1];
    const at = `${where}, level ${level}`;
    const parent = Math.floor(index / arity);
    const exp = childrenOf(parent, sizes[level - 1], arity);
    if (step.level !== level || step.index !== parent) throw new VerificationError(`${at}: node position does not follow from the leaf index`);
    if (step.children.length !== exp.count) throw new VerificationError(`${at}: node has ${step.children.length} children, expected ${exp.count}`);
    const children: Child[] = step.children.map((c) => ({ hash: hexToBytes(c.hash), commitment: hexToBytes(c.commitment) }));
    const mine = children[index - exp.start];
    if (!equalBytes(mine.hash, cur.hash) || !equalBytes(mine.commitment, cur.commitment))
      throw new VerificationError(`${at}: the node below is not the child at its position`);
    if (level === 1) ownTag = step.children[index - exp.start].margin ?? NO_TAG;
    let points: Point[];
    try {
      points = children.map((c) => pointFromBytes(c.commitment));
    } catch (err) {
      throw new VerificationError(`${at}: child commitment: ${(err as Error).message}`);
    }
    const chunks = childChunks(children.length);
    if (step.proofs.length !== chunks.length) throw new VerificationError(`${at}: expected ${chunks.length} range proofs`);
    let off = 0;
    chunks.forEach((m, j) => {
      let rp;
      try {
        rp = decodeRangeProof(hexToBytes(step.proofs[j]), RANGE_BITS, m);
      } catch (err) {
        throw new VerificationError(`${at}: range proof: ${(err as Error).message}`);
      }
      batch.push({ proof: rp, commitments: points.slice(off, off + m), bits: RANGE_BITS });
      labels.push(`${at}, range proof ${j + 1}`);
      off += m;
    });
    steps.push({ level, index: parent, position: index - exp.start, children: step.children });
    const tags = level === 1 ? step.children.map((c) => tagToBytes(c.margin ?? NO_TAG)) : null;
    cur = { hash: nodeHash(roundId, root.tree, level, children, tags), commitment: pointToBytes(sum(points)) };
    index = parent;
  }
  if (bytesToHex(cur.hash) !== root.root_hash || bytesToHex(cur.commitment) !== root.root_commitment)
    throw new VerificationError(`${where}: path does not lead to the published root`);
  return {
    view: { asset: e.asset, kind, amount: e.amount, units, decimals: e.decimals, leafIndex: e.leaf_index, leafCount: root.leaf_count, rootHash: root.root_hash, steps, tag: ownTag },
    leaf: leafPoint,
  };
}

const sameTag = (a: MarginTag, b: MarginTag): boolean => a.account === b.account && a.inputs === b.inputs;

/**
 * Step 4 of 8.2 (16.8 step 7): the margin tags of the customer's own leaves. Without debts every
 * one is none (a tagged leaf is pledged for someone else's debt); with debts every debt leaf and
 * every equity leaf in a priced asset carries (collateral.account, number of inputs), every
 * other leaf none. The messages are zkpor's (zkpor/verify/inclusion.py).
 */
export function checkTags(proof: InclusionProof, verified: VerifiedAsset[], terms: MarginTerms | null): void {
  const coll = proof.collateral;
  for (const v of verified) {
    const where = `asset ${v.asset}` + (v.kind === 'debt' ? ' (debt)' : '');
    const tag = v.tag;
    if (!coll) {
      if (!isNoTag(tag))
        throw new VerificationError(`${where}: your leaf is pledged as collateral of margin account ${tag.account}, but you have no debt: ` +
          "the exchange counts your balance as backing someone else's loan");
      continue;
    }
    const want: MarginTag = { account: coll.account, inputs: coll.inputs.length };
    const pledged = v.kind === 'debt' || (terms !== null && terms.prices.has(v.asset));
    if (pledged && !sameTag(tag, want))
      throw new VerificationError(`${where}: your leaf is tagged ${describeTag(tag)}, but your collateral proof is for ${describeTag(want)}: ` +
        'the published account is not the one you were shown');
    if (!pledged && !isNoTag(tag))
      throw new VerificationError(`${where}: your leaf is pledged as collateral of margin account ${tag.account}, ` +
        'but the asset has no price, so it cannot be collateral');
  }
}

/**
 * Check everything but the range and collateral proofs, which go into `batch` (verify them
 * with verifyBatch): the equity paths, the debt paths (debt trees `SYM/debt`, leaves hashed
 * with the debt tag) and, with debts, the collateral inputs (16.8 step 6) under the published
 * `terms`, then the margin tags of the customer's leaves (8.2 step 4). Returns the equity entries, then the debt entries. Raises VerificationError naming
 * the asset and level.
 */
export function checkInclusion(
  proof: InclusionProof, roots: Map<string, AssetRoot>, roundId: string, arity: number, batch: BatchItem[],
  labels: string[] = [], terms: MarginTerms | null = null,
): VerifiedAsset[] {
  if (proof.round_id !== roundId) throw new VerificationError(`proof is for round ${JSON.stringify(proof.round_id)}, not ${JSON.stringify(roundId)}`);
  if (proof.arity !== arity) throw new VerificationError(`proof uses arity ${proof.arity}, the round uses ${arity}`);
  if (!SUPPORTED_ARITIES.includes(arity)) throw new VerificationError(`unsupported arity ${arity}`);
  const kinds = [['equity', proof.assets], ['debt', proof.debts ?? []]] as const;
  for (const [kind, entries] of kinds) {
    const seen = new Set<string>();
    let previous: string | null = null;
    for (const e of entries) {
      if (seen.has(e.asset)) throw new VerificationError(`${kind} asset ${e.asset} appears twice`);
      // 8.1: ascending symbol bytes (symbols are ASCII, so UTF-16 order is byte order)
      if (previous !== null && e.asset < previous) {
        throw new VerificationError(`${kind} asset ${e.asset} is listed after ${previous}: the entries must be in ascending order of their symbols (8.1)`);
      }
      previous = e.asset;
      if (!roots.has(e.asset)) throw new VerificationError(`asset ${e.asset}: no published root for this asset`);
      if (kind === 'debt' && !roots.get(e.asset)!.debt) throw new VerificationError(`asset ${e.asset}: no published debt tree`);
      seen.add(e.asset);
    }
  }
  if (proof.collateral && !proof.debts?.length) throw new VerificationError('a collateral proof without debts');
  const out: VerifiedAsset[] = [];
  const leaves: Leaves = new Map();
  for (const [kind, entries] of kinds) {
    for (const e of entries) {
      const pub = roots.get(e.asset)!;
      const d = pub.debt;
      const root: TreeRoot = kind === 'debt' && d
        ? { tree: e.asset + DEBT_SUFFIX, decimals: pub.decimals, leaf_count: d.leaf_count, depth: d.depth, root_hash: d.root_hash, root_commitment: d.root_commitment }
        : { tree: e.asset, ...pub };
      const where = kind === 'debt' ? `asset ${e.asset} (debt)` : `asset ${e.asset}`;
      const r = checkPath(e, root, kind, where, roundId, proof.user_id, arity, batch, labels);
      leaves.set(leafKey(e.asset, kind, e.leaf_index), r.leaf);
      out.push(r.view);
    }
  }
  if (proof.debts?.length) {
    batch.push(collateralItem(proof, leaves, terms, [...roots.keys()]));
    labels.push(`collateral proof (margin account ${proof.collateral!.account})`);
  }
  checkTags(proof, out, terms);
  return out;
}
