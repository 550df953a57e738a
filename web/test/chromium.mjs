// Debian's Chromium, headless, through playwright-core (which downloads no browser): the
// flags that keep it off the network (this machine has none) and a fresh profile per run.
// Used by test/e2e.mjs and tools/failure-screens.mjs. CHROMIUM picks the binary.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A browser context in a new empty profile; `close()` ends it and removes the profile. */
export async function launch(viewport = { width: 900, height: 1000 }) {
  const profile = mkdtempSync(join(tmpdir(), 'zkpor-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: LAUNCH_ARGS, viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Open the page, choose the files, paste the digest, press Verify and wait for the verdict. */
export async function check(tab, pageUrl, { proof, manifest, digest }) {
  await tab.goto(pageUrl);
  await tab.setInputFiles('#proof', proof);
  await tab.setInputFiles('#manifest', manifest);
  await tab.fill('#digest', digest);
  await tab.click('#verify');
  await tab.waitForFunction(() => ['ok', 'failed', 'error'].includes(document.querySelector('#result')?.dataset.status ?? ''), null, { timeout: 120000 });
}
