/**
 * A benchmark server in its own process: `gateway` (the real app over the in-memory upstream, with
 * blocks 0–63 cached and rendered) or `bare` (a plain Fastify route sending the same JSON bytes from
 * an array of Buffers). The gateway also gets `/bench/app-only/{h}`: the bare handler inside the full
 * app, which separates the app-wide per-request cost (hooks, request ids, metrics) from the route's.
 * Reports its URL over IPC, answers CPU-time queries, and serves until killed.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { configWith } from '../../src/config/config.js';
import { MEMORY_CHAIN_LENGTH, MemoryUpstream } from '../../fake-node/in-memory/memory-upstream.js';

const mode = process.argv[2];
const APP_ONLY_PREFIX = '/bench/app-only';

/** The gateway's JSON of every block, in order. */
async function renderedBlocks(app: FastifyInstance): Promise<Buffer[]> {
  const bodies: Buffer[] = [];
  for (let h = 0; h < MEMORY_CHAIN_LENGTH; h++) bodies.push((await app.inject(`/v1/blocks/${h}`)).rawPayload);
  return bodies;
}

function bareRoute(app: FastifyInstance, prefix: string, bodies: Buffer[]): void {
  app.get<{ Params: { height: string } }>(`${prefix}/:height`, (request, reply) => {
    reply.type('application/json; charset=utf-8').send(bodies[Number(request.params.height)]);
  });
}

async function gateway(): Promise<string> {
  const app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new MemoryUpstream(), logger: false });
  const bodies: Buffer[] = [];
  bareRoute(app, APP_ONLY_PREFIX, bodies);
  // Warms the cache: every block fetched and its JSON rendered once.
  bodies.push(...(await renderedBlocks(app)));
  return app.listen({ host: '127.0.0.1', port: 0 });
}

async function bare(): Promise<string> {
  const gatewayApp = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new MemoryUpstream(), logger: false });
  const bodies = await renderedBlocks(gatewayApp);
  await gatewayApp.close();
  const app = Fastify({ logger: false });
  bareRoute(app, '/v1/blocks', bodies);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

const url = mode === 'gateway' ? await gateway() : await bare();
// CPU time used so far, on request: the parent divides its growth over a load run by the requests served.
process.on('message', () => {
  const { user, system } = process.cpuUsage();
  process.send?.({ cpuMicros: user + system });
});
process.send?.({ url });
