// Bundles the TypeScript tests with esbuild and runs them with node's built-in test runner.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'test');
mkdirSync(out, { recursive: true });
const entries = readdirSync(here).filter((f) => f.endsWith('.test.ts')).map((f) => join(here, f));
await build({
  entryPoints: entries, bundle: true, platform: 'node', format: 'esm', outdir: out,
  outExtension: { '.js': '.mjs' }, logLevel: 'warning', target: 'node20', loader: { '.bin': 'base64' },
});
const files = readdirSync(out).filter((f) => f.endsWith('.test.mjs')).map((f) => join(out, f));
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
