/**
 * Parses environment variables and CLI flags (flags win) into a GatewayConfig, once, at the edge.
 * Values are coerced strictly, checked against the option schema, then cross-checked (peers, TLS
 * pairs, origins); every problem is collected and thrown together as one ConfigError.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { type PeerAddress, networkInfo, formatPeer, isHostOrAddress, parsePeer } from '../chia/index.js';
import { DEFAULTS, type GatewayConfig } from './config.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { parseIdentities } from './identities.js';
import { parseTrustProxy } from './trust-proxy.js';
import { ENV_PREFIX, MIB, OPTIONS, OptionsSchema, envName, type OptionKey, type OptionSpec, type Options } from './options.js';
import { looksLikePem, quoteValue, spansLines } from './secret-text.js';

export { ConfigError, type ConfigIssue } from './config-error.js';

export interface ConfigSources {
  env: Readonly<Record<string, string | undefined>>;
  argv: readonly string[];
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
/** `--name`: what ends a flag's value list; a PEM (`-----BEGIN`) is a value, not a flag. */
const FLAG = /^--[A-Za-z]/;
/** Placeholders of options whose value is a path (src/config/options.ts). */
const PATH_VALUES = new Set(['<file>', '<dir>']);
/** Unknown variables this close (edit distance) to a known one get a "did you mean". */
const TYPO_DISTANCE = 4;

interface Raw {
  spec: OptionSpec;
  text: string;
  /** The name the user wrote: the flag or the variable. */
  source: string;
}

/** Reads `--flag value` and `--flag=value` pairs; unknown flags and missing values become issues. */
function readFlags(argv: readonly string[], issues: ConfigIssue[]): Map<OptionKey, Raw> {
  const byFlag = new Map(OPTIONS.map((o) => [o.flag, o]));
  const out = new Map<OptionKey, Raw>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byFlag.get(flag);
    if (spec === undefined) {
      // A stray argument may be key material pasted in the wrong place: describe it, never echo it.
      if (looksLikePem(flag) || spansLines(flag)) issues.push({ name: `argument ${i + 1}`, message: `unexpected argument, ${quoteValue(flag)} (see --help)` });
      else issues.push({ name: flag, message: arg.startsWith('-') ? 'unknown option (see --help)' : 'unexpected argument (see --help)' });
      continue;
    }
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (eq < 0) {
      if (value === undefined || FLAG.test(value)) value = undefined;
      else i++;
    }
    if (value === undefined) issues.push({ name: flag, message: `needs a value: ${flag} ${spec.value}` });
    else out.set(spec.key, { spec, text: value, source: flag });
  }
  return out;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

function unknownVariables(env: ConfigSources['env'], issues: ConfigIssue[]): void {
  const known = OPTIONS.map((o) => o.env);
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(ENV_PREFIX) || known.includes(name) || env[name] === undefined) continue;
    const best = known.map((k) => ({ k, d: editDistance(name, k) })).sort((x, y) => x.d - y.d)[0];
    const hint = best !== undefined && best.d <= TYPO_DISTANCE ? ` (did you mean ${best.k}?)` : '';
    issues.push({ name, message: `unknown variable, likely a typo${hint}; see --help for the list` });
  }
}

const splitList = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** A string turned into the value its schema expects: numbers only from plain decimal text, lists split on commas. */
function coerce(raw: Raw): unknown {
  if (raw.spec.list) return splitList(raw.text);
  const schema: TSchema = OptionsSchema.properties[raw.spec.key];
  const numeric = schema.type === 'integer' || schema.type === 'number';
  return numeric && NUMERIC.test(raw.text.trim()) ? Number(raw.text.trim()) : raw.text;
}

/** Human wording of what a schema accepts, for error messages. */
function expectation(schema: TSchema): string {
  if (typeof schema.description === 'string') return schema.description;
  if (schema.type === 'integer') return `an integer from ${schema.minimum} to ${schema.maximum}`;
  if (schema.type === 'number') return `a number greater than ${schema.exclusiveMinimum} and at most ${schema.maximum}`;
  if (Array.isArray(schema.anyOf)) return `one of ${(schema.anyOf as TSchema[]).map((s) => String(s.const)).join(', ')}`;
  if (schema.type === 'array') {
    const items = expectation(schema.items as TSchema);
    return `a comma-separated list${schema.minItems ? ' (not empty)' : ''}${schema.uniqueItems ? ' of distinct values' : ''}, each ${items}`;
  }
  return 'a non-empty value';
}

