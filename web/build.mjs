// Builds dist/verifier.html: ONE self-contained page (script and styles inline) whose CSP
// forbids every connection and allows only the inline script with this exact SHA-256.
// Deterministic: same sources and pinned esbuild give the same bytes (no timestamps).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const res = await build({
  entryPoints: [join(here, 'src', 'page.ts')], bundle: true, format: 'iife', platform: 'browser',
  target: 'es2022', minify: true, write: false, legalComments: 'none', charset: 'utf8', logLevel: 'warning',
  loader: { '.bin': 'base64' },
});
let script = res.outputFiles[0].text.trimEnd();
if (/<\/script/i.test(script) || script.includes('<!--')) throw new Error('bundle holds </script or <!--');
const style = readFileSync(join(here, 'src', 'page.css'), 'utf8').trim();
const hash = 'sha256-' + createHash('sha256').update(script, 'utf8').digest('base64');
const html = readFileSync(join(here, 'src', 'page.html'), 'utf8')
  .replace('__SCRIPT_HASH__', () => hash)
  .replace('__STYLE__', () => style)
  .replace('__VERSION__', () => pkg.version)
  .replace('__SCRIPT__', () => script);
const out = process.argv[2] ?? join(here, 'dist', 'verifier.html');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, html);
console.log(`built ${out}: ${html.length} bytes, script ${hash}`);
