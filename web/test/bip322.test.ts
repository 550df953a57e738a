/**
 * BIP-322 (src/reserves/bip322.ts) over the vectors of tests/test_bip322.py and over
 * bip322-oracle.json (zkpor's own verdicts on mutated and constructed signatures).
 *
 * Sources of the vector values below (values only), as tests/test_bip322.py names them:
 * - [BIP-text] BIP-322, "Test vectors" section: bitcoin/bips, bip-0322.mediawiki (blob at
 *   commit 06d39c35fa60fb165fd19d1eaffb0c52d2ea1661): message hashes, and simple P2WPKH
 *   signatures by L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k.
 * - [BIP-basic] bitcoin/bips, bip-0322/basic-test-vectors.json (commit
 *   38447179a580b8bebb701e6b3d3cc16a450d1639): "simple" (prefixed smp P2WPKH, P2WSH 3-of-3,
 *   unprefixed P2TR "No prefix fallback") and "error" cases.
 * - [BIP-generated] bitcoin/bips, bip-0322/generated-test-vectors.json (commit
 *   a62c819596cc0809c2cc86a15dc7a9cd3ef5e5d1): "simple" P2TR and P2WSH 2-of-2 / 3-of-3,
 *   "full" P2TR with lock_time 2016 and sequence 2016.
 * - [Core] Bitcoin Core, src/test/util_tests.cpp at commit
 *   29b28d07fa958b89e1c7916fda5d8654474cf495 (line 2747), the P2TR "Hello World" signature of
 *   the same key as [BIP-text].
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base64 } from '@scure/base';
import { bytesToHex } from '../src/bytes.js';
import { VerificationError } from '../src/errors.js';
import { decodeSegwit, messageHash, needsBip322, prepare, UncheckedSignature, verifyAllowingTimelock } from '../src/reserves/bip322.js';

const P2WPKH = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l";
const P2TR_CORE = "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3";
const P2TR_CORE_HELLO = "AUHd69PrJQEv+oKTfZ8l+WROBHuy9HKrbFCJu7U1iK2iiEy1vMU5EfMtjc+VSHM7aU0SDbak5IUZRVno2P5mjSafAQ==";
/** (source, address, message, signature): valid simple signatures. */
const VALID: Array<[string, string, string, string]> = [
  ["BIP-text", "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "",
    "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="],
  ["BIP-text", "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "",
    "AkgwRQIhAPkJ1Q4oYS0htvyuSFHLxRQpFAY56b70UvE7Dxazen0ZAiAtZfFz1S6T6I23MWI2lK/pcNTWncuyL8UL+oMdydVgzAEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy"],
  ["BIP-text", "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "Hello World",
    "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="],
  ["BIP-text", "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "Hello World",
    "AkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR8eGhowEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy"],
  ["Core", "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3", "Hello World",
    "AUHd69PrJQEv+oKTfZ8l+WROBHuy9HKrbFCJu7U1iK2iiEy1vMU5EfMtjc+VSHM7aU0SDbak5IUZRVno2P5mjSafAQ=="],
  ["BIP-basic", "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "Hello World",
    "smpAkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR8eGhowEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy"],
  ["BIP-basic", "bc1qp0ahvfh83088w49k405szqgg4f3pptr7p2g06tdxfjcd40z4lh4q95lsz9", "This will be a p2wsh 3-of-3 multisig BIP 322 signed message",
    "smpBQBHMEQCIFX9aaqPJWq2Ff2kpen5bFDTid+ehgUOpHV0LfjncXy4AiA3GNicF7aKPzdpa9PCpmaYQs3pHd+qbvvhXdxOCKCAMAFIMEUCIQD/ELXg6CNYyUQijCg96JtgvgjZb9dsl1Ctof4QAeyTcQIgVM/1AAblFl/DCt6A1gJg+T/i2qU5SQD09+chFJzolRwBSDBFAiEAlqRfSFyWNVQhvaCnmeV5tyneiCWMTcFbuujoD/pFa3wCIGnZjfQb8NolSYq9asV+ZeBSkCGHJcqnaV4JYS5MYPEGAWlTIQJ1aLEfEi/4p7wcV+XHZCBVvGGJZ7L3v+jhH+mZA8lN0yECCovfec+kIdllXpKCgA8RX/HZ2x5yHOtCSKP8/sf6pnwhAwxSng6kCgCXXSAmJOOZFdr3vdK3HzGqCFloOHgc5fM6U64="],
  ["BIP-basic", "bc1pss0zhytly75awhm6x2hhvd5lnzv3vssgrf9axfheq8ldyzn88ges79fler", "No prefix fallback",
    "AUCJYOwOjxYAvatTAGYaVlNXBVyFuc4MwNQkOuK2tl8xhfKDONd0NjfYyNSYcRqeCp8hsAnCEPHAVEkO9h6vbQ/R"],
  ["BIP-generated", "bc1pcquvhrqv0q68t4m0hfq6tpn006qrskyc7yrqnp2uyrf2emg3wynsdjyk38", "PURVOQ544B6HUATVBJZN5EZJUU",
    "smpAUB6B2Rbupzua8LTQIF06516wzl+cwKy1be8RgoiW0riyXdKwe6GTz/5Hnb37m67pJwIKCh+D5jDueG6KpvYpmu8"],
  ["BIP-generated", "bc1qw6g0rgrpuxvj4edkwtvzpmt3c5m08mhp8nuk3mrk4erufvlczp5ssdscjd", "G7ZTXXOVJFHGDD6XYJAGBAMT5A",
    "smpBABIMEUCIQCKl1f9Cj26k0fFWE48+O4ibhYJYPytbDZWJRaaG9BybwIgCbk+3BViWkpuu2RI+41dwtlQ/m/01G860pTFCzDFfokBSDBFAiEA0O77DJsaM7IO+Ht06sp3umzXB64CNNOwf2isZuPfdmwCIGlggOwRSkXsqlPhE1gMdd5hf7ycL33Orfrr4v/XnMGSAUdSIQNsu/OwZurHvJMoiJoSAmmCHLoqIc5Wblh+rek+7rhASCECgYVkUspeAxwRfM6v4GRBhN/gGxTfpPqZuOlBIYZxTJZSrg=="],
  ["BIP-generated", "bc1qazhmhwl9sxgjmwnd96hh926s3x5l0cf64yy6hvyn6qms438x550qy5sgva", "Z3SB7SRL555ZGOHVMYT5WG7RIZ",
    "smpBQBHMEQCICNI6H6b+VCZV9Z2H6EW5hPrE1buC6SJuy2ljSNmQlGfAiASbm5UrA8KH6TwF6evx7COV+i27ubiq2v9TyLYPOO63gFIMEUCIQCMOFnJbg0sy88G6wUXjv5stjVgfvAokOogWsisdkAnlAIgETfBw7kJhISFu9vIomFcEF/1NsN6c0h3KjNcpmNAZtMBSDBFAiEA/lUU+wBeA3prt8vHRpcQN763OYZ8L61DfN0QI/gkHpMCIB2qHwgoXNTH0sdqeAMD2ah7dSTie2bflax3Q3I/GibQAWlTIQKo003Zjj9Jg/kT7sOA7cTdIKmzsrIYBAuPd9hj8FZuHCEC6BdalMtwbjcx2vJjVelv7BJml0rY7Q5ze+PWen6tb5shAytperlYBs69tbn86t3pINqXy0NzttKZKi6Y8X+USQXaU64="],
];
/** [BIP-generated] full: P2TR key path, version 2, lock time 2016, sequence 2016. */
const P2TR_FULL: [string, string, string] = ["bc1pve87s3l2levjmhetzr2f9xvep3y266xty0hnefmyv8tkxc3e4qssll2kdu", "XQMVC3YR6AOGZIHLSUQ2NSSBI2",
  "fulAgAAAAABAROFPNY6Zt8hFK0YQq5Wb6wk/CnUYEPtQ0HTHDyzNROrAAAAAADgBwAAAQAAAAAAAAAAAWoBQNRdLOo5XZY0SBqAsLZNr/z3Bqrmo3OxVn7e4tD/OOD4H9U/L1unq5Nmdz+S1w7SHtt46bFwnd8xnRVan8BofFfgBwAA"];
