/**
 * TLS identity paths per link role from the certificate options. A full node keeps one connection per
 * certificate (peer id, PROTOCOL.md §a.4-§a.5), so each role needs its own pair: the shared
 * CHIA_GATEWAY_CERT/_KEY pair may cover one role only.
 */
import { existsSync } from 'node:fs';
import type { Role } from '../chia/index.js';
import type { GatewayConfig, TlsIdentityPaths } from './config.js';
import type { ConfigIssue } from './config-error.js';
import type { OptionKey, Options } from './options.js';

/** How parseIdentities names an option, and whether it was given at all (a refused value was). */
export interface OptionNames {
  nameOf: (key: OptionKey) => string;
  given: (key: OptionKey) => boolean;
}

/** Builds the TLS identity paths: one pair per role, from per-role options or the shared pair. */
export function parseIdentities(o: Options, roles: Role[], { nameOf, given }: OptionNames, issues: ConfigIssue[]): GatewayConfig['identities'] {
  const pairs: Record<Role, [OptionKey, OptionKey]> = { full_node: ['fullNodeCert', 'fullNodeKey'], wallet: ['walletCert', 'walletKey'] };
  const identities: GatewayConfig['identities'] = {};
  const pairOf = (certKey: OptionKey, keyKey: OptionKey): TlsIdentityPaths | null => {
    const certPath = o[certKey] as string | undefined;
    const keyPath = o[keyKey] as string | undefined;
    if (certPath === undefined && keyPath === undefined) return null;
    if (certPath === undefined || keyPath === undefined) {
      const [set, missing] = certPath === undefined ? [keyKey, certKey] : [certKey, keyKey];
      // A missing one that was given has been refused already, with its own issue.
      if (!given(missing)) issues.push({ name: nameOf(missing), message: `required because ${nameOf(set)} is set: give the certificate and its key together` });
      return null;
    }
    for (const [key, path] of [[certKey, certPath], [keyKey, keyPath]] as const) {
      if (!existsSync(path)) issues.push({ name: nameOf(key), message: `file not found: ${path}` });
    }
    return { certPath, keyPath };
  };
  for (const role of roles) {
    const [certKey, keyKey] = pairs[role];
    const pair = pairOf(certKey, keyKey);
    if (pair) identities[role] = pair;
  }
  for (const role of Object.keys(pairs) as Role[]) {
    const set = pairs[role].find((key) => o[key] !== undefined);
    if (!roles.includes(role) && set !== undefined) {
      issues.push({ name: nameOf(set), message: `set, but the role ${role} is not in CHIA_GATEWAY_ROLES (${roles.join(',')})` });
    }
  }
  const shared = pairOf('cert', 'key');
  if (shared) {
    const uncovered = roles.filter((r) => identities[r] === undefined);
    if (uncovered.length === 1) identities[uncovered[0] as Role] = shared;
    else if (uncovered.length === 0) issues.push({ name: nameOf('cert'), message: 'unused: every role already has its own certificate' });
    else {
      issues.push({
        name: nameOf('cert'),
        message: `one certificate cannot serve the roles ${uncovered.join(' and ')}: a full node keeps one connection per certificate (peer id), so the second link would replace the first. Give each role its own pair (CHIA_GATEWAY_FULL_NODE_CERT/_KEY, CHIA_GATEWAY_WALLET_CERT/_KEY), set CHIA_GATEWAY_ROLES to one role, or unset it to use generated certificates`,
      });
    }
  }
  const full = identities.full_node;
  const wallet = identities.wallet;
  if (full && wallet && full.certPath === wallet.certPath) {
    issues.push({ name: nameOf('walletCert'), message: 'the same certificate file as the full_node role; each role needs its own certificate' });
  }
  return identities;
}
