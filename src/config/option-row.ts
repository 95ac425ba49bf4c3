/**
 * What one row of the option table (src/config/options.ts) is made of, and the types that follow from
 * the table: the config's shape (each option sits where its value goes) and the flat names
 * (`ws.maxClients` → `wsMaxClients`) that `envName` and the option list use.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { ConfigIssue } from './config-error.js';

/** What a parse step sees: the options read before it, their names, and where problems go. */
export interface ParseContext {
  /** Problems found so far; push to report one. */
  readonly issues: ConfigIssue[];
  /** The config value of an option that comes earlier in the table (its parsed value or its default). */
  valueOf<T>(option: Option<T>): T;
  /** An option as the user wrote it (the flag or the variable), else its variable. */
  nameOf(option: Option<unknown>): string;
  /** Whether an option was given at all (a refused value was given). */
  given(option: Option<unknown>): boolean;
}

/** The context of one option's own parse step. */
export interface OptionContext extends ParseContext {
  /** This option as the user wrote it. */
  readonly name: string;
}

/** One configuration option: an environment variable with a mirror flag, checked by a TypeBox schema. */
export interface Option<T> {
  readonly kind: 'option';
  readonly env: string;
  /** Placeholder of the value in --help, e.g. `<int>`; `<file>` and `<dir>` mark paths. */
  readonly value: string;
  /** What the text must be once coerced (numbers from decimal text, arrays from comma-separated lists). */
  readonly schema: TSchema;
  readonly default: T;
  /** One paragraph; `code` spans are kept in the README and unwrapped in --help. */
  readonly help: string;
  /** The config value of a given, valid value (default: the value itself). */
  parse?(value: never, ctx: OptionContext): T;
  /** Why the option must be given, when it must: reported when it has no valid value. */
  required?(ctx: OptionContext): string | undefined;
  /** The default as --help and the README show it (default: the value, `(off)` for null and false). */
  show?(value: T): string;
}

type OptionSpec<S extends TSchema, T> = Omit<Option<T>, 'kind' | 'schema' | 'parse'> & { schema: S };

/** An option whose config value `parse` makes from its checked value. */
export function option<S extends TSchema, T>(spec: Omit<OptionSpec<S, T>, 'default'> & { default: NoInfer<T>; parse(value: Static<S>, ctx: OptionContext): T }): Option<T>;
/** An option whose config value is its checked value. */
export function option<S extends TSchema>(spec: OptionSpec<S, Static<S>>): Option<Static<S>>;
export function option<T>(spec: Omit<Option<T>, 'kind'>): Option<T> {
  return { kind: 'option', ...spec };
}

/** An option without a default: undefined unless given (a certificate path). */
export function optional<S extends TSchema>(spec: Omit<OptionSpec<S, Static<S> | undefined>, 'default'>): Option<Static<S> | undefined> {
  return { kind: 'option', default: undefined, ...spec };
}

type Inputs = Readonly<Record<string, Option<unknown>>>;

/** A config value built from several options (its inputs), whether or not they were given. */
export interface Derived<T, I extends Inputs = Inputs> {
  readonly kind: 'derived';
  /** The options it is built from; listed by their own names, they have no config value of their own. */
  readonly inputs: I;
  readonly default: T;
  build(inputs: I, ctx: ParseContext): T;
}

export function derived<T, I extends Inputs>(spec: Omit<Derived<T, I>, 'kind' | 'default'> & { default: NoInfer<T> }): Derived<T, I> {
  return { kind: 'derived', ...spec };
}

/** A level of the config: options, derived values and nested groups (`ws`). */
export interface OptionTree {
  readonly [key: string]: Option<unknown> | Derived<unknown> | OptionTree;
}

/** The config a tree describes: each option or derived value replaced by its value. */
export type ConfigOf<T> = T extends { kind: 'option' | 'derived'; default: infer V } ? V : { -readonly [K in keyof T]: ConfigOf<T[K]> };

type Join<P extends string, K extends string> = P extends '' ? K : `${P}${Capitalize<K>}`;

/** The flat names of a tree's options: the path in camel case, a derived value's inputs by their own names. */
export type KeyOf<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends { kind: 'option' } ? Join<P, K> : T[K] extends { kind: 'derived'; inputs: infer I } ? keyof I & string : KeyOf<T[K], Join<P, K>>;
}[keyof T & string];

export const isOption = (node: OptionTree[string]): node is Option<unknown> => node.kind === 'option';
export const isDerived = (node: OptionTree[string]): node is Derived<unknown> => node.kind === 'derived';

/** The flat name of a path, as KeyOf spells it. */
export const joinKey = (prefix: string, key: string): string => (prefix === '' ? key : `${prefix}${key[0]?.toUpperCase() ?? ''}${key.slice(1)}`);
