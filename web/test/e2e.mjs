// End to end in headless Chromium (Debian's chromium, playwright-core): two demo rounds made by
// `python -m zkpor demo` (a spot round, and a round with margin accounts), the built page opened
// from file://, and the verdicts it shows for a demo proof (JSON and .zkpi), a tampered proof,
// a tampered manifest, a wrong digest, an unreadable file, a customer with a debt (JSON and
// .zkpi) and a tampered or missing collateral proof, the margin tags (issue 21: a customer without
// debt whose leaf the exchange pledged, from test/pledged_round.py; a borrower shown another
// account number), the debt-total note, files of the formats from before margin tags, and the
// rules across assets (a wrong USDT contract, ETH's addresses listed twice, a not-known
// contract). A failure screen must say what failed (data-failed), with a headline, the meaning,
// the technical reason and the next step (src/failures.ts). Any network request, console error
// or CSP violation fails the run. ZKPOR_PYTHON
// picks the Python (default ../.venv/bin/python); SCREENSHOT=path and SCREENSHOT_MARGIN=path write PNGs of a spot and a margin verdict.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { check, launch } from './chromium.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const python = process.env.ZKPOR_PYTHON ?? join(root, '.venv', 'bin', 'python');

const work = mkdtempSync(join(tmpdir(), 'zkpor-e2e-'));
function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

console.log(`# e2e: demo round with ${python}`);
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
run(python, ['-m', 'zkpor', 'demo', '--users', '200', '--seed', '7', '--no-margin', '--out', join(work, 'demo')]);
// A round with margin accounts: the demo names the exported customers it verified with a debt.
const marginRun = JSON.parse(run(python, ['-m', 'zkpor', 'demo', '--users', '100', '--seed', '7', '--json', '--out', join(work, 'margin')]));
const marginBundle = join(work, 'margin', 'bundle');
const marginManifest = join(marginBundle, 'manifest.json');
const marginDigest = readFileSync(join(marginBundle, 'manifest.sha256'), 'utf8').trim();
const marginProofs = join(work, 'margin', 'proofs');
const marginFiles = readdirSync(marginProofs).filter((f) => f.endsWith('.json')).sort();
const readProof = (f) => JSON.parse(readFileSync(join(marginProofs, f), 'utf8'));
const debtorFile = marginFiles.find((f) => marginRun.debtors_verified.includes(readProof(f).user_id) && readProof(f).debts);
assert.ok(debtorFile, `the margin demo exported no customer with a debt (${JSON.stringify(marginRun.debtors_verified)})`);
const spotFile = marginFiles.find((f) => !readProof(f).debts);
const debtorJson = join(marginProofs, debtorFile);
const debtorBin = join(work, 'debtor.zkpi');
run(python, ['-m', 'zkpor', 'export', marginBundle, '--user', readProof(debtorFile).user_id, '--format', 'binary', '--out', debtorBin]);
const badCollateral = readProof(debtorFile);
const mid = badCollateral.collateral.proof.length >> 1;
badCollateral.collateral.proof = badCollateral.collateral.proof.slice(0, mid) + (badCollateral.collateral.proof[mid] === '0' ? '1' : '0') + badCollateral.collateral.proof.slice(mid + 1);
const tamperedCollateral = join(work, 'tampered-collateral.json');
writeFileSync(tamperedCollateral, JSON.stringify(badCollateral));
const noCollateral = readProof(debtorFile);
delete noCollateral.collateral;
const missingCollateral = join(work, 'missing-collateral.json');
writeFileSync(missingCollateral, JSON.stringify(noCollateral));
// The margin tags (issue 21): a borrower's proof naming another account than the one its
// leaves are tagged with, and a round whose prover pledged a customer's leaf without a debt.
const otherAccount = readProof(debtorFile);
otherAccount.collateral.account += 1;
const wrongAccount = join(work, 'wrong-account.json');
writeFileSync(wrongAccount, JSON.stringify(otherAccount));
const pledged = JSON.parse(run(python, [join(here, 'pledged_round.py'), join(work, 'pledged')]));
// Files of the formats before margin tags (inclusion v1, .zkpi version 3): refused by name.
const oldFormat = readProof(debtorFile);
oldFormat.format = 'zkpor-inclusion-v1';
const oldJson = join(work, 'old-format.json');
writeFileSync(oldJson, JSON.stringify(oldFormat));
const oldBin = join(work, 'old-version.zkpi');
writeFileSync(oldBin, Buffer.concat([readFileSync(debtorBin).subarray(0, 4), Buffer.from([3]), readFileSync(debtorBin).subarray(6)]));
const oldManifest = JSON.parse(readFileSync(marginManifest, 'utf8'));
oldManifest.format = 'zkpor-manifest-v1';
const oldManifestPath = join(work, 'old-manifest.json');
writeFileSync(oldManifestPath, JSON.stringify(oldManifest));
const bundle = join(work, 'demo', 'bundle');
const manifestPath = join(bundle, 'manifest.json');
const digest = readFileSync(join(bundle, 'manifest.sha256'), 'utf8').trim();
const proofs = join(work, 'demo', 'proofs');
// The customer holding the most assets (the screenshot shows them all).
const assetsOf = (f) => JSON.parse(readFileSync(join(proofs, f), 'utf8')).assets.length;
const first = readdirSync(proofs).filter((f) => f.endsWith('.json')).sort().reduce((a, b) => (assetsOf(b) > assetsOf(a) ? b : a));
const proofJson = join(proofs, first);
const userId = JSON.parse(readFileSync(proofJson, 'utf8')).user_id;
const proofBin = join(work, 'proof.zkpi');
run(python, ['-m', 'zkpor', 'export', bundle, '--user', userId, '--format', 'binary', '--out', proofBin]);
const page = join(work, 'index.html');
run(python, ['-m', 'zkpor', 'verifier-page', work]);
assert.equal(readFileSync(page, 'utf8'), readFileSync(join(here, '..', 'dist', 'verifier.html'), 'utf8'),
  'zkpor verifier-page writes the page built from web/');

