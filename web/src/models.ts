/**
 * Strict models of the public files (zkpor/formats/models.py, zkpor/formats/manifest.py; docs/spec.md 8.1,
 * 9.2, 12.2): unknown fields refused, integers only where integers belong, strings only where
 * strings belong, every pattern and bound checked. Failures are InputErrors naming the field.
 * Margin fields (spec 16.6, 16.8) and the proof's `exchange` are optional: absent (or null)
 * when the round has none, and then left out of the canonical JSON; so are the token fields of
 * an asset's reserves (10.1: `token_contract` in exact EIP-55 form, `chain_id`, chain ethereum only).
 */
import { InputError } from './errors.js';
import { checkText } from './identifiers.js';
import type { Json } from './json.js';
import { MAX_SIGNATURE_CHARS } from './reserves/bip322.js';
import { toChecksumAddress } from './reserves/ethereum.js';

type Obj = { [k: string]: Json };

const HEX32 = /^[0-9a-f]{64}$/;
const HEX33 = /^[0-9a-f]{66}$/;
const HEXBYTES = /^([0-9a-f]{2})+$/;
const DECIMAL = /^(0|[1-9][0-9]{0,25})$/;
const SYMBOL = /^[A-Z0-9][A-Z0-9._-]{0,15}$/;
const ARITIES = [2, 4, 8, 16, 32, 64];
const DECIMAL_TEXT = /^(0|[1-9][0-9]{0,59})(\.[0-9]{1,30})?$/;

class Fields {
  constructor(readonly o: Obj, readonly where: string) {}

