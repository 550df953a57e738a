// Browser verifier benchmark in headless Chromium (Debian chromium, playwright-core): the
// built page from file://, verifying (1) a synthesized 1M-customer proof (one asset, arity 16,
// depth 5; bench/synth.py), (2) a three-asset customer of a `zkpor demo` round and (3) a
// customer with a debt (debt paths and a collateral proof) of a `zkpor demo` round with margin,
// each as JSON and .zkpi. Per case: a cold run (a fresh page, generators prepared during the
// check) and warm runs (generators prepared at page load, as while a customer picks the files).
// Prints JSON; `node bench/run.mjs OUT.json` also writes it. ZKPOR_PYTHON picks the Python;
// PAGE=path times another build of the page (e.g. the committed one, for a before/after) and
// NO_MARGIN=1 leaves the margin case out (for a page from before margin accounts).
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const python = process.env.ZKPOR_PYTHON ?? join(root, '.venv', 'bin', 'python');
const RUNS = Number(process.env.RUNS ?? 5);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const work = mkdtempSync(join(tmpdir(), 'zkpor-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const run = (args) => {
  const r = spawnSync(python, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

run([join(here, 'synth.py'), join(work, 'synth')]);
run(['-m', 'zkpor', 'demo', '--users', '1000', '--seed', '7', '--no-margin', '--out', join(work, 'demo')]);
const demo = join(work, 'demo');
const proofsDir = join(demo, 'proofs');
const three = readdirSync(proofsDir).filter((f) => f.endsWith('.json'))
  .find((f) => JSON.parse(readFileSync(join(proofsDir, f), 'utf8')).assets.length === 3);
if (!three) throw new Error('no demo customer holds three assets');
const threeUser = JSON.parse(readFileSync(join(proofsDir, three), 'utf8')).user_id;
run(['-m', 'zkpor', 'export', join(demo, 'bundle'), '--user', threeUser, '--format', 'binary', '--out', join(work, 'three.zkpi')]);
const pagePath = process.env.PAGE ? resolve(process.env.PAGE) : join(here, '..', 'dist', 'verifier.html');
const page = pathToFileURL(pagePath).href;
const margin = !process.env.NO_MARGIN;
let debtor = null;
if (margin) {
  const m = JSON.parse(run(['-m', 'zkpor', 'demo', '--users', '300', '--seed', '7', '--json', '--out', join(work, 'margin')]));
  const dir = join(work, 'margin', 'proofs');
  const file = readdirSync(dir).filter((f) => f.endsWith('.json')).find((f) => {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    return p.debts && m.debtors_verified.includes(p.user_id);
  });
  if (!file) throw new Error('the margin demo exported no customer with a debt');
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  run(['-m', 'zkpor', 'export', join(work, 'margin', 'bundle'), '--user', p.user_id, '--format', 'binary', '--out', join(work, 'debtor.zkpi')]);
  debtor = { json: join(dir, file), assets: p.assets.length, debts: p.debts.length };
}

const cases = [
  { name: '1M customers, one asset (depth 5, arity 16), JSON', proof: join(work, 'synth', 'proof.json'), manifest: join(work, 'synth', 'manifest.json'), digest: join(work, 'synth', 'digest'), target: 2 },
  { name: '1M customers, one asset (depth 5, arity 16), .zkpi', proof: join(work, 'synth', 'proof.zkpi'), manifest: join(work, 'synth', 'manifest.json'), digest: join(work, 'synth', 'digest'), target: 2 },
  { name: 'three-asset demo customer (1,000 customers), JSON', proof: join(proofsDir, three), manifest: join(demo, 'bundle', 'manifest.json'), digest: join(demo, 'bundle', 'manifest.sha256'), target: 5 },
  { name: 'three-asset demo customer (1,000 customers), .zkpi', proof: join(work, 'three.zkpi'), manifest: join(demo, 'bundle', 'manifest.json'), digest: join(demo, 'bundle', 'manifest.sha256'), target: 5 },
  ...(debtor ? [
    { name: `margin customer (300 customers, ${debtor.assets} assets, ${debtor.debts} debt, collateral proof), JSON`, proof: debtor.json, manifest: join(work, 'margin', 'bundle', 'manifest.json'), digest: join(work, 'margin', 'bundle', 'manifest.sha256'), target: 5 },
    { name: `margin customer (300 customers, ${debtor.assets} assets, ${debtor.debts} debt, collateral proof), .zkpi`, proof: join(work, 'debtor.zkpi'), manifest: join(work, 'margin', 'bundle', 'manifest.json'), digest: join(work, 'margin', 'bundle', 'manifest.sha256'), target: 5 },
  ] : []),
];

const profile = mkdtempSync(join(tmpdir(), 'zkpor-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ARGS });
const version = ctx.browser()?.version() ?? (await (await ctx.newPage()).evaluate(() => navigator.userAgent));

async function verifyOnce(tab, c) {
  await tab.setInputFiles('#proof', c.proof);
  await tab.setInputFiles('#manifest', c.manifest);
  await tab.fill('#digest', readFileSync(c.digest, 'utf8').trim());
  await tab.evaluate(() => { document.querySelector('#result').dataset.status = 'idle'; });
  await tab.click('#verify');
  await tab.waitForFunction(() => ['ok', 'failed', 'error'].includes(document.querySelector('#result').dataset.status), null, { timeout: 300000 });
  const status = await tab.$eval('#result', (e) => e.dataset.status);
  if (status !== 'ok') throw new Error(`${c.name}: ${status}: ${await tab.$eval('#result', (e) => e.textContent)}`);
  return tab.evaluate(() => window.__zkporLastMs);
}

const results = [];
try {
  for (const c of cases) {
    const cold = await ctx.newPage();
    await cold.goto(page);
    const coldMs = await verifyOnce(cold, c);
    const coldFromNav = await cold.evaluate(() => window.__zkporDoneAt);
    await cold.close();
    const tab = await ctx.newPage();
    await tab.goto(page);
    await tab.waitForFunction(() => typeof window.__zkporGensMs === 'number', null, { timeout: 120000 });
    const gensMs = await tab.evaluate(() => window.__zkporGensMs);
    const warm = [];
    for (let i = 0; i < RUNS; i++) warm.push(await verifyOnce(tab, c));
    await tab.close();
    warm.sort((a, b) => a - b);
    const median = warm[Math.floor(warm.length / 2)];
    results.push({
      case: c.name, proof_bytes: readFileSync(c.proof).length, target_seconds: c.target,
      warm_seconds: warm.map((x) => +(x / 1000).toFixed(3)), warm_median_seconds: +(median / 1000).toFixed(3),
      cold_click_to_verdict_seconds: +(coldMs / 1000).toFixed(3),
      cold_navigation_to_verdict_seconds: +(coldFromNav / 1000).toFixed(3),
      generators_at_load_seconds: +(gensMs / 1000).toFixed(3),
      met_warm: median / 1000 <= c.target, met_cold: coldFromNav / 1000 <= c.target,
    });
    console.error(`${c.name}: warm median ${(median / 1000).toFixed(3)} s, cold from navigation ${(coldFromNav / 1000).toFixed(3)} s`);
  }
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
const out = {
  benchmark: 'zkpor browser verifier (web/bench/run.mjs)', browser: `Debian chromium ${version}, headless`,
  cpus: cpus().length, cpu_model: cpus()[0]?.model, load_average_at_end: loadavg().map((x) => +x.toFixed(2)), node: process.version, runs: RUNS,
  page: process.env.PAGE ?? 'web/dist/verifier.html',
  page_bytes: readFileSync(pagePath).length,
  note: 'warm = generators G_i, H_i (2 x 1024: decoded from the shipped table checked against its pinned SHA-256, or derived by hash_to_curve in a page without it) prepared when the page loads; cold = a fresh page, files chosen and Verify clicked at once: cold_navigation_to_verdict counts from navigation start (page load, generator derivation, choosing the files, the check). Timed from the click on #verify to data-status=ok; includes reading the files, the manifest with its signatures, the path (and debt paths) and one batched msm over every range proof (and the collateral proof).',
  results,
};
const json = JSON.stringify(out, null, 2) + '\n';
process.stdout.write(json);
if (process.argv[2]) writeFileSync(process.argv[2], json);
