/** Config parsing helpers shared by the option tests. */
import { expect } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../src/config/parse.js';
import { parseConfig } from '../../src/config/parse.js';

/** Parses a config from the given environment and argv. */
export const parse = (env: Record<string, string | undefined> = {}, argv: string[] = []) => parseConfig({ env, argv });

/** The issues a config with these inputs is refused for (fails the test if it parses). */
export function issuesOf(env: Record<string, string | undefined>, argv: string[] = []): ConfigIssue[] {
  try {
    parse(env, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}
