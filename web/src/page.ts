/**
 * The page: file inputs #proof and #manifest, text input #digest, button #verify, and
 * #result whose data-status becomes "ok", "failed" (a check failed) or "error" (a file
 * could not be read). A failure screen says what failed (data-failed: "digest", "manifest",
 * "proof" or "input"): the headline, what it means for the customer, the technical reason
 * and the next step, in the words of `zkpor verify user` (failures.ts). Everything the
 * exchange controls is shown as text (textContent), never as markup. Nothing is sent
 * anywhere: the page's CSP forbids every connection.
 */
import { CheckFailure, InputError, VerificationError } from './errors.js';
import { FAILURES, type Failed } from './failures.js';
import { usingShipped, vectorG, vectorH } from './generators.js';
import { formatUnits } from './amounts.js';
import { checkFileSize, privateReservesLine, verifyUser, type UserReport } from './verify.js';
import type { VerifiedAsset } from './inclusion.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

function el(tag: string, attrs: Record<string, string> = {}, ...kids: Array<Node | string>): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) e.append(typeof k === 'string' ? document.createTextNode(k) : k);
  return e;
}

let prepared: Promise<void> | null = null;

/** Derive the vector generators G_i, H_i (hash_to_curve) in small steps, showing progress. */
function prepare(count = 1024): Promise<void> {
  if (!prepared) {
    prepared = (async () => {
      const t0 = performance.now();
      const status = $('gens');
      for (let i = 64; i <= count; i += 64) {
        vectorG(i);
        vectorH(i);
        status.textContent = `Preparing the generators: ${Math.round((100 * i) / count)}%`;
        await tick();
      }
      status.textContent = usingShipped()
        ? 'Generators ready (the first 1,024 pairs from the table zkpor ships, checked against its pinned SHA-256; the rest derived in this page, docs/spec.md section 3).'
        : 'Generators ready (derived in this page from docs/spec.md section 3).';
      (window as unknown as { __zkporGensMs: number }).__zkporGensMs = performance.now() - t0;
    })();
  }
  return prepared;
}

async function readFile(input: HTMLInputElement, what: string, kind: 'proof' | 'manifest'): Promise<Uint8Array> {
  const f = input.files?.[0];
  if (!f) throw new InputError(`choose your ${what} file`);
  checkFileSize(f.size, kind); // before reading: a huge file is never loaded
  try {
    return new Uint8Array(await f.arrayBuffer());
  } catch {
    throw new InputError(`${what}: the file cannot be read`);
  }
}

function setStatus(status: 'ok' | 'failed' | 'error' | 'working', title: string, detail?: string): void {
  const r = $('result');
  r.dataset.status = status;
  delete r.dataset.failed;
  r.replaceChildren(el('h2', {}, title));
  if (detail) for (const line of detail.split('\n')) r.append(el('p', { class: 'detail' }, line));
}

/** A failure screen: what failed, what it means for the customer, the technical reason (the check's own message), the next step. */
function showFailure(failed: Failed, reason: string): void {
  const f = FAILURES[failed];
  const r = $('result');
  r.dataset.status = failed === 'input' ? 'error' : 'failed';
  r.dataset.failed = failed;
  const technical = el('div', { class: 'reason' }, el('span', { class: 'label' }, 'Technical reason'));
  for (const line of reason.split('\n')) technical.append(el('p', { class: 'detail' }, line));
  r.replaceChildren(el('h2', {}, f.headline), el('p', { class: 'meaning' }, f.meaning), technical,
    el('p', { class: 'next' }, el('strong', {}, 'Next step: '), f.next_step));
}

function pathPicture(a: VerifiedAsset): HTMLElement {
  const box = el('div', { class: 'path' });
  const tree = a.kind === 'debt' ? ` in the ${a.asset} debt tree` : '';
  box.append(el('div', { class: 'level-label' }, `Your leaf${tree}: position ${a.leafIndex} of ${a.leafCount}`));
  for (const s of a.steps) {
    const row = el('div', { class: 'level' });
    row.append(el('div', { class: 'level-label' }, s.level === a.steps.length ? `Level ${s.level}: the root's children` : `Level ${s.level}: node ${s.index}, its children`));
    const kids = el('div', { class: 'children' });
    s.children.forEach((c, i) => {
      const mine = i === s.position;
      const tag = s.level === 1 ? `\nmargin tag ${c.margin ? `account ${c.margin.account} (${c.margin.inputs} inputs)` : 'none'}` : '';
      kids.append(el('span', { class: mine ? 'child mine' : 'child', title: `hash ${c.hash}\ncommitment ${c.commitment}${tag}` }, mine ? (s.level === 1 ? 'you' : 'yours') : ''));
    });
    row.append(kids);
    box.append(row);
  }
  box.append(el('div', { class: 'level-label' }, `Root ${a.rootHash.slice(0, 16)}…: equals the published manifest`));
  return box;
}

