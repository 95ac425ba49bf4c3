/**
 * Readiness of the gateway: it can answer data requests when every configured role has at least one
 * ready link and the newest peak is fresh (received within config.peakMaxAgeMs). A stale peak means
 * the links are up but the view of the chain has stopped moving, so answers may be outdated.
 */
import type { Role, Upstream } from './chia/upstream-api.js';
import type { GatewayConfig } from './config.js';

export interface Readiness {
  ready: boolean;
  /** Whether each configured role has a ready link. */
  roles: Partial<Record<Role, boolean>>;
  missing_roles: Role[];
  peak: { height: number; header_hash: string; age_ms: number; fresh: boolean } | null;
}

/** Evaluates readiness now. */
export function readinessOf(upstream: Upstream, config: Pick<GatewayConfig, 'roles' | 'peakMaxAgeMs'>, now = Date.now()): Readiness {
  const roles: Partial<Record<Role, boolean>> = {};
  for (const role of config.roles) roles[role] = upstream.isReady(role);
  const missing = config.roles.filter((role) => roles[role] !== true);
  const current = upstream.peak();
  let peak: Readiness['peak'] = null;
  if (current !== null) {
    const age = Math.max(0, now - current.received_at);
    peak = { height: current.height, header_hash: current.header_hash, age_ms: age, fresh: age <= config.peakMaxAgeMs };
  }
  return { ready: missing.length === 0 && peak !== null && peak.fresh, roles, missing_roles: missing, peak };
}

/** One sentence saying why the gateway is not ready (empty when it is). */
export function notReadyReason(r: Readiness, config: Pick<GatewayConfig, 'peakMaxAgeMs'>): string {
  const reasons: string[] = [];
  if (r.missing_roles.length > 0) reasons.push(`no ready ${r.missing_roles.join(' or ')} link`);
  if (r.peak === null) reasons.push('no peak received yet');
  else if (!r.peak.fresh) {
    reasons.push(`the newest peak (height ${r.peak.height}) was received ${Math.round(r.peak.age_ms / 1000)} s ago, over the ${Math.round(config.peakMaxAgeMs / 1000)} s limit`);
  }
  return reasons.join('; ');
}
