/** Response maps shared by the two live routes (problem+json refusals before the stream starts). */
import { Problem, ref } from '../../schemas/common.js';
import { envName } from '../../src/config/options.js';

export const LIVE_REFUSALS = {
  400: {
    description:
      'A cursor (since, last_event_id; on /v1/events also Last-Event-ID) is not a decimal integer in range ' +
      '(INVALID_PARAMETER: since at most 2^32 − 1, an event id at most 2^53 − 1)',
    content: { 'application/problem+json': { schema: ref(Problem) } },
  },
  403: {
    description: `${envName('wsAllowedOrigins')} is set and the Origin header is not one of its origins (LIVE_ORIGIN_FORBIDDEN)`,
    content: { 'application/problem+json': { schema: ref(Problem) } },
  },
  429: {
    description:
      `The client IP already holds as many live connections (WebSocket + SSE together) as one address may ` +
      `(${envName('wsMaxClientsPerIp')}, 0 = no cap); close one, or retry later (Retry-After)`,
    content: { 'application/problem+json': { schema: ref(Problem) } },
  },
  503: {
    description: `The gateway serves its maximum of live clients (WebSocket + SSE, ${envName('wsMaxClients')}); retry later (Retry-After)`,
    content: { 'application/problem+json': { schema: ref(Problem) } },
  },
};

export const LIVE_PROTOCOL_NOTE =
  'On connect the server sends `hello` (current peak, replay buffer bounds), then a `peak` event for every ' +
  'new peak, preceded by a `reorg` event when the peak’s fork point is below the previous peak height. ' +
  'Every `peak` and `reorg` carries an `id` that grows strictly (also across restarts); replay from a cursor ' +
  '(`last_event_id`, exact across reorgs; or `since`, a height) re-sends the buffered events after it, in order, ' +
  'before live ones, with no gap and no duplicate at the seam. A cursor older than the buffer ' +
  `(${envName('wsReplaySize')} peaks) gets a \`gap\` message, then the whole buffer. See the README, "Live peaks".`;
