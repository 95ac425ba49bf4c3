/** Operations endpoints: liveness (GET /healthz), readiness (GET /readyz) and metrics (GET /metrics). */
import { Type } from '@sinclair/typebox';
import { Hex32, Problem, U32 } from './common.js';
import { LinkStatus } from './status.js';

export const HealthResponse = Type.Object(
  {
    status: Type.Literal('ok'),
    uptime_s: Type.Number({ minimum: 0, description: 'Seconds since the process started' }),
  },
  { description: 'The process is up and serving HTTP' },
);

export const ReadinessChecks = Type.Object({
  roles: Type.Object(
    { full_node: Type.Optional(Type.Boolean()), wallet: Type.Optional(Type.Boolean()) },
    { description: 'Whether each configured link role has at least one ready link' },
  ),
  missing_roles: Type.Array(Type.Union([Type.Literal('full_node'), Type.Literal('wallet')])),
  peak: Type.Union([
    Type.Object({
      height: U32,
      header_hash: Hex32,
      age_ms: Type.Integer({ minimum: 0, description: 'Milliseconds since the gateway received this peak' }),
      fresh: Type.Boolean({ description: 'Received within the configured peak max age' }),
    }),
    Type.Null(),
  ]),
  links: Type.Array(Type.Pick(LinkStatus, ['id', 'role', 'state', 'peer', 'last_error', 'retry'], { title: 'ReadinessLink' }), {
    description: 'Every upstream link: its target, state, last error and, while it waits, why and until when',
  }),
});

export const ReadyResponse = Type.Object(
  { status: Type.Literal('ready'), checks: ReadinessChecks },
  { description: 'Every configured role has a ready link and the newest peak is fresh' },
);

export const NotReadyProblem = Type.Composite([Problem, Type.Object({ checks: ReadinessChecks })], {
  description: 'problem+json (code NOT_READY) saying which role is missing or that the peak is stale',
});

export const MetricsText = Type.String({ description: 'Prometheus text exposition format 0.0.4' });