/** [BIP-basic] error: well-formed signatures the BIP says are invalid. */
const INVALID: Array<[string, string, string]> = [
  ["bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "Wrong message that was not signed", "smpAkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="],
  ["bc1qp0ahvfh83088w49k405szqgg4f3pptr7p2g06tdxfjcd40z4lh4q95lsz9", "", "smpAkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSDtS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="],
  ["bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "", "smpAA=="],
  ["bc1qp0ahvfh83088w49k405szqgg4f3pptr7p2g06tdxfjcd40z4lh4q95lsz9", "This is not the message that was signed", "smpBQBHMEQCIFX9aaqPJWq2Ff2kpen5bFDTid+ehgUOpHV0LfjncXy4AiA3GNicF7aKPzdpa9PCpmaYQs3pHd+qbvvhXdxOCKCAMAFIMEUCIQD/ELXg6CNYyUQijCg96JtgvgjZb9dsl1Ctof4QAeyTcQIgVM/1AAblFl/DCt6A1gJg+T/i2qU5SQD09+chFJzolRwBSDBFAiEAlqRfSFyWNVQhvaCnmeV5tyneiCWMTcFbuujoD/pFa3wCIGnZjfQb8NolSYq9asV+ZeBSkCGHJcqnaV4JYS5MYPEGAWlTIQJ1aLEfEi/4p7wcV+XHZCBVvGGJZ7L3v+jhH+mZA8lN0yECCovfec+kIdllXpKCgA8RX/HZ2x5yHOtCSKP8/sf6pnwhAwxSng6kCgCXXSAmJOOZFdr3vdK3HzGqCFloOHgc5fM6U64="],
];

/** 'valid', 'invalid', 'error: MESSAGE' (VerificationError) or 'unchecked: REASON'. */
function verdict(address: string, message: string, signature: string, chain = 'bitcoin'): string {
  try {
    return prepare(address, signature, chain)(message) ? 'valid' : 'invalid';
  } catch (e) {
    if (e instanceof UncheckedSignature) return `unchecked: ${e.message}`;
    if (e instanceof VerificationError) return `error: ${e.message}`;
    throw e;
  }
}

function flip(signature: string, index: number): string {
  const prefix = ['smp', 'ful'].includes(signature.slice(0, 3)) ? signature.slice(0, 3) : '';
  const raw = base64.decode(signature.slice(prefix.length));
  raw[index] ^= 1;
  return prefix + base64.encode(raw);
}

test('BIP-322 message hashes ([BIP-text], [BIP-basic])', () => {
  assert.equal(bytesToHex(messageHash('')), 'c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1');
  assert.equal(bytesToHex(messageHash('Hello World')), 'f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a');
  assert.equal(bytesToHex(messageHash('UTF-8 support: öäüéàè 测试文本 \u{1f604}')), '43936b237ea38c7794eb5d755e0d220b6db92ebfc5c8f482759d22b1286376d7');
});

test('BIP-322 valid vectors verify, and not over another message', () => {
  for (const [source, address, message, sig] of VALID) {
    assert.equal(verdict(address, message, sig), 'valid', `${source} ${address}`);
    assert.equal(verdict(address, message + '.', sig), 'invalid', `${source} ${address} other message`);
  }
  assert.equal(verdict(P2TR_CORE.toUpperCase(), 'Hello World', P2TR_CORE_HELLO), 'valid');
});

test('BIP-322 error vectors are invalid; tampered, truncated, extended signatures refused', () => {
  for (const [address, message, sig] of INVALID) assert.equal(verdict(address, message, sig), 'invalid', `${address} '${message}'`);
  for (const i of [2, 20, 40, 64]) assert.equal(verdict(P2TR_CORE, 'Hello World', flip(P2TR_CORE_HELLO, i)), 'invalid');
  for (const [, address, message, sig] of [VALID[6], VALID[9], VALID[10]]) {
    assert.equal(verdict(address, message, flip(sig, 10)), 'invalid');
    const raw = base64.decode(sig.slice(3));
    raw[raw.length - 2] ^= 1; // the witness script: no longer the address's
    assert.equal(verdict(address, message, 'smp' + base64.encode(raw)), 'invalid');
  }
  const raw = base64.decode(P2TR_CORE_HELLO);
  assert.equal(verdict(P2TR_CORE, 'Hello World', base64.encode(raw.subarray(0, -1))), 'invalid');
  assert.equal(verdict(P2TR_CORE, 'Hello World', base64.encode(Uint8Array.of(...raw, 0))), 'invalid');
  assert.equal(verdict(VALID[7][1], 'Hello World', P2TR_CORE_HELLO), 'invalid'); // another P2TR key
});

test('BIP-322 full time-locked signature: refused, valid only with timelocks allowed', () => {
  const [address, message, sig] = P2TR_FULL;
  assert.equal(verdict(address, message, sig),
    'error: signature is valid only at time 2016 and age 2016: a time-locked spend does not show the coins can move now');
  assert.equal(verifyAllowingTimelock(address, message, sig), true);
  assert.equal(verifyAllowingTimelock(address, message + 'x', sig), false);
});

test('BIP-322 refused forms and addresses', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['', P2TR_CORE, /signature: empty/],
    ['A'.repeat(10_004), P2TR_CORE, /more than 10000/],
    [VALID[0][3].slice(0, 10) + ' ' + VALID[0][3].slice(10), P2TR_CORE, /contains U\+0020/],
    ['not-valid-base64!!!', P2TR_CORE, /not base64/],
    ['fooAA==', P2TR_CORE, /not base64/],
    ['pof' + P2TR_CORE_HELLO, P2TR_CORE, /proof-of-funds/],
    [base64.encode(Uint8Array.of(0x1f, ...new Uint8Array(64).fill(1))), P2TR_CORE, /legacy signature is for P2PKH/],
    [P2TR_CORE_HELLO, 'tb1qm82cnaszgjem0lczmlry4hkhflwz6rt9au0hyt', /a bitcoin-testnet address/],
    [P2TR_CORE_HELLO, P2TR_CORE.slice(0, -1) + (P2TR_CORE.endsWith('q') ? 'p' : 'q'), /bad checksum/],
    [P2TR_CORE_HELLO, P2TR_CORE.slice(0, 10) + P2TR_CORE.slice(10).toUpperCase(), /mixed-case/],
    [P2TR_CORE_HELLO, '1CH4VvGsbd58dcutLiMmNm8TCD94oiy9Et', /not a native segwit address/],
  ];
  for (const [sig, address, re] of bad) assert.throws(() => prepare(address, sig, 'bitcoin'), re, `${address} ${sig.slice(0, 20)}`);
  assert.throws(() => prepare(P2TR_CORE, P2TR_CORE_HELLO, 'bitcoin-testnet'), /a bitcoin address cannot hold reserves on chain bitcoin-testnet/);
  assert.throws(() => prepare(P2TR_CORE, P2TR_CORE_HELLO, 'ethereum'), /not chain ethereum/);
  assert.equal(decodeSegwit(P2WPKH, 'bitcoin').kind, 'p2wpkh');
  assert.equal(decodeSegwit(P2TR_CORE, 'bitcoin').kind, 'p2tr');
  assert.equal(decodeSegwit(VALID[6][1], 'bitcoin').kind, 'p2wsh');
  // BIP-350: witness v1 with a bech32 (not bech32m) checksum
  assert.throws(() => decodeSegwit('bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5snuhnwn', 'bitcoin'), /invalid bech32/);
});

