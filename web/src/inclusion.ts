/**
 * A customer's inclusion proof against published roots (docs/spec.md 8.2). Round id, arity
 * and roots come from the published file, never from the proof; every range proof of every
 * step (siblings included) is collected and verified as one batch at the end.
 */
import { bytesToHex, equalBytes, hexToBytes } from './bytes.js';
import { VerificationError } from './errors.js';
import { G, N, mul, pointFromBytes, pointToBytes, sum, type Point } from './group.js';
import { H } from './generators.js';
import { parseAmount } from './amounts.js';
import type { AssetRoot, InclusionProof } from './models.js';
import { type BatchItem, decodeRangeProof } from './rangeproof.js';
import { RANGE_BITS, SUPPORTED_ARITIES, childChunks, childrenOf, leafHash, levelSizes, nodeHash, type Child } from './sumtree.js';

export type StepView = { level: number; index: number; position: number; children: { hash: string; commitment: string }[] };
export type VerifiedAsset = { asset: string; amount: string; units: bigint; decimals: number; leafIndex: number; leafCount: number; rootHash: string; steps: StepView[] };

function sameAmount(display: string, units: bigint, decimals: number): boolean {
  try {
    return parseAmount(display, decimals, 1n << 64n) === units;
  } catch {
    return false;
  }
}

/**
 * Check everything but the range proofs, which go into `batch` (verify them with
 * verifyBatch). Raises VerificationError naming the asset and level.
 */
export function checkInclusion(
  proof: InclusionProof, roots: Map<string, AssetRoot>, roundId: string, arity: number, batch: BatchItem[],
  labels: string[] = [],
): VerifiedAsset[] {
  if (proof.round_id !== roundId) throw new VerificationError(`proof is for round ${JSON.stringify(proof.round_id)}, not ${JSON.stringify(roundId)}`);
  if (proof.arity !== arity) throw new VerificationError(`proof uses arity ${proof.arity}, the round uses ${arity}`);
  if (!SUPPORTED_ARITIES.includes(arity)) throw new VerificationError(`unsupported arity ${arity}`);
  const seen = new Set<string>();
  for (const e of proof.assets) {
    if (seen.has(e.asset)) throw new VerificationError(`asset ${e.asset} appears twice`);
    if (!roots.has(e.asset)) throw new VerificationError(`asset ${e.asset}: no published root for this asset`);
    seen.add(e.asset);
  }
  const out: VerifiedAsset[] = [];
  for (const e of proof.assets) {
    const where = `asset ${e.asset}`;
    const root = roots.get(e.asset)!;
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
    const leafC = pointToBytes(mul(G, units).add(mul(H, blinding)));
    let cur: Child = { hash: leafHash(roundId, e.asset, hexToBytes(e.salt), proof.user_id, leafC), commitment: leafC };
    let index = e.leaf_index;
    const steps: StepView[] = [];
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
      cur = { hash: nodeHash(roundId, e.asset, level, children), commitment: pointToBytes(sum(points)) };
      index = parent;
    }
    if (bytesToHex(cur.hash) !== root.root_hash || bytesToHex(cur.commitment) !== root.root_commitment)
      throw new VerificationError(`${where}: path does not lead to the published root`);
    out.push({ asset: e.asset, amount: e.amount, units, decimals: e.decimals, leafIndex: e.leaf_index, leafCount: root.leaf_count, rootHash: root.root_hash, steps });
  }
  return out;
}

