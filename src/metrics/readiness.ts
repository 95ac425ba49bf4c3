/**
 * Readiness of the gateway: it can answer data requests when every configured role has at least one
 * ready link and the newest peak is fresh (received within config.peakMaxAgeMs). A stale peak means
 * the links are up but the view of the chain has stopped moving, so answers may be outdated. Every
 * link is listed with its target, last error and next attempt, so a 503 says what is missing.
 */
import type { LinkStatus, Role, UpstreamMonitor } from '../chia/index.js';
import type { GatewayConfig } from '../config/config.js';
import { peakRef } from '../chain/peak-json.js';

const MS_PER_SECOND = 1_000;

/** What readiness shows of a link. */
export type ReadinessLink = Pick<LinkStatus, 'id' | 'role' | 'state' | 'peer' | 'last_error' | 'retry'>;

export interface Readiness {
  ready: boolean;
  /** Whether each configured role has a ready link. */
  roles: Partial<Record<Role, boolean>>;
  missing_roles: Role[];
  peak: { height: number; header_hash: string; age_ms: number; fresh: boolean } | null;
  links: ReadinessLink[];
}

/** Evaluates readiness now. */
export function readinessOf(upstream: UpstreamMonitor, config: Pick<GatewayConfig, 'roles' | 'peakMaxAgeMs'>, now = Date.now()): Readiness {
  const roles: Partial<Record<Role, boolean>> = {};
  for (const role of config.roles) roles[role] = upstream.isReady(role);
  const missing = config.roles.filter((role) => roles[role] !== true);
  const current = upstream.peak();
  let peak: Readiness['peak'] = null;
  if (current !== null) {
    const age = Math.max(0, now - current.received_at);
    peak = { ...peakRef(current), age_ms: age, fresh: age <= config.peakMaxAgeMs };
  }
  const links = upstream.status().links.map(({ id, role, state, peer, last_error, retry }) => ({ id, role, state, peer, last_error, retry }));
  return { ready: missing.length === 0 && peak !== null && peak.fresh, roles, missing_roles: missing, peak, links };
}

/** One sentence saying why the gateway is not ready (empty when it is). */
export function notReadyReason(r: Readiness, config: Pick<GatewayConfig, 'peakMaxAgeMs'>): string {
  const reasons: string[] = [];
  if (r.missing_roles.length > 0) {
    const troubles = r.missing_roles.flatMap((role) => troublesOf(r.links.filter((l) => l.role === role)));
    reasons.push(`no ready ${r.missing_roles.join(' or ')} link${troubles.length > 0 ? ` (${troubles.join('; ')})` : ''}`);
  }
  if (r.peak === null) reasons.push('no peak received yet');
  else if (!r.peak.fresh) {
    reasons.push(`the newest peak (height ${r.peak.height}) was received ${seconds(r.peak.age_ms)} ago, over the ${seconds(config.peakMaxAgeMs)} limit`);
  }
  return reasons.join('; ');
}

/**
 * What keeps a role's links from being ready: the trying links' last errors and next attempts or,
 * when every link is idle, why (no peers known, for instance); idle siblings of a trying link add nothing.
 */
function troublesOf(links: ReadinessLink[]): string[] {
  const trying = links.filter((l) => l.state !== 'idle');
  if (trying.length > 0) return trying.flatMap((l) => (l.last_error === null ? [] : [`${l.id} ${l.state}: ${withTarget(l.last_error, l.peer)}${nextAttempt(l)}`]));
  return links.flatMap((l) => (l.retry === null ? [] : [`${l.id} idle: ${l.retry.reason}`]));
}

/** The error, naming the link's target unless it already does. */
function withTarget(error: string, peer: string): string {
  return peer === '' || error.includes(peer) ? error : `${peer}: ${error}`;
}

function nextAttempt(link: ReadinessLink): string {
  return link.retry === null ? '' : `, next attempt in ${seconds(link.retry.in_ms)}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / MS_PER_SECOND)} s`;
}
