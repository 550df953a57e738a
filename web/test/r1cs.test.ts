/** vectors/v2/r1cs.json (arithmetic-circuit proofs) and vectors/v2/margin.json (collateral proofs). */
import { test } from 'node:test';
import { bytesToHex, hexToBytes, utf8 } from '../src/bytes.js';
import { G, mul, pointFromBytes, pointToBytes, type Point } from '../src/group.js';
import { H } from '../src/generators.js';
import { buildCircuit } from '../src/circuits/registry.js';
import { COMMITTED, LEFT, ONE_KIND, OUTPUT, RIGHT, type Circuit } from '../src/r1cs/system.js';
import { challenges, circuitItem, decodeR1CSProof, verifyCircuitProof } from '../src/r1cs/verifier.js';
import { verifyBatch, type BatchItem } from '../src/rangeproof.js';
import { accountCircuit, marginTerms, type MarginTerms } from '../src/margin.js';
import { inclusionProof, roots as parseRoots } from '../src/models.js';
import { checkInclusion } from '../src/inclusion.js';
import { parseStrictJson, type Json } from '../src/json.js';
import { AssertionFailure, eq, load, runCases } from './vectors.js';
import { VerificationError } from '../src/errors.js';

const strict = (v: unknown): Json => parseStrictJson(utf8(JSON.stringify(v)));
const report = (name: string, r: { valid: number; invalid: number; skipped: number }) =>
  console.log(`# ${name}: ${r.valid} valid accepted, ${r.invalid} invalid rejected${r.skipped ? `, ${r.skipped} skipped` : ''}`);

/** The circuit's sparse matrices in the vectors' layout: W_* as [row, column, coefficient]. */
function matrices(c: Circuit): Record<string, string> {
  const out: Record<string, (number | string)[][]> = { W_L: [], W_R: [], W_O: [], W_V: [], c: [] };
  const name: Record<number, string> = { [LEFT]: 'W_L', [RIGHT]: 'W_R', [OUTPUT]: 'W_O', [COMMITTED]: 'W_V' };
  c.constraints.forEach((terms, row) => {
    for (const [kind, index, coeff] of terms) {
      if (kind === ONE_KIND) out.c.push([row, coeff.toString()]);
      else out[name[kind]].push([row, index, coeff.toString()]);
    }
  });
  const sorted = (xs: (number | string)[][]) => JSON.stringify(xs.slice().sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number)));
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, sorted(v)]));
}

const commitmentsOf = (hex: string[]): Point[] => hex.map((h) => pointFromBytes(hexToBytes(h)));

function checkOpenings(t: any, vs: Point[]): void {
  t.values.forEach((v: string, j: number) => {
    const c = mul(G, BigInt(v)).add(mul(H, BigInt('0x' + t.blindings[j])));
    eq(`commitment ${j}`, bytesToHex(pointToBytes(c)), bytesToHex(pointToBytes(vs[j])));
  });
}

test('r1cs.json', () => {
  const built = new Map<string, Circuit>();
  report('r1cs.json', runCases('r1cs.json', (g, t) => {
    if (!built.has(g.circuit)) {
      const c = buildCircuit(g.circuit);
      eq(`${g.circuit} gates`, c.gates, g.gates);
      eq(`${g.circuit} padded gates`, c.paddedGates, g.padded_gates);
      eq(`${g.circuit} inputs`, c.inputs, g.inputs);
      eq(`${g.circuit} constraints`, c.constraints.length, g.constraints);
      eq(`${g.circuit} digest`, bytesToHex(c.digest()), g.digest);
      const mine = matrices(c);
      for (const k of ['W_L', 'W_R', 'W_O', 'W_V', 'c'])
        eq(`${g.circuit} ${k}`, mine[k], JSON.stringify((g.matrices[k] as (number | string)[][]).slice().sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number))));
      built.set(g.circuit, c);
    }
    const circuit = built.get(g.circuit)!;
    const vs = commitmentsOf(t.commitments);
    const proof = hexToBytes(t.proof);
    verifyCircuitProof(circuit, proof, vs);
    if (t.result !== 'valid') return;
    checkOpenings(t, vs);
    const ch = challenges(circuit, decodeR1CSProof(proof, circuit), vs);
    const hex = (x: bigint) => x.toString(16).padStart(64, '0');
    for (const k of ['y', 'z', 'x', 'w'] as const) eq(`challenge ${k}`, hex(ch[k]), t.challenges[k]);
    eq('challenges u', JSON.stringify(ch.u.map(hex)), JSON.stringify(t.challenges.u));
  }));
});

