/**
 * Loading vectors/v2/*.json (wycheproof layout, docs/vectors.md). vectors/ holds frozen
 * releases (vectors/README.md); the page implements the formats of the newest (v2). ZKPOR_VECTORS picks
 * another release folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VECTORS = process.env.ZKPOR_VECTORS ?? join(process.cwd(), '..', 'vectors', 'v2');

export type Test = Record<string, any> & { tcId: number; result: 'valid' | 'invalid'; comment: string; flags: string[] };
export type Group = Record<string, any> & { type: string; tests: Test[] };
export type VectorFile = { algorithm: string; numberOfTests: number; testGroups: Group[] };

export function load(name: string): VectorFile {
  return JSON.parse(readFileSync(join(VECTORS, name), 'utf8')) as VectorFile;
}

/** Every test of a file with its group, counting them against numberOfTests. */
export function cases(name: string): Array<{ g: Group; t: Test }> {
  const f = load(name);
  const out: Array<{ g: Group; t: Test }> = [];
  for (const g of f.testGroups) for (const t of g.tests) out.push({ g, t });
  if (out.length !== f.numberOfTests) throw new Error(`${name}: ${out.length} tests, header says ${f.numberOfTests}`);
  return out;
}

/**
 * The reason an invalid case must be refused for: a pattern its message must match, by flag
 * (the first of the case's flags named here) or by a pattern of its comment ("~comment").
 */
export type Reasons = Record<string, RegExp>;

function reasonFor(t: Test, reasons: Reasons): RegExp | null {
  for (const f of t.flags) if (f in reasons) return reasons[f];
  for (const [k, re] of Object.entries(reasons)) if (k.startsWith('~') && new RegExp(k.slice(1)).test(t.comment)) return re;
  return null;
}

/**
 * Run `fn` on each case: valid ones must not throw, invalid ones must throw (and, when
 * `reasons` names one of its flags, with a message matching the reason given for it).
 */
export function runCases(
  name: string, fn: (g: Group, t: Test) => void | 'skip', reasons: Reasons = {},
): { valid: number; invalid: number; skipped: number } {
  let valid = 0, invalid = 0, skipped = 0;
  const failures: string[] = [];
  for (const { g, t } of cases(name)) {
    let err: unknown;
    try {
      if (fn(g, t) === 'skip') {
        skipped++;
        continue;
      }
    } catch (e) {
      err = e;
    }
    // A bug in the harness or the code (TypeError, ...) never counts as a refusal.
    if (err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError)
      err = new AssertionFailure(`${(err as Error).name}: ${(err as Error).message}`);
    if (t.result === 'valid') {
      valid++;
      if (err) failures.push(`tcId ${t.tcId} [${t.flags}] ${t.comment}: rejected: ${(err as Error).message}`);
    } else {
      invalid++;
      if (!err) failures.push(`tcId ${t.tcId} [${t.flags}] ${t.comment}: accepted`);
      else if (err instanceof AssertionFailure) failures.push(`tcId ${t.tcId}: ${err.message}`);
      else {
        const want = reasonFor(t, reasons);
        if (want && !want.test((err as Error).message))
          failures.push(`tcId ${t.tcId} [${t.flags}] ${t.comment}: refused for another reason: ${(err as Error).message} (want ${want})`);
      }
    }
  }
  if (failures.length) throw new Error(`${name}: ${failures.length} failures\n` + failures.join('\n'));
  return { valid, invalid, skipped };
}

/** A mismatch of a recorded output (never counts as a refusal). */
export class AssertionFailure extends Error {}

export function eq(what: string, got: unknown, want: unknown): void {
  if (got !== want) throw new AssertionFailure(`${what}: got ${String(got)}, want ${String(want)}`);
}