function render(rep: UserReport, ms: number): void {
  const equity = rep.assets.filter((a) => a.kind === 'equity');
  const debts = rep.assets.filter((a) => a.kind === 'debt');
  const terms = rep.manifest.terms;
  const unchecked = rep.manifest.unchecked;
  const except = unchecked.length
    ? ` (except ${unchecked.length} reserve ownership signature${unchecked.length > 1 ? 's' : ''} this page could not check: see "What this page cannot check")`
    : '';
  setStatus('ok', (debts.length
    ? 'Verified: your balances and debts are counted, your collateral covers your debts, and reserves cover liabilities'
    : 'Verified: your balances are counted, and reserves cover liabilities') + except,
  `${rep.userId} at ${rep.exchange}, round ${rep.roundId}.` + (rep.proofNamesExchange ? ' (Your proof names this exchange.)' : ''));
  const r = $('result');
  const bal = el('table', { class: 'balances' }, el('tr', {}, el('th', {}, 'Asset'), el('th', { class: 'num' }, 'Your balance'),
    ...(debts.length ? [el('th', { class: 'num' }, 'Your debt')] : []), el('th', { class: 'num' }, 'Reserves'), el('th', {}, 'Covered')));
  const symbols = [...new Set([...equity, ...debts].map((a) => a.asset))];
  for (const sym of symbols) {
    const e = equity.find((a) => a.asset === sym);
    const d = debts.find((a) => a.asset === sym);
    const res = rep.manifest.assets.find((x) => x.asset === sym)!;
    const ratio = (res.minRatio === '1/1' ? 'yes' : `yes, x ${res.minRatio}`) + (res.net ? ' (equity minus debt)' : '');
    bal.append(el('tr', {}, el('td', {}, sym), el('td', { class: 'num' }, e ? formatUnits(e.units, e.decimals) : '-'),
      ...(debts.length ? [el('td', { class: 'num' }, d ? formatUnits(d.units, d.decimals) : '-')] : []),
      el('td', { class: 'num' }, res.reserves), el('td', {}, ratio)));
  }
  r.append(bal);
  for (const res of rep.manifest.assets) {
    if (res.privateKeys !== null)
      r.append(el('p', { class: 'note' }, privateReservesLine(res.asset, res.privateKeys, res.blockHeight)));
    if (res.chain.endsWith('-testnet'))
      r.append(el('p', { class: 'note warn' },
        `WARNING: ${res.asset} reserves are on ${res.chain}: testnet coins have no value; these are not reserves.`));
  }
  if (debts.length && terms) {
    r.append(el('p', { class: 'note good' },
      `Collateral check passed (margin account ${rep.collateralAccount}): your debts, valued at the published prices in ${terms.quoteSymbol}, ` +
      'are at most your balances after the published haircut tiers, proven in zero knowledge over the very leaves counted in the trees.'));
  }
  const dg = el('p', { class: 'digest' }, 'Manifest digest: ', el('code', {}, rep.digest));
  r.append(dg);
  r.append(el('p', { class: rep.digestMatched ? 'note good' : 'note warn' }, rep.digestMatched
    ? 'It equals the digest you pasted, so you checked the same manifest as everyone else.'
    : 'No published digest was pasted: compare the digest above with the one the exchange published widely.'));

  const details = el('section', { class: 'more' });
  details.append(el('h3', {}, 'Your path in each tree'));
  for (const a of rep.assets) {
    details.append(el('h4', {}, a.kind === 'debt' ? `${a.asset} debt: ${a.amount}` : `${a.asset}: ${a.amount}`));
    details.append(pathPicture(a));
  }
  details.append(el('h3', {}, 'Reserves (every asset of the manifest)'));
  for (const res of rep.manifest.assets) {
    const t = el('table', { class: 'reserves' }, el('tr', {}, el('th', {}, 'Signed address'), el('th', { class: 'num' }, 'Balance')));
    for (const ad of res.addresses) t.append(el('tr', {}, el('td', { class: 'addr' }, ad.address), el('td', { class: 'num' }, ad.balance)));
    details.append(el('h4', {}, `${res.asset}: ${res.reserves} on ${res.chain} at block ${res.blockHeight}` +
      (res.net ? '; solvency over equity minus debt' : '') + (res.liabilities ? `; liabilities disclosed: ${res.liabilities}` : '') +
      (res.debt ? `; debt disclosed: ${res.debt}` : '')));
    if (res.tokenContract !== null || res.chainId !== null)
      details.append(el('p', { class: 'token' }, (res.tokenContract !== null ? `ERC-20 token contract ${res.tokenContract}${res.tokenKnown ? ' (known contract)' : ''}` : 'the chain\'s native coin') +
        (res.chainId !== null ? `, chain id ${res.chainId}` : '') + ' (bound by every solvency proof)'));
    details.append(t);
  }
  details.append(el('h3', {}, 'What was checked'));
  const ul = el('ul');
  for (const line of [
    `the manifest parsed strictly; its digest computed${rep.digestMatched ? ' and equal to the published one' : ''}`,
    'the generator set and parameters are the ones of the specification',
    'per asset: reserves total = the sum of the listed balances; the solvency proof (reserves >= ratio x liabilities' +
      (rep.manifest.assets.some((a) => a.net) ? ', liabilities net of debt where the asset has a debt tree' : '') + ')',
    ...(terms ? ['the published prices and haircut tiers are consistent (every solvency proof binds them)'] : []),
    unchecked.length
      ? 'every other reserve address ownership signature over this exchange and round (legacy, Ethereum, BIP-322); no address listed twice'
      : 'every reserve address ownership signature over this exchange and round (legacy, Ethereum, BIP-322); no address listed twice',
    'across assets: no address\'s holding (its chain\'s native coin or one token contract, on one network) backs two assets; ' +
      'no asset on chain ethereum whose symbol is in zkpor\'s table of known token contracts names another contract',
    ...(rep.proofNamesExchange ? ['your proof names the same exchange as the manifest'] : []),
    `your leaf, its opening and every step of your path up to the published root (${rep.proofFormat === 'binary' ? 'binary .zkpi' : 'JSON'} proof)`,
    ...(debts.length ? [
      'each debt leaf, its opening and its path up to the published debt root',
      'your collateral proof: its inputs are exactly your debt leaves and your balances in priced assets, and it verifies for the circuit rebuilt here from the published terms',
      `your leaves are tagged with margin account ${rep.collateralAccount} (${debts[0].tag.inputs} inputs), the one the audit checks: each debt leaf and each balance in a priced asset, and no other leaf`,
    ] : [
      'none of your balances is pledged as collateral for a margin account (the margin tag of each of your leaves is none)',
    ]),
    `${rep.rangeProofs} range proofs (every child on your path, siblings included, and the solvency proofs)${debts.length ? ' and your collateral proof' : ''} in one batch, in ${(ms / 1000).toFixed(2)} s`,
  ]) ul.append(el('li', {}, line));
  details.append(ul);
  details.append(el('h3', {}, 'What this page cannot check'));
  const ul2 = el('ul');
  for (const line of [
    ...unchecked.map((u) => `the ownership signature of ${u}; zkpor verify user checks it (bip322-core)`),
    ...rep.manifest.notKnownTokens,
    'that the balances are really on chain at the block height (the auditor checks that against their own node)',
    'that other customers are in the trees (each checks their own); that your account id and balances are the ones you expected: compare them yourself',
    'that this manifest is the one everyone else checked: only the published digest shows that',
    ...(terms ? ['that the published prices and haircut tiers are fair: they are what every collateral proof is checked under'] : []),
  ]) ul2.append(el('li', {}, line));
  details.append(ul2);
  if (rep.auditOnly.length) {
    details.append(el('h3', {}, 'Not checked here (a full audit of the bundle checks it)'));
    const ul3 = el('ul', { class: 'audit-only' });
    for (const line of rep.auditOnly) ul3.append(el('li', {}, line));
    details.append(ul3);
  }
  r.append(details);
}