// Tampered inputs.
const proof = JSON.parse(readFileSync(proofJson, 'utf8'));
proof.assets[0].path[0].children[0].hash = proof.assets[0].path[0].children[0].hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
const tamperedProof = join(work, 'tampered-proof.json');
writeFileSync(tamperedProof, JSON.stringify(proof));
const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
const firstAsset = Object.keys(m.assets)[0];
m.assets[firstAsset].reserves.block_height += 1;
const tamperedManifest = join(work, 'tampered-manifest.json');
writeFileSync(tamperedManifest, JSON.stringify(m));
// the demo's Taproot reserve address (BIP-322, 10.9): one bit of its signature flipped
const tm = JSON.parse(readFileSync(manifestPath, 'utf8'));
const taproot = Object.values(tm.assets).flatMap((a) => a.reserves.addresses).find((a) => /^bc1p/.test(a.address));
assert.ok(taproot, 'the demo manifest has no P2TR reserve address');
const sigBytes = Buffer.from(taproot.signature.replace(/^smp/, ''), 'base64');
sigBytes[20] ^= 1;
taproot.signature = (taproot.signature.startsWith('smp') ? 'smp' : '') + sigBytes.toString('base64');
const tamperedTaproot = join(work, 'tampered-taproot.json');
writeFileSync(tamperedTaproot, JSON.stringify(tm));
const raised = JSON.parse(readFileSync(proofJson, 'utf8'));
raised.assets[0].units = String(BigInt(raised.assets[0].units) + 1n);
raised.assets[0].amount = raised.assets[0].units; // written in base units: any exact writing is read
if (raised.assets[0].decimals > 0) raised.assets[0].amount = (Number(raised.assets[0].units) / 10 ** raised.assets[0].decimals).toFixed(raised.assets[0].decimals);
const raisedProof = join(work, 'raised-proof.json');
writeFileSync(raisedProof, JSON.stringify(raised));
const truncatedBin = join(work, 'truncated.zkpi');
writeFileSync(truncatedBin, readFileSync(proofBin).subarray(0, 500));
const unreadable = join(work, 'unreadable.json');
writeFileSync(unreadable, Buffer.from([0xff, 0xfe, 0x00, 0x42, 0x13]));
const wrongDigest = digest.replace(/^./, (c) => (c === '0' ? '1' : '0'));
// The rules across assets (issue 21, spec 10.5 and 12.4 step 4), checked before the batched
// proofs, so the page names them even though the edit also breaks the solvency proofs: USDT
// naming another contract than the known one, and ETH's addresses listed again by STETH.
const wrongToken = JSON.parse(readFileSync(manifestPath, 'utf8'));
assert.equal(wrongToken.assets.USDT?.reserves.token_contract, '0xdAC17F958D2ee523a2206206994597C13D831ec7', 'the demo USDT names the known contract');
wrongToken.assets.USDT.reserves.token_contract = '0x5e5E5e5e5E5e5E5E5e5E5E5e5e5E5E5E5e5E5E5e';
const wrongTokenPath = join(work, 'wrong-token.json');
writeFileSync(wrongTokenPath, JSON.stringify(wrongToken));
const twice = JSON.parse(readFileSync(manifestPath, 'utf8'));
twice.assets.STETH = twice.assets.ETH;
const twicePath = join(work, 'eth-twice.json');
writeFileSync(twicePath, JSON.stringify(twice));
// A round proven over the demo's reserves with USDT on chain id 1337 (the signatures name no
// chain id): accepted, its contract listed as not known.
const localReserves = JSON.parse(readFileSync(join(work, 'demo', 'reserves.json'), 'utf8'));
localReserves.assets.find((a) => a.asset === 'USDT').chain_id = 1337;
writeFileSync(join(work, 'local-reserves.json'), JSON.stringify(localReserves));
run(python, ['-m', 'zkpor', 'prove', '--balances', join(work, 'demo', 'balances.csv'), '--assets', join(work, 'demo', 'assets.json'),
  '--secret', join(work, 'demo', 'exchange.secret'), '--round', localReserves.round_id, '--reserves', join(work, 'local-reserves.json'),
  '--exchange', localReserves.exchange, '--pad-granularity', '64', '--workers', '1', '--quiet', '--out', join(work, 'local')]);