test('r1cs: many proofs in one batch, and a bad one among them is named', () => {
  const items: BatchItem[] = [];
  const labels: string[] = [];
  let bad = -1;
  for (const g of load('r1cs.json').testGroups) {
    const c = buildCircuit(g.circuit);
    for (const t of g.tests) {
      if (t.result === 'valid') {
        items.push(circuitItem(c, hexToBytes(t.proof), commitmentsOf(t.commitments)));
        labels.push(`${g.circuit} ${t.tcId}`);
      } else if (bad < 0 && t.flags.includes('TamperedField')) {
        bad = items.length;
        items.push(circuitItem(c, hexToBytes(t.proof), commitmentsOf(t.commitments)));
        labels.push(`${g.circuit} ${t.tcId} (tampered)`);
      }
    }
  }
  verifyBatch(items.filter((_, i) => i !== bad));
  let msg = '';
  try {
    verifyBatch(items, (i) => labels[i]);
  } catch (e) {
    msg = (e as Error).message;
  }
  if (!msg.startsWith(labels[bad])) throw new AssertionFailure(`batch failure names ${JSON.stringify(msg)}, want ${labels[bad]}`);
});

/** The terms of a margin vector group, through the same parser and checks as a manifest's. */
function groupTerms(g: any): MarginTerms {
  const assets: Record<string, unknown> = {};
  for (const [sym, a] of Object.entries(g.terms.assets as Record<string, any>)) {
    assets[sym] = { decimals: a.decimals, leaf_count: 1, depth: 1, root_hash: '00'.repeat(32), root_commitment: '02' + '00'.repeat(31) + '01', price: a.price, tiers: a.tiers };
  }
  const r = parseRoots(strict({ format: 'zkpor-roots-v2', round_id: 'r', arity: 2, range_bits: 64, generator_digest: '00'.repeat(32), quote: g.terms.quote, assets }));
  const terms = marginTerms(r.quote, r.assets);
  if (!terms) throw new AssertionFailure('no margin terms');
  return terms;
}

test('margin.json', () => {
  report('margin.json', runCases('margin.json', (g, t) => {
    if (g.type === 'CollateralProofVerify') {
      const terms = groupTerms(g);
      const c = accountCircuit(terms, g.equity_assets, g.debt_assets);
      eq('gates', c.gates, g.gates);
      eq('digest', bytesToHex(c.digest()), g.digest);
      const vs = commitmentsOf(t.commitments);
      verifyCircuitProof(c, hexToBytes(t.proof), vs);
      if (t.result === 'valid') checkOpenings(t, vs);
      return;
    }
    if (g.type === 'MarginTermsTest') {
      const r = parseRoots(strict(t.roots));
      const terms = marginTerms(r.quote, r.assets);
      if (!terms) throw new VerificationError('the roots have no quote');
      if (t.result !== 'valid') return;
      const assets: Record<string, unknown> = {};
      for (const [sym, price] of terms.prices)
        assets[sym] = { bounds: terms.tables.get(sym)!.bounds.map(String), percents: terms.tables.get(sym)!.percents, price: price.toString() };
      eq('terms', JSON.stringify({ assets, scale: terms.scale }), JSON.stringify({ assets: t.terms.assets, scale: t.terms.scale }));
      return;
    }
    if (g.type !== 'MarginInclusionTest') throw new AssertionFailure(`unknown group ${g.type}`);
    const r = parseRoots(strict(t.roots));
    const p = inclusionProof(strict(t.inclusion));
    const terms = marginTerms(r.quote, r.assets);
    const batch: BatchItem[] = [];
    const out = checkInclusion(p, r.assets, r.round_id, r.arity, batch, [], terms);
    verifyBatch(batch);
    if (t.result !== 'valid') return;
    eq('verified', JSON.stringify(out.map((a) => ({ amount: a.amount, asset: a.asset, kind: a.kind, units: a.units.toString() }))),
      JSON.stringify(t.verified.map((v: any) => ({ amount: v.amount, asset: v.asset, kind: v.kind, units: v.units }))));
  }, {
    // The margin tags of the customer's own leaves (8.2 step 4), with zkpor's messages.
    PledgedLeaf: /^asset [A-Z]+: your leaf is pledged as collateral of margin account \d+, but you have no debt: the exchange counts your balance as backing someone else's loan$/,
    WrongAccount: /^asset [A-Z]+( \(debt\))?: your leaf is tagged (none|account \d+ \(\d+ inputs\)), but your collateral proof is for account \d+ \(\d+ inputs\): the published account is not the one you were shown$/,
    MissingCollateral: /collateral|debt tree|price/,
    UnpricedCollateral: /^collateral proof: its inputs are not exactly your debt leaves and your equity leaves in priced assets$/,
    WrongInputOrder: /inputs must be in increasing asset order/,
    MalformedTerms: /price|tiers|up_to|ratio|quote/,
  }));
});
