/**
 * Text by code point, never by UTF-16 code unit: identifiers with characters outside the BMP
 * (4 bytes of UTF-8, a surrogate pair in JavaScript), lone surrogates from JSON escapes or a
 * caller, byte limits, NFC, canonical JSON, and the strict parser's nesting limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utf8 } from '../src/bytes.js';
import { InputError } from '../src/errors.js';
import { canonicalJson, parseStrictJson } from '../src/json.js';
import { identifierProblem, shown, utf8Length } from '../src/identifiers.js';
import { inclusionProof } from '../src/models.js';
import { decodeZkpi, encodeZkpi } from '../src/zkpi.js';
import { cases } from './vectors.js';

const ROCKET = '\u{1F680}'; // 4 bytes of UTF-8, two UTF-16 code units

test('identifiers: characters outside the BMP are one code point each', () => {
  assert.equal(identifierProblem(ROCKET), null);
  assert.equal(identifierProblem('Börse Zürich 取引所 ' + ROCKET, 100), null);
  assert.equal(identifierProblem('\u{20000}\u{1F600}x'), null); // CJK extension B, an emoji
  // The byte limit counts UTF-8: 25 rockets are exactly 100 bytes, 26 are 104.
  assert.equal(utf8Length(ROCKET.repeat(25)), 100);
  assert.equal(identifierProblem(ROCKET.repeat(25), 100), null);
  assert.equal(identifierProblem(ROCKET.repeat(26), 100), 'is longer than 100 bytes of UTF-8');
  assert.equal(identifierProblem('é'.repeat(50), 100), null);
  assert.equal(identifierProblem('é'.repeat(51), 100), 'is longer than 100 bytes of UTF-8');
  // A forbidden character outside the BMP is named by its code point, not a surrogate.
  assert.equal(identifierProblem('a\u{E0001}b'), 'contains a format character (U+E0001)');
  assert.equal(identifierProblem(ROCKET + '\u202e'), 'contains a format character (U+202E)');
});

test('identifiers: a lone surrogate is refused as a surrogate, whichever half and wherever', () => {
  for (const s of ['\uD83D', '\uDE80', 'a\uD83Db', 'a\uDE80\uD83Db', ROCKET + '\uD83D', '\uDE80' + ROCKET]) {
    const cp = [...s].find((c) => c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff)!.charCodeAt(0);
    assert.equal(identifierProblem(s), `contains a surrogate character (U+${cp.toString(16).toUpperCase()})`, JSON.stringify(s));
  }
  // Never encoded as U+FFFD on the way to a hash or a byte count.
  assert.throws(() => utf8('x\uD800'), /lone surrogate/);
  assert.throws(() => utf8Length('x\uDFFF'), /lone surrogate/);
  assert.deepEqual([...utf8(ROCKET)], [0xf0, 0x9f, 0x9a, 0x80]);
});

test('shown: escapes by code point, cuts by code point', () => {
  assert.equal(shown(ROCKET + 'a'), ROCKET + 'a');
  assert.equal(shown('\uD800x'), '\\ud800x');
  assert.equal(shown('a\u{E0001}'), 'a\\U000e0001');
  assert.equal(shown(ROCKET.repeat(3), 2), ROCKET.repeat(2) + '…');
});

test('strict JSON: surrogate-pair escapes join, lone surrogates are refused (12.8)', () => {
  const ok = parseStrictJson(utf8('{"x":"\\ud83d\\ude80","y":"' + ROCKET + '"}'));
  assert.equal(ok.x, ROCKET);
  assert.equal(ok.y, ROCKET);
  // Canonical JSON writes the character as its 4 UTF-8 bytes, never as \ud83d\ude80.
  assert.equal(canonicalJson(ok), `{"x":"${ROCKET}","y":"${ROCKET}"}`);
  assert.equal(utf8(canonicalJson(ok)).length, 23); // 15 ASCII bytes and two 4-byte characters
  for (const text of ['{"x":"\\ud83d"}', '{"x":"\\ude80"}', '{"x":"\\ude80\\ud83d"}', '{"x":"a\\ud83dx"}', '{"x":"\\ud83d\\u0041"}',
    '{"\\udfff":1}', '{"x":["\\ud800"]}', '{"x":{"y":"' + ROCKET + '\\udc00"}}'])
    assert.throws(() => parseStrictJson(utf8(text)), /lone surrogate/, text);
  // An encoded surrogate (ED A0 80) is not UTF-8 at all.
  assert.throws(() => parseStrictJson(Uint8Array.of(...utf8('{"x":"'), 0xed, 0xa0, 0x80, ...utf8('"}'))), /not UTF-8/);
});

test('strict JSON: nested at most 32 deep, as zkpor/formats/strictjson.py', () => {
  const nest = (n: number) => '{"a":' + '['.repeat(n - 1) + ']'.repeat(n - 1) + '}';
  assert.doesNotThrow(() => parseStrictJson(utf8(nest(32))));
  assert.throws(() => parseStrictJson(utf8(nest(33))), /nested more than 32 deep/);
  assert.throws(() => parseStrictJson(utf8('{"a":' + '{"a":'.repeat(32) + '1' + '}'.repeat(33))), InputError);
  // Brackets inside strings are not nesting.
  assert.doesNotThrow(() => parseStrictJson(utf8('{"a":"' + '['.repeat(100) + '"}')));
});

test('inclusion proof: a non-ASCII exchange, user id and round id, JSON and .zkpi (flag bit 0)', () => {
  const c = cases('inclusion.json').find(({ t }) => t.result === 'valid')!.t;
  const named = { ...c.inclusion, exchange: ROCKET.repeat(25) };
  const p = inclusionProof(parseStrictJson(utf8(JSON.stringify(named))));
  assert.equal(p.exchange, ROCKET.repeat(25));
  const bin = encodeZkpi(p);
  assert.equal(bin[4], 4);
  assert.equal(bin[5], 1); // flags: the exchange
  assert.equal(bin[6], 100); // str8: 100 bytes of UTF-8
  assert.equal(decodeZkpi(bin).exchange, ROCKET.repeat(25));
  assert.throws(() => inclusionProof(parseStrictJson(utf8(JSON.stringify({ ...named, exchange: ROCKET.repeat(26) })))), /longer than 100 bytes/);
  assert.throws(() => inclusionProof({ ...named, exchange: 'x\uD83D' }), /surrogate/);
  assert.throws(() => inclusionProof({ ...named, user_id: ROCKET.repeat(33) }), /longer than 128 bytes/);
  assert.equal(inclusionProof({ ...named, user_id: ROCKET.repeat(32) }).user_id, ROCKET.repeat(32));
  assert.throws(() => inclusionProof({ ...named, exchange: 'o\u0308' }), /NFC/);
});

test('file sizes: at most 8 MiB of a proof and 64 MiB of a manifest, as the command line (12.8)', async () => {
  const { loadProof, loadManifest, checkFileSize, MAX_PROOF_BYTES, MAX_MANIFEST_BYTES } = await import('../src/verify.js');
  assert.throws(() => loadProof(new Uint8Array(MAX_PROOF_BYTES + 1)), /proof: file larger than 8,388,608 bytes/);
  assert.throws(() => loadManifest(new Uint8Array(MAX_MANIFEST_BYTES + 1)), /manifest: file larger than 67,108,864 bytes/);
  assert.throws(() => checkFileSize(MAX_PROOF_BYTES + 1, 'proof'), InputError);
  assert.doesNotThrow(() => checkFileSize(MAX_PROOF_BYTES, 'proof'));
  // At the limit the size is not the reason for a refusal (here: not JSON).
  assert.throws(() => loadProof(new Uint8Array(MAX_PROOF_BYTES).fill(0x20)), /not JSON/);
});

test('Unicode 14.0.0 tables: known answers, and consistent with the engine', async () => {
  const { refusedIn14, unassignedIn14 } = await import('../src/identifiers.js');
  // New in 14.0.0 and Cf there (ARABIC POUND MARK ABOVE): refused whatever the engine knows.
  assert.equal(identifierProblem('a\u0890'), 'contains a format character (U+0890)');
  assert.equal(identifierProblem('a\u0378'), 'contains a character unassigned in Unicode 14.0.0 (U+0378)');
  assert.equal(identifierProblem('\uFFFF'), 'contains a character unassigned in Unicode 14.0.0 (U+FFFF)');
  assert.equal(identifierProblem('\u{1F6DC}'), 'contains a character unassigned in Unicode 14.0.0 (U+1F6DC)'); // new in 15.0
  assert.equal(identifierProblem('\u{31350}'), 'contains a character unassigned in Unicode 14.0.0 (U+31350)'); // CJK ext. H, 15.0
  assert.equal(identifierProblem('\uE000\u{1FAF6}'), null); // private use; an emoji of 14.0 (HEART HANDS)
  assert.equal(identifierProblem('\u{10FFFD}'), null); // plane 16 private use
  const fixed: Array<[number, boolean]> = [[0x00, true], [0x1f, true], [0x20, false], [0x7e, false], [0x7f, true], [0x9f, true],
    [0xa0, false], [0xad, true], [0x200b, true], [0x2028, true], [0x2029, true], [0x202e, true], [0xd800, true], [0xdfff, true],
    [0xfeff, true], [0xe0001, true], [0xe007f, true], [0xe0080, false]];
  for (const [cp, refused] of fixed) assert.equal(refusedIn14(cp), refused, `U+${cp.toString(16)}`);
  // The engine's tables are newer (Node 20: Unicode 15 or later): what it leaves
  // unassigned, 14.0.0 left unassigned, and what 14.0.0 refuses, the engine refuses.
  const engineCn = /\p{Cn}/u;
  const engineRefused = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
  const bad: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    const ch = String.fromCodePoint(cp);
    if (engineCn.test(ch) && !unassignedIn14(cp)) bad.push(`U+${cp.toString(16)} unassigned now but assigned in 14.0.0`);
    if (refusedIn14(cp) && !engineRefused.test(ch)) bad.push(`U+${cp.toString(16)} refused in 14.0.0, not by the engine`);
    if (refusedIn14(cp) && unassignedIn14(cp)) bad.push(`U+${cp.toString(16)} in both tables`);
    if (bad.length > 5) break;
  }
  assert.deepEqual(bad, []);
});
