// The browser verifier's failure screens as PNGs (docs/customers.md, "When a check fails"):
// a wrong digest, a tampered proof and a tampered manifest, from the guides' demo round
// (`zkpor demo --users 60 --seed 1 --round demo-2026-12-01`, customer-000014), each shown by
// the page in headless Chromium at 800 px wide.
//
//   node tools/failure-screens.mjs [--page PAGE] [--name after] [--out ../docs/img]
//
// writes OUT/failure-NAME-digest.png, -proof.png and -manifest.png. PAGE is a built page
// (default dist/verifier.html: run `node build.mjs` first); an older page (say the one
// committed before a change, `git show REV:zkpor/web/verifier.html > old.html`) gives the
// "before" pictures. ZKPOR_PYTHON picks the Python (default ../.venv/bin/python).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { check, launch } from '../test/chromium.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const { values: opt } = parseArgs({
  options: {
    page: { type: 'string', default: join(here, '..', 'dist', 'verifier.html') },
    name: { type: 'string', default: 'after' },
    out: { type: 'string', default: join(root, 'docs', 'img') },
  },
});
const python = process.env.ZKPOR_PYTHON ?? join(root, '.venv', 'bin', 'python');
const work = mkdtempSync(join(tmpdir(), 'zkpor-screens-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

run(python, ['-m', 'zkpor', 'demo', '--users', '60', '--seed', '1', '--round', 'demo-2026-12-01', '--workers', '1',
  '--json', '--out', join(work, 'demo')]);
const bundle = join(work, 'demo', 'bundle');
const manifest = join(bundle, 'manifest.json');
const digest = readFileSync(join(bundle, 'manifest.sha256'), 'utf8').trim();
const proof = join(work, 'demo', 'proofs', 'customer-000014.json');
const flip = (hex) => hex.replace(/^./, (c) => (c === '0' ? '1' : '0'));

// A tampered proof: the hash of a neighbour of the customer's BTC leaf changed.
const p = JSON.parse(readFileSync(proof, 'utf8'));
const step = p.assets[0].path[0];
const sibling = step.children.findIndex((_, i) => i !== p.assets[0].leaf_index % step.children.length);
step.children[sibling].hash = flip(step.children[sibling].hash);
const tamperedProof = join(work, 'customer-000014.json');
writeFileSync(tamperedProof, JSON.stringify(p));
// A tampered manifest: the block height of the first asset's reserves raised by one (the
// solvency proof binds it). Checked without a digest: with the published one pasted, the
// page names the digest first, since this manifest is not the one published.
const m = JSON.parse(readFileSync(manifest, 'utf8'));
m.assets[Object.keys(m.assets)[0]].reserves.block_height += 1;
const tamperedManifest = join(work, 'manifest.json');
writeFileSync(tamperedManifest, JSON.stringify(m));

const cases = [
  { name: 'digest', proof, manifest, digest: flip(digest) },
  { name: 'proof', proof: tamperedProof, manifest, digest },
  { name: 'manifest', proof, manifest: tamperedManifest, digest: '' },
];
mkdirSync(opt.out, { recursive: true });
const browser = await launch({ width: 800, height: 600 });
try {
  for (const c of cases) {
    const tab = await browser.context.newPage();
    await check(tab, pathToFileURL(resolve(opt.page)).href, c);
    const title = await tab.$eval('#result h2', (e) => e.textContent);
    const path = join(opt.out, `failure-${opt.name}-${c.name}.png`);
    await tab.screenshot({ path, fullPage: true });
    console.log(`${path}: ${title}`);
    await tab.close();
  }
} finally {
  await browser.close();
}
