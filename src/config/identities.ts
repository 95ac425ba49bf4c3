/**
 * TLS identity paths per link role from the certificate options. A full node keeps one connection per
 * certificate (peer id, PROTOCOL.md §a.4-§a.5), so each role needs its own pair: the shared
 * CHIA_GATEWAY_CERT/_KEY pair may cover one role only.
 */
import { existsSync } from 'node:fs';
import { ROLES, type IdentityPaths, type Role } from '../chia/index.js';
import type { Option, ParseContext } from './option-row.js';

type Path = Option<string | undefined>;

/** The certificate options: the shared pair and each role's own. */
export interface IdentityInputs {
  readonly cert: Path;
  readonly key: Path;
  readonly fullNodeCert: Path;
  readonly fullNodeKey: Path;
  readonly walletCert: Path;
  readonly walletKey: Path;
}

export type Identities = Partial<Record<Role, IdentityPaths>>;

/** The certificate and key options of each role. */
export const rolePairs = (o: IdentityInputs): Record<Role, readonly [Path, Path]> => ({ full_node: [o.fullNodeCert, o.fullNodeKey], wallet: [o.walletCert, o.walletKey] });

/** Builds the TLS identity paths: one pair per role, from per-role options or the shared pair. */
export function parseIdentities(inputs: IdentityInputs, rolesOption: Option<Role[]>, ctx: ParseContext): Identities {
  const { nameOf, given, valueOf } = ctx;
  const roles = valueOf(rolesOption);
  const pairs = rolePairs(inputs);
  const identities: Identities = {};
  const pairOf = (certOption: Path, keyOption: Path): IdentityPaths | null => {
    const certPath = valueOf(certOption);
    const keyPath = valueOf(keyOption);
    if (certPath === undefined && keyPath === undefined) return null;
    if (certPath === undefined || keyPath === undefined) {
      const [set, missing] = certPath === undefined ? [keyOption, certOption] : [certOption, keyOption];
      // A missing one that was given has been refused already, with its own issue.
      if (!given(missing)) ctx.issues.push({ name: nameOf(missing), message: `required because ${nameOf(set)} is set: give the certificate and its key together` });
      return null;
    }
    for (const [option, path] of [[certOption, certPath], [keyOption, keyPath]] as const) {
      if (!existsSync(path)) ctx.issues.push({ name: nameOf(option), message: `file not found: ${path}` });
    }
    return { certPath, keyPath };
  };
  for (const role of roles) {
    const pair = pairOf(...pairs[role]);
    if (pair) identities[role] = pair;
  }
  for (const role of ROLES) {
    const set = pairs[role].find((option) => valueOf(option) !== undefined);
    if (!roles.includes(role) && set !== undefined) {
      ctx.issues.push({ name: nameOf(set), message: `set, but the role ${role} is not in ${rolesOption.env} (${roles.join(',')})` });
    }
  }
  const shared = pairOf(inputs.cert, inputs.key);
  if (shared) {
    const uncovered = roles.filter((r) => identities[r] === undefined);
    if (uncovered.length === 1) identities[uncovered[0] as Role] = shared;
    else if (uncovered.length === 0) ctx.issues.push({ name: nameOf(inputs.cert), message: 'unused: every role already has its own certificate' });
    else {
      const own = ROLES.map((role) => `${pairs[role][0].env}/_KEY`).join(', ');
      ctx.issues.push({
        name: nameOf(inputs.cert),
        message: `one certificate cannot serve the roles ${uncovered.join(' and ')}: a full node keeps one connection per certificate (peer id), so the second link would replace the first. Give each role its own pair (${own}), set ${rolesOption.env} to one role, or unset it to use generated certificates`,
      });
    }
  }
  const full = identities.full_node;
  const wallet = identities.wallet;
  if (full && wallet && full.certPath === wallet.certPath) {
    ctx.issues.push({ name: nameOf(inputs.walletCert), message: 'the same certificate file as the full_node role; each role needs its own certificate' });
  }
  return identities;
}
