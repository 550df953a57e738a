/**
 * What `zkpor verify user PROOF --manifest M [--digest D]` checks, as one call:
 * the files parsed strictly (InputError: "error"), the whole manifest (12.4, signatures and
 * margin terms included), the inclusion proof against the manifest's exchange, roots, round and
 * arity (8.2; debts, the collateral proof and the margin tags of the customer's leaves, 16.8), and every range proof (every path step,
 * every solvency proof) with the collateral proof in one batched msm (6.5, 15.6).
 */
import { CheckFailure, InputError, VerificationError } from './errors.js';
import { parseStrictJson } from './json.js';
import { inclusionProof, manifest as parseManifest, type InclusionProof, type Manifest } from './models.js';
import { checkInclusion, type VerifiedAsset } from './inclusion.js';
import { checkManifest, manifestDigest, normalizeDigest, type ManifestCheck } from './manifest.js';
import { verifyBatch, type BatchItem } from './rangeproof.js';
import { decodeZkpi, isZkpi } from './zkpi.js';
import { shown } from './identifiers.js';

export type Progress = (step: string) => void | Promise<void>;

export type UserReport = {
  userId: string; exchange: string; proofNamesExchange: boolean; roundId: string; arity: number; created: string;
  digest: string; digestMatched: boolean | null;
  /** Equity entries, then debt entries (kind "debt"). */
  assets: VerifiedAsset[]; manifest: ManifestCheck; rangeProofs: number; proofFormat: 'json' | 'binary';
  /** The margin account whose collateral proof was verified, when the customer has debts. */
  collateralAccount: number | null;
  /**
   * Not checked by a customer's check (16.8): for every asset with a debt tree, that the debt
   * total is made only of covered debts; only a full audit checks it (debtTotalNote; the
   * text of zkpor/cli/verify_text.py audit_only, with the manifest's digest).
   */
  auditOnly: string[];
};

/**
 * What a customer's check cannot show for an asset with a debt tree (spec 16.8): the debt root
 * comes from the manifest, and only a full audit shows that it is made of covered debts.
 */
export function debtTotalNote(asset: string, digest: string | null): string {
  return `${asset}: the debt total (reserves cover equity minus debt) is checked only by a full audit: zkpor verify audit BUNDLE --digest ${digest ?? 'D'}`;
}

/**
 * What a customer's check cannot show for an asset with private reserves (spec 17.11): that the
 * commitment the solvency proof uses is what the per-key proof over the set yields.
 */
export function privateReservesNote(asset: string, digest: string | null): string {
  return `${asset}: that the private reserves commitment is what the per-key proof over the set yields (the solvency proof uses it): zkpor verify audit BUNDLE --digest ${digest ?? 'D'}`;
}

/** The line of an asset whose reserves include a private proof of assets (17.11). */
export function privateReservesLine(asset: string, keys: number, block: string): string {
  return `reserves of ${asset}: proven among ${keys} keys at block ${block} (private); the per-key proof is checked by the full audit`;
}

/** What the command-line verifiers read at most (zkpor/cli/verify_cmds.py; docs/spec.md 12.8). */
export const MAX_PROOF_BYTES = 8 * 1024 * 1024;
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

function checkSize(data: Uint8Array | number, max: number, name: string): void {
  const size = typeof data === 'number' ? data : data.length;
  if (size > max) throw new InputError(`${name}: file larger than ${max.toLocaleString('en-US')} bytes`);
}

/** Refuse a file by its size before reading it (the page calls this with File.size). */
export function checkFileSize(size: number, what: 'proof' | 'manifest'): void {
  checkSize(size, what === 'proof' ? MAX_PROOF_BYTES : MAX_MANIFEST_BYTES, what);
}