async function run(): Promise<void> {
  const t0 = performance.now();
  const button = $<HTMLButtonElement>('verify');
  button.disabled = true;
  try {
    setStatus('working', 'Checking…');
    const proof = await readFile($<HTMLInputElement>('proof'), 'inclusion proof', 'proof');
    const manifest = await readFile($<HTMLInputElement>('manifest'), 'manifest', 'manifest');
    const digestText = $<HTMLInputElement>('digest').value.trim();
    await prepare();
    const rep = await verifyUser(proof, manifest, digestText === '' ? null : digestText, async (step) => {
      setStatus('working', 'Checking…', step);
      await tick();
    });
    render(rep, performance.now() - t0);
  } catch (e) {
    if (e instanceof CheckFailure) showFailure(e.failed, e.message);
    else if (e instanceof VerificationError) setStatus('failed', 'Verification failed', e.message); // not raised: verifyUser says what failed
    else if (e instanceof InputError) showFailure('input', e.message);
    else setStatus('error', 'Could not check: unexpected error', (e as Error).message);
  } finally {
    button.disabled = false;
    const w = window as unknown as { __zkporLastMs: number; __zkporDoneAt: number };
    w.__zkporLastMs = performance.now() - t0;
    w.__zkporDoneAt = performance.now(); // since navigation start
  }
}

window.addEventListener('DOMContentLoaded', () => {
  $('verify').addEventListener('click', () => void run());
  void prepare();
});

