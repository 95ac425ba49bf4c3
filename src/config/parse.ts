/**
 * Parses environment variables and CLI flags (flags win) into a GatewayConfig, once, at the edge,
 * following the option table (src/config/options.ts). Values are coerced strictly and checked against
 * their option's schema, then parsed in table order (peers, TLS pairs, origins); every problem is
 * collected and thrown together as one ConfigError.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { GatewayConfig } from './config.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { isDerived, isOption, type Option, type OptionContext, type OptionTree, type ParseContext } from './option-row.js';
import { ENV_PREFIX, OPTIONS, OPTION_TREE, type OptionEntry } from './options.js';
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
  entry: OptionEntry;
  text: string;
  /** The name the user wrote: the flag or the variable. */
  source: string;
}

/** Reads `--flag value` and `--flag=value` pairs; unknown flags and missing values become issues. */
function readFlags(argv: readonly string[], issues: ConfigIssue[]): Raw[] {
  const byFlag = new Map(OPTIONS.map((o) => [o.flag, o]));
  const out: Raw[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const entry = byFlag.get(flag);
    if (entry === undefined) {
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
    if (value === undefined) issues.push({ name: flag, message: `needs a value: ${flag} ${entry.value}` });
    else out.push({ entry, text: value, source: flag });
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
function coerce(text: string, schema: TSchema): unknown {
  if (schema.type === 'array') return splitList(text);
  const numeric = schema.type === 'integer' || schema.type === 'number';
  return numeric && NUMERIC.test(text.trim()) ? Number(text.trim()) : text;
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
function refusal({ entry, text }: Raw): string | undefined {
  const { schema } = entry.option;
  const wanted = expectation(schema);
  if (looksLikePem(text)) {
    return PATH_VALUES.has(entry.value)
      ? "looks like PEM text (a certificate or key itself), not a path: save it in a file only the gateway can read (chmod 600) and give that file's path; the value is not shown"
      : `looks like PEM text (a certificate or key), not ${wanted}; the value is not shown`;
  }
  const parts = schema.type === 'array' ? splitList(text) : [text];
  if (parts.some(spansLines)) return `spans several lines; expected ${wanted}; the value is not shown`;
  return undefined;
}

/** The checked value of a given option, or undefined with an issue naming what it expects. */
function check(raw: Raw, issues: ConfigIssue[]): { value: unknown } | undefined {
  const refused = refusal(raw);
  if (refused !== undefined) {
    issues.push({ name: raw.source, message: refused });
    return undefined;
  }
  const { schema } = raw.entry.option;
  const value = coerce(raw.text, schema);
  if (Value.Check(schema, value)) return { value };
  issues.push({ name: raw.source, message: `expected ${expectation(schema)}, got ${quoteValue(raw.text)}` });
  return undefined;
}

/** The configuration from variables and flags (flags win over variables, both over the defaults); throws ConfigError. */
export function parseConfig(sources: ConfigSources): GatewayConfig {
  const issues: ConfigIssue[] = [];
  const raws = new Map<Option<unknown>, Raw>();
  for (const entry of OPTIONS) {
    const text = sources.env[entry.env];
    // An empty variable counts as unset, as most shells and compose files write "unset" that way.
    if (text !== undefined && text !== '') raws.set(entry.option, { entry, text, source: entry.env });
  }
  unknownVariables(sources.env, issues);
  for (const raw of readFlags(sources.argv, issues)) raws.set(raw.entry.option, raw);

  const values = new Map<Option<unknown>, unknown>();
  const nameOf = (option: Option<unknown>) => raws.get(option)?.source ?? option.env;
  const ctx: ParseContext = {
    issues,
    nameOf,
    given: (option) => raws.has(option),
    valueOf: <T>(option: Option<T>): T => {
      if (!values.has(option)) throw new Error(`${option.env} is read before its row in the option table`);
      return values.get(option) as T;
    },
  };
  const read = (option: Option<unknown>): unknown => {
    const own: OptionContext = { ...ctx, name: nameOf(option) };
    const raw = raws.get(option);
    const checked = raw === undefined ? undefined : check(raw, issues);
    let value: unknown;
    if (checked === undefined) {
      const reason = option.required?.(own);
      if (reason !== undefined) issues.push({ name: own.name, message: reason });
      value = structuredClone(option.default);
    } else value = option.parse ? option.parse(checked.value as never, own) : checked.value;
    values.set(option, value);
    return value;
  };
  const build = (tree: OptionTree): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(tree).map(([key, node]) => {
        if (isOption(node)) return [key, read(node)];
        if (!isDerived(node)) return [key, build(node)];
        Object.values(node.inputs).forEach(read);
        return [key, node.build(node.inputs, ctx)];
      }),
    );
  const config = build(OPTION_TREE) as GatewayConfig;
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
