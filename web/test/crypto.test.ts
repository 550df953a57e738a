/** vectors/v2/ for the layers below the tree: xmd, hash_to_curve, generators, transcript, pedersen, range proofs. */
import { test } from 'node:test';
import { bytesToHex, hexToBytes } from '../src/bytes.js';
import { expandMessageXmd, hashToCurveTrace } from '../src/h2c.js';
import { G, N, pointFromBytes, pointToBytes, scalarFromBytes, scalarToBytes } from '../src/group.js';
import { DST, H, generatorDigest, generatorDigestPreimage, vectorG, vectorH, vectorMessage, G_PREFIX, H_PREFIX } from '../src/generators.js';
import { hashToCurve } from '../src/h2c.js';
import { Transcript } from '../src/transcript.js';
import { commit } from '../src/pedersen.js';
import { verifyRangeProof } from '../src/rangeproof.js';
import { AssertionFailure, eq, runCases } from './vectors.js';

const hex = bytesToHex;
const report = (name: string, r: { valid: number; invalid: number; skipped: number }) =>
  console.log(`# ${name}: ${r.valid} valid accepted, ${r.invalid} invalid rejected${r.skipped ? `, ${r.skipped} skipped` : ''}`);

test('expand_message_xmd.json', () => {
  report('expand_message_xmd.json', runCases('expand_message_xmd.json', (g, t) => {
    const out = expandMessageXmd(hexToBytes(t.msg), hexToBytes(g.dst), t.len_in_bytes);
    eq('uniform_bytes', hex(out), t.uniform_bytes);
  }));
});

test('hash_to_curve.json', () => {
  report('hash_to_curve.json', runCases('hash_to_curve.json', (g, t) => {
    const r = hashToCurveTrace(hexToBytes(t.msg), hexToBytes(g.dst));
    eq('u0', hex(scalarToBytesField(r.u0)), t.u0);
    eq('u1', hex(scalarToBytesField(r.u1)), t.u1);
    eq('q0', hex(pointToBytes(r.q0)), t.q0);
    eq('q1', hex(pointToBytes(r.q1)), t.q1);
    eq('p', hex(pointToBytes(r.p)), t.p);
    eq('hashToCurve', hex(pointToBytes(hashToCurve(hexToBytes(t.msg), hexToBytes(g.dst)))), t.p);
  }));
});

function scalarToBytesField(x: bigint): Uint8Array {
  return hexToBytes(x.toString(16).padStart(64, '0'));
}

test('generators.json', () => {
  report('generators.json', runCases('generators.json', (g, t) => {
    if (g.type === 'GeneratorDigestTest') {
      eq('preimage', hex(generatorDigestPreimage()), t.preimage);
      eq('digest', hex(generatorDigest()), t.digest);
      return;
    }
    eq('dst', hex(DST), g.dst);
    let point;
    if (t.name === 'G') point = G;
    else if (t.name === 'H') point = H;
    else {
      const prefix = t.name === 'G_i' ? G_PREFIX : H_PREFIX;
      const msg = vectorMessage(prefix, t.index);
      eq('msg', hex(msg), t.msg);
      point = t.index < 64 ? (t.name === 'G_i' ? vectorG(t.index + 1)[t.index] : vectorH(t.index + 1)[t.index]) : hashToCurve(msg, DST);
    }
    eq('point', hex(pointToBytes(point)), t.point);
  }));
});

test('transcript.json', () => {
  report('transcript.json', runCases('transcript.json', (_g, t) => {
    const tr = new Transcript(hexToBytes(t.protocol), true);
    for (const op of t.operations) {
      const label = hexToBytes(op.label);
      if (op.op === 'message') tr.appendMessage(label, hexToBytes(op.data));
      else if (op.op === 'u64') tr.appendU64(label, BigInt(op.value));
      else if (op.op === 'scalar') tr.appendScalar(label, BigInt('0x' + op.value));
      else if (op.op === 'point') tr.appendPoint(label, pointFromBytes(hexToBytes(op.point), true));
      else if (op.op === 'challenge') {
        const { challenge, digest } = tr.challengeWithDigest(label);
        eq('digest', hex(digest), op.digest);
        eq('challenge', hex(scalarToBytes(challenge)), op.challenge);
      } else throw new AssertionFailure(`unknown op ${op.op}`);
    }
    const all = tr.log!.map(hex).join('');
    eq('absorbed', all, t.absorbed);
  }));
});