export function loadProof(data: Uint8Array, name = 'proof'): { proof: InclusionProof; format: 'json' | 'binary' } {
  checkSize(data, MAX_PROOF_BYTES, name);
  try {
    if (isZkpi(data)) return { proof: decodeZkpi(data), format: 'binary' };
    return { proof: inclusionProof(parseStrictJson(data)), format: 'json' };
  } catch (e) {
    throw new InputError(`${name}: ${(e as Error).message}`);
  }
}

export function loadManifest(data: Uint8Array, name = 'manifest'): Manifest {
  checkSize(data, MAX_MANIFEST_BYTES, name);
  try {
    return parseManifest(parseStrictJson(data));
  } catch (e) {
    throw new InputError(`${name}: ${(e as Error).message}`);
  }
}

/** The proof's optional exchange must be the manifest's `exchange`, code point for code point (8.2 step 1). */
export function checkExchange(proof: InclusionProof, exchange: string): void {
  if (proof.exchange !== undefined && proof.exchange !== exchange)
    throw new VerificationError(`the proof is for exchange '${shown(proof.exchange)}'; the manifest is exchange '${shown(exchange)}'`);
}

/** Run `f`; a VerificationError becomes a CheckFailure of `failed` (its message unchanged). */
function failing<T>(failed: (e: VerificationError) => CheckFailure['failed'], f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof VerificationError && !(e instanceof CheckFailure)) throw new CheckFailure(failed(e), e.message);
    throw e;
  }
}

/**
 * Raises InputError (bad files, a malformed digest) or CheckFailure (a check failed), which
 * says what failed as `zkpor verify user` does (zkpor/verify/recipes.py): the digest when the
 * manifest's is not the one given (checked first, 12.4 step 1), else the manifest for its own
 * checks (its solvency proofs included, the first items of the batch), else the proof.
 */
export async function verifyUser(
  proofData: Uint8Array, manifestData: Uint8Array, expectedDigest: string | null, progress: Progress = () => {},
): Promise<UserReport> {
  await progress('reading the files');
  const { proof, format } = loadProof(proofData);
  const m = loadManifest(manifestData);
  const batch: BatchItem[] = [];
  const labels: string[] = [];
  await progress('checking the manifest and the reserve signatures');
  const wrongDigest = () => expectedDigest !== null && manifestDigest(m) !== normalizeDigest(expectedDigest);
  const mc = failing(() => (wrongDigest() ? 'digest' : 'manifest'), () => checkManifest(m, expectedDigest, true, batch, labels));
  const manifestItems = batch.length;
  failing(() => 'proof', () => checkExchange(proof, m.exchange));
  await progress('checking your path to the published roots');
  const roots = new Map([...m.assets].map(([k, a]) => [k, a]));
  const assets = failing(() => 'proof', () => checkInclusion(proof, roots, m.round_id, m.parameters.arity, batch, labels, mc.terms));
  const margin = proof.debts?.length ? ' and your collateral proof' : '';
  await progress(`verifying ${batch.length - (margin ? 1 : 0)} range proofs${margin} in one batch`);
  let named = 0; // the item the batch names as failed: the manifest's solvency proofs come first
  failing(() => (named < manifestItems ? 'manifest' : 'proof'), () => verifyBatch(batch, (i) => labels[(named = i)]));
  return {
    userId: proof.user_id, exchange: m.exchange, proofNamesExchange: proof.exchange !== undefined, roundId: m.round_id,
    arity: m.parameters.arity, created: m.created, digest: mc.digest, digestMatched: mc.digestMatched, assets, manifest: mc,
    rangeProofs: batch.length - (margin ? 1 : 0), proofFormat: format, collateralAccount: proof.debts?.length ? proof.collateral!.account : null,
    auditOnly: [
      ...[...m.assets].filter(([, a]) => a.debt !== undefined).map(([sym]) => debtTotalNote(sym, mc.digest)),
      ...[...m.assets].filter(([, a]) => a.private_reserves !== undefined).map(([sym]) => privateReservesNote(sym, mc.digest)),
    ],
  };
}

export { CheckFailure, InputError, VerificationError };