/**
 * Why a value must not be used or quoted: key material (a certificate or key pasted instead of its
 * path) or several lines (no option takes them; list items are trimmed); undefined when it is fine.
 */
function refusal(raw: Raw): string | undefined {
  const wanted = expectation(OptionsSchema.properties[raw.spec.key]);
  if (looksLikePem(raw.text)) {
    return PATH_VALUES.has(raw.spec.value)
      ? "looks like PEM text (a certificate or key itself), not a path: save it in a file only the gateway can read (chmod 600) and give that file's path; the value is not shown"
      : `looks like PEM text (a certificate or key), not ${wanted}; the value is not shown`;
  }
  const parts = raw.spec.list ? splitList(raw.text) : [raw.text];
  if (parts.some(spansLines)) return `spans several lines; expected ${wanted}; the value is not shown`;
  return undefined;
}

function validate(raws: Map<OptionKey, Raw>, issues: ConfigIssue[]): Options {
  const values: Record<string, unknown> = {};
  const bad = new Set<string>();
  for (const [key, raw] of raws) {
    const refused = refusal(raw);
    if (refused === undefined) values[key] = coerce(raw);
    else {
      bad.add(key);
      issues.push({ name: raw.source, message: refused });
    }
  }
  for (const error of Value.Errors(OptionsSchema, values)) {
    const key = error.path.split('/')[1] as OptionKey;
    const raw = raws.get(key);
    if (raw === undefined || bad.has(key)) continue;
    bad.add(key);
    issues.push({ name: raw.source, message: `expected ${expectation(OptionsSchema.properties[key])}, got ${quoteValue(raw.text)}` });
  }
  for (const key of bad) delete values[key];
  return values as Options;
}