test('pedersen.json', () => {
  report('pedersen.json', runCases('pedersen.json', (g, t) => {
    eq('g', hex(pointToBytes(G)), g.g);
    eq('h', hex(pointToBytes(H)), g.h);
    const c = pointFromBytes(hexToBytes(t.commitment));
    const r = scalarFromBytes(hexToBytes(t.blinding));
    const v = BigInt(t.value);
    if (v >= N) throw new Error('value not below n');
    const want = commit(v, r);
    if (!want.equals(c)) throw new Error('commitment does not open to value and blinding');
  }));
});

test('rangeproof.json', () => {
  report('rangeproof.json', runCases('rangeproof.json', (g, t) => {
    const commitments = t.commitments.map((c: string) => pointFromBytes(hexToBytes(c)));
    if (t.result === 'valid') {
      t.values.forEach((v: string, i: number) => {
        eq(`commitment ${i}`, hex(pointToBytes(commit(BigInt(v), BigInt('0x' + t.blindings[i])))), t.commitments[i]);
      });
    }
    verifyRangeProof({ proof: hexToBytes(t.proof), commitments, bits: g.n });
  }));
});

test('rangeproof_trace.json', () => {
  report('rangeproof_trace.json', runCases('rangeproof_trace.json', (g, t) => {
    const commitments = t.commitments.map((c: string) => pointFromBytes(hexToBytes(c)));
    verifyRangeProof({ proof: hexToBytes(t.proof), commitments, bits: g.n });
  }));
  console.log('# rangeproof_trace.json: proofs verified; the prover-side trace (DRBG draws, l, r) is not reproduced: this is a verifier');
});


test('shipped generators: the embedded table is used only when it is the pinned one, and equals the derivation', async () => {
  const gens = await import('../src/generators.js');
  const { default: shipped } = await import('../../zkpor/data/vector_generators.bin');
  const { base64 } = await import('@scure/base');
  if (!gens.usingShipped()) throw new AssertionFailure('the embedded table was not accepted');
  const g = vectorG(gens.SHIPPED_PAIRS + 2);
  const h = vectorH(gens.SHIPPED_PAIRS + 2);
  // spread over the table, and the first two beyond it (derived)
  for (const i of [0, 1, 2, 63, 64, 255, 511, 512, 777, 1022, 1023, 1024, 1025]) {
    eq(`G_${i}`, bytesToHex(pointToBytes(g[i])), bytesToHex(pointToBytes(gens.deriveG(i))));
    eq(`H_${i}`, bytesToHex(pointToBytes(h[i])), bytesToHex(pointToBytes(gens.deriveH(i))));
  }
  if (gens.loadShipped(shipped) === null) throw new AssertionFailure('loadShipped refused the table');
  const raw = base64.decode(shipped);
  const flipped = raw.slice();
  flipped[66 * 500 + 7] ^= 1;
  const swapped = raw.slice();
  swapped.set(raw.subarray(33, 66), 0);
  swapped.set(raw.subarray(0, 33), 33);
  for (const [what, text] of [
    ['one bit flipped', base64.encode(flipped)], ['G_0 and H_0 swapped', base64.encode(swapped)],
    ['truncated', base64.encode(raw.subarray(0, raw.length - 66))], ['extended', base64.encode(Uint8Array.of(...raw, ...raw.subarray(0, 66)))],
    ['not base64', '!' + shipped.slice(1)], ['empty', ''],
  ]) if (gens.loadShipped(text) !== null) throw new AssertionFailure(`loadShipped accepted a table ${what}`);
  // Past the pin (as if it were another table's): the first pair must still equal the derivation.
  const { sha256 } = await import('@noble/hashes/sha2');
  if (gens.loadShipped(base64.encode(swapped), bytesToHex(sha256(swapped))) !== null) throw new AssertionFailure('pair 0 not checked');
  if (gens.loadShipped(base64.encode(flipped), bytesToHex(sha256(flipped))) === null) throw new AssertionFailure('a later pair is checked by the pin only');
});
