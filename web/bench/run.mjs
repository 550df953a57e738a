// Browser verifier benchmark in headless Chromium (Debian chromium, playwright-core): the
// built page from file://, verifying (1) a synthesized 1M-customer proof (one asset, arity 16,
// depth 5; bench/synth.py) and (2) a three-asset customer of a `zkpor demo` round, each as
// JSON and .zkpi. Per case: a cold run (a fresh page, generators derived during the check)
// and warm runs (generators derived at page load, as while a customer picks the files).
// Prints JSON; `node bench/run.mjs OUT.json` also writes it. ZKPOR_PYTHON picks the Python.
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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
run(['-m', 'zkpor', 'export', '--bundle', join(demo, 'bundle'), '--user', threeUser, '--format', 'binary', '--out', join(work, 'three.zkpi')]);
const page = pathToFileURL(join(here, '..', 'dist', 'verifier.html')).href;

const cases = [
  { name: '1M customers, one asset (depth 5, arity 16), JSON', proof: join(work, 'synth', 'proof.json'), manifest: join(work, 'synth', 'manifest.json'), digest: join(work, 'synth', 'digest'), target: 2 },
  { name: '1M customers, one asset (depth 5, arity 16), .zkpi', proof: join(work, 'synth', 'proof.zkpi'), manifest: join(work, 'synth', 'manifest.json'), digest: join(work, 'synth', 'digest'), target: 2 },
  { name: 'three-asset demo customer (1,000 customers), JSON', proof: join(proofsDir, three), manifest: join(demo, 'bundle', 'manifest.json'), digest: join(demo, 'bundle', 'manifest.sha256'), target: 5 },
  { name: 'three-asset demo customer (1,000 customers), .zkpi', proof: join(work, 'three.zkpi'), manifest: join(demo, 'bundle', 'manifest.json'), digest: join(demo, 'bundle', 'manifest.sha256'), target: 5 },
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
  cpus: cpus().length, cpu_model: cpus()[0]?.model, node: process.version, runs: RUNS,
  page_bytes: readFileSync(join(here, '..', 'dist', 'verifier.html')).length,
  note: 'warm = generators G_i, H_i (2 x 1024, hash_to_curve) derived when the page loads; cold = a fresh page, files chosen and Verify clicked at once: cold_navigation_to_verdict counts from navigation start (page load, generator derivation, choosing the files, the check). Timed from the click on #verify to data-status=ok; includes reading the files, the manifest with its signatures, the path and one batched msm over every range proof.',
  results,
};
const json = JSON.stringify(out, null, 2) + '\n';
process.stdout.write(json);
if (process.argv[2]) writeFileSync(process.argv[2], json);
