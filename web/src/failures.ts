/**
 * What a failed customer's check says (docs/spec/errors.md 13), in the words of
 * `zkpor verify user`: what failed (the digest: the manifest is not the one whose digest was
 * pasted; the manifest: its own checks; the proof: against the manifest's roots; or the input:
 * a file or the digest could not be read), a headline naming it, what it means for the
 * customer and the next step. The page shows the failed check's own message (the technical
 * reason) between the meaning and the next step.
 *
 * The same words as FAILURES in zkpor/verify/recipes.py: tests/test_failure_screens.py reads
 * the literal between the two FAILURES markers below as JSON and compares the two tables, so
 * keep it JSON (double quotes, no trailing commas).
 */
export type Failed = 'digest' | 'manifest' | 'proof' | 'input';
export type Failure = { headline: string; meaning: string; next_step: string };

// FAILURES: begin
export const FAILURES: Record<Failed, Failure> = {
  "digest": {
    "headline": "The digest does not match: this is not the manifest the exchange published",
    "meaning": "The manifest you chose is not the one whose digest you gave, so nothing else was checked: the digest was copied wrongly, or you were shown another manifest than the one the exchange published for everyone.",
    "next_step": "Check that you copied the digest from the place where the exchange published it, for this round. If it still does not match, keep the proof and the manifest, and ask the exchange."
  },
  "manifest": {
    "headline": "The manifest does not verify",
    "meaning": "This round does not show that the exchange's reserves cover what it owes its customers, and your balance cannot be checked against a manifest that fails.",
    "next_step": "Keep the proof and the manifest, and ask the exchange."
  },
  "proof": {
    "headline": "Your proof does not verify",
    "meaning": "Your proof does not match the totals the exchange published: your balance may not be counted in this round.",
    "next_step": "Keep the proof and the manifest, and ask the exchange."
  },
  "input": {
    "headline": "Could not check: a file or the digest cannot be read",
    "meaning": "Nothing was checked: a file is missing, damaged or not an inclusion proof or a manifest, or the digest is not the 64 hex digits of a manifest digest.",
    "next_step": "Check that you chose the proof and the manifest the exchange gave you, and copied the whole digest. If these are the exchange's files: keep them, and ask the exchange."
  }
};
// FAILURES: end
