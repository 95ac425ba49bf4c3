/**
 * GET /: the demo page (public/index.html, app.js, style.css): the live peak over /v1/ws, recent
 * peaks with reorgs highlighted, reconnect with replay after a drop, and a "Watch an address" panel
 * (the address's unspent coins from POST /v1/coins/query, then its live coins on the same socket from
 * the block that list was read at, resumed from its coin cursor). Static files only,
 * no CDN.
 */
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { packagePath } from '../src/process/package-root.js';

/** Everything the page needs comes from the gateway itself. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** The page changes with releases only; a short cache keeps reloads cheap. */
const MAX_AGE_SECONDS = 60;

export default async function demoRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: packagePath('public'),
    // One route per file (GET /, /app.js, /style.css), so nothing shadows the API's 404s.
    wildcard: false,
    index: 'index.html',
    maxAge: MAX_AGE_SECONDS * 1000,
    schemaHide: true,
    setHeaders: (reply) => {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-content-type-options', 'nosniff');
    },
  });
}
