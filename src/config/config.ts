/**
 * The gateway's configuration: one typed object, built once at the edge (environment and CLI flags,
 * see src/config/parse.ts) and passed into buildApp. Its shape and defaults are those of the option
 * table (src/config/options.ts).
 */
import { isDerived, isOption, type ConfigOf, type OptionTree } from './option-row.js';
import { OPTION_TREE } from './options.js';

export type { TrustProxy } from './trust-proxy.js';

export type GatewayConfig = ConfigOf<typeof OPTION_TREE>;

function defaultsOf(tree: OptionTree): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tree).map(([key, node]) => [key, isOption(node) || isDerived(node) ? node.default : defaultsOf(node)]));
}

/** Every option's default, where the option's value goes. */
export const DEFAULTS = defaultsOf(OPTION_TREE) as GatewayConfig;

/** DEFAULTS with some fields replaced; handy in tests. */
export function configWith(overrides: Partial<GatewayConfig>): GatewayConfig {
  return { ...DEFAULTS, ...overrides, ws: { ...DEFAULTS.ws, ...overrides.ws }, redis: { ...DEFAULTS.redis, ...overrides.redis } };
}
