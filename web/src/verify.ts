/**
 * What `zkpor verify user PROOF --manifest M [--digest D]` checks, as one call:
 * the files parsed strictly (InputError: "error"), the whole manifest (12.4, signatures
 * included), the inclusion proof against the manifest's roots, round and arity (8.2), and
 * every range proof (every path step and every solvency proof) in one batched msm (6.5).
 */
import { InputError, VerificationError } from './errors.js';
import { parseStrictJson } from './json.js';
import { inclusionProof, manifest as parseManifest, type InclusionProof, type Manifest } from './models.js';
import { checkInclusion, type VerifiedAsset } from './inclusion.js';
import { checkManifest, type ManifestCheck } from './manifest.js';
import { verifyBatch, type BatchItem } from './rangeproof.js';
import { decodeZkpi, isZkpi } from './zkpi.js';

export type Progress = (step: string) => void | Promise<void>;

export type UserReport = {
  userId: string; exchange: string; roundId: string; arity: number; created: string;
  digest: string; digestMatched: boolean | null;
  assets: VerifiedAsset[]; manifest: ManifestCheck; rangeProofs: number; proofFormat: 'json' | 'binary';
};

/** Margin accounts (spec section 16) came after this page: it says so instead of guessing. */
export const MARGIN_NOT_SUPPORTED =
  'this round has margin accounts (debts and collateral proofs), which this page cannot check yet: use zkpor verify user';

function refuseMargin(v: unknown, keys: string[]): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (keys.some((k) => k in o)) throw new InputError(MARGIN_NOT_SUPPORTED);
  }
}

export function loadProof(data: Uint8Array, name = 'proof'): { proof: InclusionProof; format: 'json' | 'binary' } {
  try {
    if (isZkpi(data)) return { proof: decodeZkpi(data), format: 'binary' };
    const json = parseStrictJson(data);
    refuseMargin(json, ['debts', 'collateral']);
    return { proof: inclusionProof(json), format: 'json' };
  } catch (e) {
    throw new InputError(`${name}: ${(e as Error).message}`);
  }
}

export function loadManifest(data: Uint8Array, name = 'manifest'): Manifest {
  try {
    const json = parseStrictJson(data);
    refuseMargin(json, ['quote']);
    const assets = (json as Record<string, unknown>)['assets'];
    if (assets !== null && typeof assets === 'object' && !Array.isArray(assets)) {
      for (const a of Object.values(assets as Record<string, unknown>)) refuseMargin(a, ['debt', 'price', 'tiers']);
    }
    return parseManifest(json);
  } catch (e) {
    throw new InputError(`${name}: ${(e as Error).message}`);
  }
}

/** Raises InputError (bad files) or VerificationError (a check failed). */
export async function verifyUser(
  proofData: Uint8Array, manifestData: Uint8Array, expectedDigest: string | null, progress: Progress = () => {},
): Promise<UserReport> {
  await progress('reading the files');
  const { proof, format } = loadProof(proofData);
  const m = loadManifest(manifestData);
  const batch: BatchItem[] = [];
  const labels: string[] = [];
  await progress('checking the manifest and the reserve signatures');
  const mc = checkManifest(m, expectedDigest, true, batch, labels);
  await progress('checking your path to the published roots');
  const roots = new Map([...m.assets].map(([k, a]) => [k, a]));
  const assets = checkInclusion(proof, roots, m.round_id, m.parameters.arity, batch, labels);
  await progress(`verifying ${batch.length} range proofs in one batch`);
  verifyBatch(batch, (i) => labels[i]);
  return {
    userId: proof.user_id, exchange: m.exchange, roundId: m.round_id, arity: m.parameters.arity, created: m.created,
    digest: mc.digest, digestMatched: mc.digestMatched, assets, manifest: mc, rangeProofs: batch.length, proofFormat: format,
  };
}

export { InputError, VerificationError };