  static of(v: Json | undefined, where: string, required: string[], optional: string[] = []): Fields {
    if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v))
      throw new InputError(`${where || 'file'}: expected an object`);
    const o = v as Obj;
    for (const k of Object.keys(o))
      if (!required.includes(k) && !optional.includes(k)) throw new InputError(`${at(where, k)}: unknown field`);
    for (const k of required) if (!(k in o)) throw new InputError(`${at(where, k)}: field required`);
    return new Fields(o, where);
  }

  raw(k: string): Json {
    return this.o[k];
  }

  str(k: string, re?: RegExp, min = 0, max = Infinity): string {
    const v = this.o[k];
    if (typeof v !== 'string') throw new InputError(`${at(this.where, k)}: expected a string`);
    const len = [...v].length;
    if (len < min || len > max) throw new InputError(`${at(this.where, k)}: length ${len} outside ${min}..${max}`);
    if (re && !re.test(v)) throw new InputError(`${at(this.where, k)}: does not match ${re.source}`);
    return v;
  }

  ident(k: string, what: string, maxBytes: number): string {
    const v = this.str(k, undefined, 1, maxBytes);
    try {
      return checkText(v, what, maxBytes);
    } catch (e) {
      throw new InputError(`${at(this.where, k)}: ${(e as Error).message}`);
    }
  }

  int(k: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.o[k];
    if (typeof v === 'bigint') throw new InputError(`${at(this.where, k)}: integer too large`);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new InputError(`${at(this.where, k)}: expected an integer`);
    if (v < min || v > max) throw new InputError(`${at(this.where, k)}: ${v} outside ${min}..${max}`);
    return v;
  }

  /** The file's `format`: an earlier version of `current` is refused by name (before margin tags). */
  format<T extends string>(current: T): T {
    const v = this.o.format;
    if (typeof v === 'string' && v !== current && v.startsWith(current.slice(0, -1)))
      throw new InputError(`format '${v}' ${BEFORE_TAGS}`);
    return this.literal('format', [current] as const);
  }

  literal<T extends Json>(k: string, allowed: readonly T[]): T {
    const v = this.o[k];
    if (!allowed.some((a) => a === v)) throw new InputError(`${at(this.where, k)}: must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    return v as T;
  }

  /** Whether an optional field is given (absent and null both mean "not given"). */
  has(k: string): boolean {
    return this.o[k] !== undefined && this.o[k] !== null;
  }

  list(k: string, min: number, max = Infinity): Json[] {
    const v = this.o[k];
    if (!Array.isArray(v)) throw new InputError(`${at(this.where, k)}: expected an array`);
    if (v.length < min || v.length > max) throw new InputError(`${at(this.where, k)}: ${v.length} items, expected ${min}..${max}`);
    return v;
  }
}

const at = (where: string, k: string | number) => (where ? `${where}.${k}` : String(k));

/** Formats of earlier releases are refused by name (spec 8.1, 9.2, 12.2): their trees have no margin tags. */
const BEFORE_TAGS = 'is from before leaf margin tags (format v2) and is no longer accepted: ask the exchange for files made with a current zkpor';
export const INCLUSION_FORMAT = 'zkpor-inclusion-v2';
export const ROOTS_FORMAT = 'zkpor-roots-v2';
export const MANIFEST_FORMAT = 'zkpor-manifest-v2';
const MAX_TAG_FIELD = 0xffffffff;

// ---- inclusion proofs (8.1) ----

/** A leaf's margin tag when it is not none (7.4, 8.1): only on the children of level-1 steps. */
export type LeafMargin = { account: number; inputs: number };
export type ChildNode = { hash: string; commitment: string; margin?: LeafMargin };
export type PathStep = { level: number; index: number; children: ChildNode[]; proofs: string[] };
export type AssetInclusion = {
  asset: string; decimals: number; amount: string; units: string; blinding: string; salt: string;
  leaf_index: number; leaf_count: number; path: PathStep[];
};
export type LeafPosition = { asset: string; tree: 'equity' | 'debt'; leaf: number };
export type CollateralInclusion = { account: number; inputs: LeafPosition[]; proof: string };
export type InclusionProof = {
  format: typeof INCLUSION_FORMAT; exchange?: string; round_id: string; user_id: string; arity: number; assets: AssetInclusion[];
  debts?: AssetInclusion[]; collateral?: CollateralInclusion;
};

function childNode(c: Json, where: string): ChildNode {
  const cf = Fields.of(c, where, ['hash', 'commitment'], ['margin']);
  const out: ChildNode = { hash: cf.str('hash', HEX32), commitment: cf.str('commitment', HEX33) };
  if (cf.has('margin')) {
    const mf = Fields.of(cf.raw('margin'), at(where, 'margin'), ['account', 'inputs']);
    out.margin = { account: mf.int('account', 0, MAX_TAG_FIELD), inputs: mf.int('inputs', 1, MAX_TAG_FIELD) };
  }
  return out;
}

function pathStep(v: Json, where: string): PathStep {
  const f = Fields.of(v, where, ['level', 'index', 'children', 'proofs']);
  const level = f.int('level', 1, 64);
  const index = f.int('index', 0);
  const children = f.list('children', 1, 64).map((c, i) => childNode(c, at(at(where, 'children'), i)));
  if (level !== 1 && children.some((c) => c.margin !== undefined))
    throw new InputError(`${where}: only leaves (children at level 1) carry a margin tag`);
  return {
    level,
    index,
    children,
    proofs: f.list('proofs', 1, 7).map((p, i) => {
      if (typeof p !== 'string' || !HEXBYTES.test(p)) throw new InputError(`${at(where, 'proofs')}.${i}: expected hex`);
      return p;
    }),
  };
}

function assetInclusion(a: Json, w: string): AssetInclusion {
  const af = Fields.of(a, w, ['asset', 'decimals', 'amount', 'units', 'blinding', 'salt', 'leaf_index', 'leaf_count', 'path']);
  return {
    asset: af.str('asset', SYMBOL),
    decimals: af.int('decimals', 0, 30),
    amount: af.str('amount'),
    units: af.str('units', DECIMAL),
    blinding: af.str('blinding', HEX32),
    salt: af.str('salt', HEX32),
    leaf_index: af.int('leaf_index', 0),
    leaf_count: af.int('leaf_count', 1),
    path: af.list('path', 1, 64).map((s, j) => pathStep(s, `${w}.path.${j}`)),
  };
}

function collateralInclusion(v: Json): CollateralInclusion {
  const f = Fields.of(v, 'collateral', ['account', 'inputs', 'proof']);
  return {
    account: f.int('account', 0),
    inputs: f.list('inputs', 1, 128).map((x, i) => {
      const pf = Fields.of(x, `collateral.inputs.${i}`, ['asset', 'tree', 'leaf']);
      return { asset: pf.str('asset', SYMBOL), tree: pf.literal('tree', ['equity', 'debt'] as const), leaf: pf.int('leaf', 0) };
    }),
    proof: f.str('proof', HEXBYTES),
  };
}

export function inclusionProof(v: Json): InclusionProof {
  const f = Fields.of(v, '', ['format', 'round_id', 'user_id', 'arity', 'assets'], ['exchange', 'debts', 'collateral']);
  const p: InclusionProof = {
    format: f.format(INCLUSION_FORMAT),
    round_id: f.ident('round_id', 'round id', 64),
    user_id: f.ident('user_id', 'user id', 128),
    arity: f.literal('arity', ARITIES),
    assets: f.list('assets', 1).map((a, i) => assetInclusion(a, `assets.${i}`)),
  };
  if (f.has('exchange')) p.exchange = f.ident('exchange', 'exchange name', 100);
  if (f.has('debts')) p.debts = f.list('debts', 1).map((a, i) => assetInclusion(a, `debts.${i}`));
  if (f.has('collateral')) p.collateral = collateralInclusion(f.raw('collateral'));
  return p;
}

// ---- roots (9.2) ----

export type Quote = { symbol: string; decimals: number };
export type Tier = { up_to?: string; ratio: number };
export type DebtRoot = { leaf_count: number; depth: number; root_hash: string; root_commitment: string };
export type AssetRoot = {
  decimals: number; leaf_count: number; depth: number; root_hash: string; root_commitment: string;
  price?: string; tiers?: Tier[]; debt?: DebtRoot;
};
export type Roots = { round_id: string; arity: number; generator_digest: string; quote?: Quote; assets: Map<string, AssetRoot> };

const ROOT_FIELDS = ['decimals', 'leaf_count', 'depth', 'root_hash', 'root_commitment'];
const MARGIN_FIELDS = ['price', 'tiers', 'debt'];

function assetRoot(f: Fields): AssetRoot {
  const r: AssetRoot = {
    decimals: f.int('decimals', 0, 30),
    leaf_count: f.int('leaf_count', 1),
    depth: f.int('depth', 1, 64),
    root_hash: f.str('root_hash', HEX32),
    root_commitment: f.str('root_commitment', HEX33),
  };
  if (f.has('price')) r.price = f.str('price', DECIMAL_TEXT);
  if (f.has('tiers')) {
    r.tiers = f.list('tiers', 1, 64).map((t, i) => {
      const tf = Fields.of(t, at(at(f.where, 'tiers'), i), ['ratio'], ['up_to']);
      const tier: Tier = { ratio: tf.int('ratio', 0, 100) };
      if (tf.has('up_to')) tier.up_to = tf.str('up_to', DECIMAL_TEXT);
      return tier;
    });
  }
  if (f.has('debt')) {
    const df = Fields.of(f.raw('debt'), at(f.where, 'debt'), ['leaf_count', 'depth', 'root_hash', 'root_commitment']);
    r.debt = { leaf_count: df.int('leaf_count', 1), depth: df.int('depth', 1, 64), root_hash: df.str('root_hash', HEX32), root_commitment: df.str('root_commitment', HEX33) };
  }
  return r;
}

function quote(f: Fields): Quote | undefined {
  if (!f.has('quote')) return undefined;
  const qf = Fields.of(f.raw('quote'), 'quote', ['symbol', 'decimals']);
  return { symbol: qf.str('symbol', SYMBOL), decimals: qf.int('decimals', 0, 18) };
}

function symbolMap<T>(v: Json, where: string, each: (x: Json, w: string) => T, min = 0): Map<string, T> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(`${where}: expected an object`);
  const keys = Object.keys(v);
  if (keys.length < min) throw new InputError(`${where}: at least ${min} entry required`);
  const out = new Map<string, T>();
  for (const k of keys) {
    if (!SYMBOL.test(k)) throw new InputError(`${where}.${k}: not an asset symbol`);
    out.set(k, each((v as Obj)[k], `${where}.${k}`));
  }
  return out;
}

export function roots(v: Json): Roots {
  const f = Fields.of(v, '', ['format', 'round_id', 'arity', 'range_bits', 'generator_digest', 'assets'], ['quote']);
  f.format(ROOTS_FORMAT);
  f.literal('range_bits', [64]);
  return {
    round_id: f.ident('round_id', 'round id', 64),
    arity: f.literal('arity', ARITIES),
    generator_digest: f.str('generator_digest', HEX32),
    quote: quote(f),
    assets: symbolMap(f.raw('assets'), 'assets', (x, w) => assetRoot(Fields.of(x, w, ROOT_FIELDS, MARGIN_FIELDS))),
  };
}

// ---- manifest (12.2) ----

/** `signature` or, for a multisig address signed key by key (10.11), `multisig`: exactly one. */
export type ReserveAddress = {
  address: string; balance: string; signature?: string;
  multisig?: { form: 'p2sh' | 'p2sh-p2wsh' | 'p2wsh'; script: string; signatures: string[] };
};
export type Disclosed = { amount: string; units: string; blinding: string };
export type ManifestAsset = AssetRoot & {
  reserves: {
    chain: 'bitcoin' | 'bitcoin-testnet' | 'ethereum'; block_height: number | bigint; block_hash: string | null;
    /** ERC-20 contract (EIP-55) and EIP-155 chain id (10.1): chain ethereum only, absent when not given. */
    token_contract?: string; chain_id?: number; total: string; total_units: string; addresses: ReserveAddress[];
  };
  /** `debt`: the disclosed debt total (16.5), only for an asset with a debt tree. */
  solvency: { min_ratio: string; proof: string; liabilities: Disclosed | null; debt?: Disclosed };
  /** Reserves proven among an anonymity set (11.9, 17.11); absent when the asset has none. */
  private_reserves?: PrivateReserves;
};
export type PrivateReserves = { set_digest: string; proof_digest: string; keys: number; commitment: string };
export type Manifest = {
  exchange: string; round_id: string; created: string; quote?: Quote;
  parameters: { generator_digest: string; arity: number };
  assets: Map<string, ManifestAsset>;
  /** The parsed content with every optional field present, for the canonical JSON (12.3). */
  normalized: Json;
};

function bigIntField(f: Fields, k: string): number | bigint {
  const v = f.raw(k);
  if (typeof v === 'bigint') {
    if (v < 0n) throw new InputError(`${at(f.where, k)}: must be >= 0`);
    return v;
  }
  return f.int(k, 0);
}

function manifestAsset(x: Json, w: string): ManifestAsset {
  const f = Fields.of(x, w, [...ROOT_FIELDS, 'reserves', 'solvency'], [...MARGIN_FIELDS, 'private_reserves']);
  const root = assetRoot(f);
  let priv: { private_reserves?: PrivateReserves } = {};
  if (f.has('private_reserves')) {
    const pf = Fields.of(f.raw('private_reserves'), `${w}.private_reserves`, ['set_digest', 'proof_digest', 'keys', 'commitment']);
    priv = {
      private_reserves: {
        set_digest: pf.str('set_digest', HEX32), proof_digest: pf.str('proof_digest', HEX32),
        keys: pf.int('keys', 1, 2 ** 32 - 1), commitment: pf.str('commitment', HEX33),
      },
    };
  }
  const rf = Fields.of(f.raw('reserves'), `${w}.reserves`, ['chain', 'block_height', 'total', 'total_units', 'addresses'], ['block_hash', 'token_contract', 'chain_id']);
  const blockHash = rf.raw('block_hash');
  const sf = Fields.of(f.raw('solvency'), `${w}.solvency`, ['min_ratio', 'proof'], ['liabilities', 'debt']);
  const disclosed = (k: string): Disclosed => {
    const lf = Fields.of(sf.raw(k), `${w}.solvency.${k}`, ['amount', 'units', 'blinding']);
    return { amount: lf.str('amount'), units: lf.str('units', DECIMAL), blinding: lf.str('blinding', HEX32) };
  };
  const liabilities = sf.has('liabilities') ? disclosed('liabilities') : null;
  const chain = rf.literal('chain', ['bitcoin', 'bitcoin-testnet', 'ethereum'] as const);
  const token: { token_contract?: string; chain_id?: number } = {};
  if (rf.has('token_contract')) {
    const c = rf.str('token_contract');
    if (!/^0x[0-9a-fA-F]{40}$/.test(c)) throw new InputError(`${w}.reserves.token_contract: token_contract is not 0x and 40 hex digits`);
    const want = toChecksumAddress(c);
    if (c !== want) throw new InputError(`${w}.reserves.token_contract: token_contract is not in EIP-55 checksum form (expected ${want})`);
    token.token_contract = c;
  }
  if (rf.has('chain_id')) token.chain_id = rf.int('chain_id', 1, Number.MAX_SAFE_INTEGER);
  if (chain !== 'ethereum') {
    if (token.token_contract !== undefined) throw new InputError(`${w}.reserves: token_contract is for chain ethereum, not ${chain}`);
    if (token.chain_id !== undefined) throw new InputError(`${w}.reserves: chain_id is for chain ethereum, not ${chain}`);
  }
  return {
    ...root,
    reserves: {
      chain,
      block_height: bigIntField(rf, 'block_height'),
      block_hash: blockHash === undefined || blockHash === null ? null : rf.str('block_hash', /^(0x)?[0-9a-fA-F]{64}$/),
      ...token,
      total: rf.str('total'),
      total_units: rf.str('total_units', DECIMAL),
      addresses: rf.list('addresses', 0).map((a, i) => {
        const where = `${w}.reserves.addresses.${i}`;
        const af = Fields.of(a, where, ['address', 'balance'], ['signature', 'multisig']);
        const out: ReserveAddress = { address: af.str('address', /^[0-9A-Za-z]+$/, 1, 100), balance: af.str('balance', /^[0-9.]+$/, 1, 64) };
        if (af.has('signature') === af.has('multisig'))
          throw new InputError(`${where}: give exactly one of signature (one signature, 10.3, 10.4, 10.9) and multisig (a script and one signature per key, 10.11)`);
        if (af.has('signature')) out.signature = af.str('signature', /^[0-9A-Za-z+/=]+$/, 1, MAX_SIGNATURE_CHARS);
        else {
          const mf = Fields.of(af.raw('multisig'), `${where}.multisig`, ['form', 'script', 'signatures']);
          out.multisig = {
            form: mf.literal('form', ['p2sh', 'p2sh-p2wsh', 'p2wsh'] as const),
            script: mf.str('script', /^([0-9a-f]{2})+$/, 2, 1370),
            signatures: mf.list('signatures', 1, 20).map((x, j) => {
              if (typeof x !== 'string' || x.length < 1 || x.length > 100 || !/^[0-9A-Za-z+/=]+$/.test(x))
                throw new InputError(`${where}.multisig.signatures.${j}: a base64 signature of at most 100 characters`);
              return x;
            }),
          };
        }
        return out;
      }),
    },
    solvency: {
      min_ratio: sf.str('min_ratio', /^[1-9][0-9]{0,9}\/[1-9][0-9]{0,9}$/),
      proof: sf.str('proof', HEXBYTES),
      liabilities,
      ...(sf.has('debt') ? { debt: disclosed('debt') } : {}),
    },
    ...priv,
  };
}

export function manifest(v: Json): Manifest {
  const f = Fields.of(v, '', ['format', 'exchange', 'round_id', 'created', 'parameters', 'assets'], ['quote']);
  f.format(MANIFEST_FORMAT);
  const pf = Fields.of(f.raw('parameters'), 'parameters', ['curve', 'hash', 'hash_to_curve', 'generator_digest', 'arity', 'range_bits']);
  pf.literal('curve', ['secp256k1'] as const);
  pf.literal('hash', ['SHA-256'] as const);
  pf.literal('hash_to_curve', ['secp256k1_XMD:SHA-256_SSWU_RO_'] as const);
  pf.literal('range_bits', [64]);
  const m: Omit<Manifest, 'normalized'> = {
    exchange: f.ident('exchange', 'exchange name', 100),
    round_id: f.ident('round_id', 'round id', 64),
    created: f.str('created', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    parameters: { generator_digest: pf.str('generator_digest', HEX32), arity: pf.literal('arity', ARITIES) },
    quote: quote(f),
    assets: symbolMap(f.raw('assets'), 'assets', manifestAsset, 1),
  };
  return { ...m, normalized: normalizedManifest(m, v as Obj) };
}

/**
 * The manifest as the canonical JSON sees it: every field present, absent optionals null,
 * except the margin fields (16.6), which are left out when absent (so a manifest without
 * margin has the digest it had before margin existed).
 */
function normalizedManifest(m: Omit<Manifest, 'normalized'>, raw: Obj): Json {
  const assets: { [k: string]: Json } = {};
  for (const [sym, a] of m.assets) {
    const s = a.solvency;
    const entry: { [k: string]: Json } = {
      decimals: a.decimals, leaf_count: a.leaf_count, depth: a.depth, root_hash: a.root_hash, root_commitment: a.root_commitment,
      reserves: {
        chain: a.reserves.chain, block_height: a.reserves.block_height, block_hash: a.reserves.block_hash,
        ...(a.reserves.token_contract !== undefined ? { token_contract: a.reserves.token_contract } : {}),
        ...(a.reserves.chain_id !== undefined ? { chain_id: a.reserves.chain_id } : {}),
        total: a.reserves.total, total_units: a.reserves.total_units,
        addresses: a.reserves.addresses.map((x) => ({
          address: x.address, balance: x.balance,
          ...(x.signature !== undefined ? { signature: x.signature } : {}),
          ...(x.multisig !== undefined ? { multisig: { form: x.multisig.form, script: x.multisig.script, signatures: x.multisig.signatures } } : {}),
        })),
      },
      solvency: { min_ratio: s.min_ratio, proof: s.proof, liabilities: s.liabilities, ...(s.debt ? { debt: s.debt } : {}) },
    };
    if (a.price !== undefined) entry.price = a.price;
    if (a.tiers) entry.tiers = a.tiers.map((t): Json => (t.up_to !== undefined ? { up_to: t.up_to, ratio: t.ratio } : { ratio: t.ratio }));
    if (a.debt) entry.debt = { ...a.debt };
    if (a.private_reserves) entry.private_reserves = { ...a.private_reserves };
    assets[sym] = entry;
  }
  return {
    format: MANIFEST_FORMAT, exchange: m.exchange, round_id: m.round_id, created: m.created,
    parameters: raw.parameters, ...(m.quote ? { quote: { ...m.quote } } : {}), assets,
  };
}
