/**
 * A benchmark server in its own process: `gateway` (the real app over the in-memory upstream, with
 * blocks 0–63 cached and rendered) or `bare` (a plain Fastify route sending the same JSON texts from
 * an array). Reports its URL over IPC, then serves until killed.
 */
import Fastify from 'fastify';
import { buildApp } from '../../src/app.js';
import { configWith } from '../../src/config.js';
import { MEMORY_CHAIN_LENGTH, MemoryUpstream } from '../../test/support/memory-upstream.js';

const mode = process.argv[2];

async function warmGateway(): Promise<{ url: string; texts: string[] }> {
  const app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new MemoryUpstream(), logger: false });
  const texts: string[] = [];
  for (let h = 0; h < MEMORY_CHAIN_LENGTH; h++) texts.push((await app.inject(`/v1/blocks/${h}`)).body);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, texts };
}

async function bare(): Promise<string> {
  // The same bytes the gateway sends, rendered once, served by the simplest possible Fastify route.
  const gateway = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new MemoryUpstream(), logger: false });
  const texts: string[] = [];
  for (let h = 0; h < MEMORY_CHAIN_LENGTH; h++) texts.push((await gateway.inject(`/v1/blocks/${h}`)).body);
  await gateway.close();
  const app = Fastify({ logger: false });
  app.get<{ Params: { height: string } }>('/v1/blocks/:height', (request, reply) => {
    reply.type('application/json; charset=utf-8').send(texts[Number(request.params.height)]);
  });
  return app.listen({ host: '127.0.0.1', port: 0 });
}

const url = mode === 'gateway' ? (await warmGateway()).url : await bare();
process.send?.({ url });