const localDigest = readFileSync(join(work, 'local', 'manifest.sha256'), 'utf8').trim();
const localProof = join(work, 'local-proof.json');
run(python, ['-m', 'zkpor', 'export', join(work, 'local'), '--user', userId, '--out', localProof]);

const cases = [
  { name: 'demo JSON proof, manifest and digest', proof: proofJson, manifest: manifestPath, digest, want: 'ok', shot: true,
    // the Taproot address checked (no "could not check"), the token contract and chain id shown
    // and USDT's contract vouched for by zkpor's table (10.5), so no not-known line
    // and ETH's private reserves (17.11): the line that leaves the per-key proof to the audit
    expect: /^(?![\s\S]*could not check)(?![\s\S]*not a known contract)(?=[\s\S]*reserves of ETH: proven among 64 keys at block \d+ \(private\); the per-key proof is checked by the full audit)(?=[\s\S]*bc1p[02-9ac-hj-np-z]{58})(?=[\s\S]*ERC-20 token contract 0xdAC17F958D2ee523a2206206994597C13D831ec7 \(known contract\), chain id 1 )/ },
  { name: 'demo .zkpi proof, manifest and digest (a spot round: no debt-total note)', proof: proofBin, manifest: manifestPath, digest, want: 'ok',
    expect: /^(?![\s\S]*checked only by a full audit)(?=[\s\S]*none of your balances is pledged)/ },
  { name: 'demo proof without a digest', proof: proofJson, manifest: manifestPath, digest: '', want: 'ok' },
  { name: 'a mistyped digest (63 digits) is an input error, not a failed check', proof: proofJson, manifest: manifestPath, digest: digest.slice(1), want: 'error', failed: 'input' },
  { name: 'tampered proof (a sibling hash)', proof: tamperedProof, manifest: manifestPath, digest, want: 'failed', failed: 'proof',
    headline: 'Your proof does not verify', reason: /^asset [A-Z]+, level \d+: the node below is not the child at its position$/ },
  { name: 'tampered manifest (a block height)', proof: proofJson, manifest: tamperedManifest, digest: '', want: 'failed', failed: 'manifest',
    headline: 'The manifest does not verify', reason: /solvency proof/ },
  { name: 'tampered manifest with the published digest: the digest is what fails first', proof: proofJson, manifest: tamperedManifest, digest, want: 'failed', failed: 'digest' },
  { name: 'tampered manifest (the Taproot signature)', proof: proofJson, manifest: tamperedTaproot, digest: '', want: 'failed', failed: 'manifest',
    expect: /bc1p[02-9ac-hj-np-z]{58}: signature was not made by this address's key/ },
  { name: 'a manifest whose USDT names another contract than the known one', proof: proofJson, manifest: wrongTokenPath, digest: '', want: 'failed', failed: 'manifest',
    expect: /manifest: asset USDT reserves: token contract 0x5e5E5e5e5E5e5E5E5e5E5E5e5e5E5E5E5e5E5E5e is not USDT: USDT on Ethereum mainnet \(chain id 1\) is 0xdAC17F958D2ee523a2206206994597C13D831ec7/ },
  { name: 'a manifest listing ETH\'s addresses again as STETH', proof: proofJson, manifest: twicePath, digest: '', want: 'failed', failed: 'manifest',
    expect: /manifest: asset STETH reserves\.addresses\[0\] 0x[0-9a-fA-F]{40}: already claimed by asset ETH reserves\.addresses\[0\] 0x[0-9a-fA-F]{40}: one address's ether can back one asset only/ },
  { name: 'a round with USDT on chain id 1337: accepted, its contract listed as not known', proof: localProof, manifest: join(work, 'local', 'manifest.json'), digest: localDigest, want: 'ok',
    expect: /^(?![\s\S]*\(known contract\))(?=[\s\S]*ERC-20 token contract 0xdAC17F958D2ee523a2206206994597C13D831ec7, chain id 1337 )(?=[\s\S]*What this page cannot check[\s\S]*USDT: token contract 0xdAC17F958D2ee523a2206206994597C13D831ec7 is not a known contract for USDT: check it yourself \(no table of known contracts for chain id 1337\))/ },
  { name: 'tampered proof (own balance raised by one base unit)', proof: raisedProof, manifest: manifestPath, digest, want: 'failed', failed: 'proof' },
  { name: 'truncated .zkpi proof', proof: truncatedBin, manifest: manifestPath, digest, want: 'error', failed: 'input' },
  { name: 'wrong digest', proof: proofJson, manifest: manifestPath, digest: wrongDigest, want: 'failed', failed: 'digest',
    headline: 'The digest does not match: this is not the manifest the exchange published', reason: new RegExp(`^manifest digest ${digest} differs from the published ${wrongDigest}$`),
    next: /^Next step: Check that you copied the digest from the place where the exchange published it/ },
  { name: 'unreadable proof file', proof: unreadable, manifest: manifestPath, digest, want: 'error', failed: 'input' },
  { name: 'unreadable manifest file', proof: proofJson, manifest: unreadable, digest, want: 'error', failed: 'input' },
  { name: 'margin round: a customer with a debt (JSON), manifest and digest', proof: debtorJson, manifest: marginManifest, digest: marginDigest, want: 'ok', shot: 'SCREENSHOT_MARGIN',
    // the tags checked, and for each asset with a debt tree the note that only a full audit checks the debt total
    expect: /^(?=[\s\S]*Collateral check passed)(?=[\s\S]*your leaves are tagged with margin account \d+ \(\d+ inputs\), the one the audit checks)(?=[\s\S]*Not checked here \(a full audit of the bundle checks it\)[\s\S]*[A-Z]+: the debt total \(reserves cover equity minus debt\) is checked only by a full audit: zkpor verify audit BUNDLE --digest [0-9a-f]{64})/ },
  { name: 'margin round: a customer with a debt (.zkpi)', proof: debtorBin, manifest: marginManifest, digest: marginDigest, want: 'ok', expect: /Collateral check passed/ },
  ...(spotFile ? [{ name: 'margin round: a customer without debt', proof: join(marginProofs, spotFile), manifest: marginManifest, digest: marginDigest, want: 'ok',
    expect: /^(?=[\s\S]*equity minus debt)(?=[\s\S]*none of your balances is pledged as collateral for a margin account)(?=[\s\S]*is checked only by a full audit: zkpor verify audit BUNDLE --digest [0-9a-f]{64})/ }] : []),
  { name: 'margin round: a customer without debt whose leaf the exchange pledged (the trees bind the tag)', proof: pledged.proof, manifest: pledged.manifest, digest: pledged.digest, want: 'failed', failed: 'proof',
    expect: new RegExp(`asset ${pledged.asset}: your leaf is pledged as collateral of margin account ${pledged.account}, but you have no debt: the exchange counts your balance as backing someone else's loan`) },
  { name: 'margin round: a borrower shown another account number than their leaves are tagged with', proof: wrongAccount, manifest: marginManifest, digest: marginDigest, want: 'failed', failed: 'proof',
    expect: /your leaf is tagged account \d+ \(\d+ inputs\), but your collateral proof is for account \d+ \(\d+ inputs\): the published account is not the one you were shown/ },
  { name: 'an inclusion proof of format zkpor-inclusion-v1 (before margin tags)', proof: oldJson, manifest: marginManifest, digest: marginDigest, want: 'error', failed: 'input',
    expect: /format 'zkpor-inclusion-v1' is from before leaf margin tags/ },
  { name: 'a .zkpi of version 3 (before margin tags)', proof: oldBin, manifest: marginManifest, digest: marginDigest, want: 'error', failed: 'input',
    expect: /binary inclusion proof version 3 is from before leaf margin tags/ },
  { name: 'a manifest of format zkpor-manifest-v1 (before margin tags)', proof: debtorJson, manifest: oldManifestPath, digest: '', want: 'error', failed: 'input',
    expect: /format 'zkpor-manifest-v1' is from before leaf margin tags/ },
  { name: 'margin round: tampered collateral proof', proof: tamperedCollateral, manifest: marginManifest, digest: marginDigest, want: 'failed', failed: 'proof', expect: /collateral proof/ },
  { name: 'margin round: collateral proof left out', proof: missingCollateral, manifest: marginManifest, digest: marginDigest, want: 'failed', failed: 'proof', expect: /debts without a collateral proof/ },
  { name: 'margin proof against the spot round', proof: debtorJson, manifest: manifestPath, digest, want: 'failed', failed: 'proof' },
];

const browser = await launch({ width: 900, height: 1000 });
const context = browser.context;
const problems = [];
const requests = [];
context.on('request', (r) => {
  if (!r.url().startsWith('file://') && r.url() !== 'http://127.0.0.1:9/') requests.push(r.url());
});
let failed = 0;
try {
  for (const c of cases) {
    const tab = await context.newPage();
    tab.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`${c.name}: console error: ${msg.text()}`);
    });
    tab.on('pageerror', (err) => problems.push(`${c.name}: page error: ${err.message}`));
    await check(tab, pathToFileURL(page).href, c);
    const status = await tab.$eval('#result', (e) => e.dataset.status);
    const failed = await tab.$eval('#result', (e) => e.dataset.failed ?? null);
    const title = await tab.$eval('#result h2', (e) => e.textContent);
    const detail = await tab.$$eval('#result .detail', (es) => es.map((e) => e.textContent).join(' | '));
    const ms = await tab.evaluate(() => window.__zkporLastMs);
    const text = await tab.$eval('#result', (e) => e.textContent);
    // A failure screen (issue "the page's failure screens"): what failed, its headline, what
    // it means, the technical reason, the next step; never "do not trust this proof".
    const screen = failed === null ? null : await tab.$eval('#result', (e) => ({
      meaning: e.querySelector('.meaning')?.textContent ?? '', next: e.querySelector('.next')?.textContent ?? '',
      reason: [...e.querySelectorAll('.reason .detail')].map((p) => p.textContent).join('\n'),
    }));
    const screenOk = (c.failed ?? null) === failed && (!screen || (screen.meaning !== '' && screen.next.startsWith('Next step: ')
      && screen.reason !== '' && !/do not trust/i.test(text))) && (!c.headline || title === c.headline)
      && (!c.reason || c.reason.test(screen?.reason ?? '')) && (!c.next || c.next.test(screen?.next ?? ''));
    const okay = status === c.want && screenOk && (!c.expect || c.expect.test(text));
    if (!okay) console.log(`# ${c.name}: data-failed=${failed} (want ${c.failed ?? null}); the page says: ${text.slice(0, 2000)}`);
    if (!okay) failed++;
    console.log(`${okay ? 'ok' : 'not ok'} - ${c.name}: data-status=${status} (want ${c.want}) in ${(ms / 1000).toFixed(2)} s: ${title}: ${detail.slice(0, 160)}`);
    const shot = c.shot && process.env[c.shot === true ? 'SCREENSHOT' : c.shot];
    if (shot) {
      await tab.screenshot({ path: shot, fullPage: true });
      console.log(`# screenshot ${shot}`);
    }
    await tab.close();
  }
  // The CSP itself: a connection attempted from the page is refused as a policy violation.
  const probe = await context.newPage();
  await probe.goto(pathToFileURL(page).href);
  const blocked = await probe.evaluate(async () => {
    let violation = '';
    document.addEventListener('securitypolicyviolation', (e) => { violation = e.violatedDirective; });
    let refused = false;
    try {
      await fetch('http://127.0.0.1:9/');
    } catch {
      refused = true;
    }
    await new Promise((r) => setTimeout(r, 50));
    return { refused, violation };
  });
  const cspOk = blocked.refused && blocked.violation.startsWith('connect-src');
  if (!cspOk) failed++;
  console.log(`${cspOk ? 'ok' : 'not ok'} - CSP refuses a fetch from the page (${JSON.stringify(blocked)})`);
  await probe.close();
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
for (const p of problems) console.log(`not ok - ${p}`);
if (requests.length) console.log(`not ok - network requests: ${requests.join(', ')}`);
if (failed || problems.length || requests.length) process.exit(1);
console.log(`# e2e: ${cases.length} cases passed, no network request, no console error`);