function parsePeers(list: string[] | undefined, network: string, name: string, issues: ConfigIssue[]): PeerAddress[] {
  const info = networkInfo(network);
  if (list === undefined || list.length === 0) {
    if (info.dnsSeeders.length === 0) issues.push({ name, message: `required for network "${network}": no DNS seeders are known for it` });
    return [];
  }
  const peers: PeerAddress[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const parsed = parsePeer(item, info.defaultPort);
    if (!parsed.ok) {
      issues.push({ name, message: parsed.error });
      continue;
    }
    const id = formatPeer(parsed.peer).toLowerCase();
    if (seen.has(id)) issues.push({ name, message: `"${item}" is listed twice` });
    else peers.push(parsed.peer);
    seen.add(id);
  }
  return peers;
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

function parseOrigins(list: string[] | undefined, name: string, issues: ConfigIssue[]): string[] {
  for (const origin of list ?? []) {
    if (origin === '*') continue;
    if (!isOrigin(origin)) issues.push({ name, message: `"${origin}" is not an origin like https://example.com or http://localhost:3000 (no path, no trailing slash)` });
  }
  if (list?.includes('*') && list.length > 1) issues.push({ name, message: '* allows any origin; do not combine it with others' });
  return list ?? [];
}

/** The configuration from variables and flags (flags win over variables, both over DEFAULTS); throws ConfigError. */
export function parseConfig(sources: ConfigSources): GatewayConfig {
  const issues: ConfigIssue[] = [];
  const raws = new Map<OptionKey, Raw>();
  for (const spec of OPTIONS) {
    const text = sources.env[spec.env];
    // An empty variable counts as unset, as most shells and compose files write "unset" that way.
    if (text !== undefined && text !== '') raws.set(spec.key, { spec, text, source: spec.env });
  }
  unknownVariables(sources.env, issues);
  for (const [key, raw] of readFlags(sources.argv, issues)) raws.set(key, raw);
  const o = validate(raws, issues);
  const nameOf = (key: OptionKey) => raws.get(key)?.source ?? envName(key);
  const given = (key: OptionKey) => raws.has(key);

  const network = o.network ?? DEFAULTS.network;
  const roles = o.roles ?? [...DEFAULTS.roles];
  const wsOrigins = parseOrigins(o.wsAllowedOrigins, nameOf('wsAllowedOrigins'), issues);
  if (o.host !== undefined && !isHostOrAddress(o.host)) {
    issues.push({ name: nameOf('host'), message: `expected an IP address or a host name (127.0.0.1, 0.0.0.0, ::, localhost), got ${quoteValue(o.host)}` });
  }
  const config: GatewayConfig = {
    host: o.host ?? DEFAULTS.host,
    port: o.port ?? DEFAULTS.port,
    logLevel: o.logLevel ?? DEFAULTS.logLevel,
    network,
    peers: parsePeers(o.peers, network, nameOf('peers'), issues),
    roles,
    dataDir: o.dataDir ?? DEFAULTS.dataDir,
    identities: parseIdentities(o, roles, { nameOf, given }, issues),
    confirmations: o.confirmations ?? DEFAULTS.confirmations,
    cacheBytes: o.cacheMb === undefined ? DEFAULTS.cacheBytes : o.cacheMb * MIB,
    pacingShare: o.pacingShare ?? DEFAULTS.pacingShare,
    requestTimeoutMs: o.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    linksPerRole: o.linksPerRole ?? DEFAULTS.linksPerRole,
    pacingQueueSize: o.pacingQueueSize ?? DEFAULTS.pacingQueueSize,
    pacingClientShare: o.pacingClientShare ?? DEFAULTS.pacingClientShare,
    pacingMaxWaitMs: o.pacingMaxWaitMs ?? DEFAULTS.pacingMaxWaitMs,
    banBackoffMs: o.banBackoffMs ?? DEFAULTS.banBackoffMs,
    ws: {
      maxClients: o.wsMaxClients ?? DEFAULTS.ws.maxClients,
      maxClientsPerIp: o.wsMaxClientsPerIp ?? DEFAULTS.ws.maxClientsPerIp,
      maxMessageBytes: o.wsMaxMessageBytes ?? DEFAULTS.ws.maxMessageBytes,
      heartbeatMs: o.wsHeartbeatMs ?? DEFAULTS.ws.heartbeatMs,
      sendBufferBytes: o.wsSendBufferBytes ?? DEFAULTS.ws.sendBufferBytes,
      replaySize: o.wsReplaySize ?? DEFAULTS.ws.replaySize,
      // `*` is the same as an empty list here: any origin may subscribe.
      allowedOrigins: o.wsAllowedOrigins === undefined ? [...DEFAULTS.ws.allowedOrigins] : wsOrigins.filter((x) => x !== '*'),
      messageRate: o.wsMessageRate ?? DEFAULTS.ws.messageRate,
      messageBurst: o.wsMessageBurst ?? DEFAULTS.ws.messageBurst,
    },
    corsOrigins: o.corsOrigins === undefined ? [...DEFAULTS.corsOrigins] : parseOrigins(o.corsOrigins, nameOf('corsOrigins'), issues),
    httpRequestTimeoutMs: o.httpRequestTimeoutMs ?? DEFAULTS.httpRequestTimeoutMs,
    maxConnections: o.maxConnections ?? DEFAULTS.maxConnections,
    adminPort: o.adminPort ?? DEFAULTS.adminPort,
    adminHost: o.adminHost ?? DEFAULTS.adminHost,
    rateLimitPerMinute: o.rateLimit === undefined ? DEFAULTS.rateLimitPerMinute : o.rateLimit === 0 ? null : o.rateLimit,
    trustProxy: o.trustProxy === undefined ? DEFAULTS.trustProxy : parseTrustProxy(o.trustProxy, nameOf('trustProxy'), issues),
    peakMaxAgeMs: o.peakMaxAgeMs ?? DEFAULTS.peakMaxAgeMs,
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
  };
  if (config.adminPort !== null && config.adminPort !== 0 && config.adminPort === config.port) {
    issues.push({ name: nameOf('adminPort'), message: `must differ from the HTTP port (${config.port})` });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