test('needsBip322 decides from the text alone, as zkpor does', () => {
  assert.ok(needsBip322(P2TR_CORE, 'bitcoin'));
  assert.ok(needsBip322(VALID[6][1], 'bitcoin'));
  assert.ok(needsBip322(P2TR_CORE.toUpperCase(), 'bitcoin'));
  assert.ok(!needsBip322(P2WPKH, 'bitcoin'));
  assert.ok(!needsBip322('1CH4VvGsbd58dcutLiMmNm8TCD94oiy9Et', 'bitcoin'));
  assert.ok(!needsBip322(P2TR_CORE, 'bitcoin-testnet'));
  assert.ok(!needsBip322(P2TR_CORE, 'ethereum'));
});

test('bip322-oracle.json: the same verdict as zkpor on every case, or named as not checked', () => {
  const oracle = JSON.parse(readFileSync(join(process.cwd(), 'test', 'bip322-oracle.json'), 'utf8')) as {
    cases: Array<{ what: string; address: string; chain: string; message: string; signature: string; verdict: string }>;
  };
  const failures: string[] = [];
  let skipped = 0;
  for (const c of oracle.cases) {
    const got = verdict(c.address, c.message, c.signature, c.chain);
    if (got.startsWith('unchecked: ')) {
      skipped++;
      console.log(`# skipped: ${c.what} (zkpor: ${c.verdict}): ${got.slice(11)}`);
      // never where zkpor refuses the form: those the page must refuse too
      if (c.verdict.startsWith('error: ')) failures.push(`${c.what}: unchecked where zkpor says ${c.verdict}`);
    } else if (got !== c.verdict) failures.push(`${c.what}: got ${got}, zkpor ${c.verdict}`);
  }
  assert.deepEqual(failures, []);
  assert.ok(oracle.cases.length > 500 && skipped <= 2, `${oracle.cases.length} cases, ${skipped} skipped`);
  console.log(`# bip322-oracle.json: ${oracle.cases.length} cases, ${oracle.cases.length - skipped} agree, ${skipped} not checked by the page`);
});
