/**
 * The API reference: `/openapi.json` (the OpenAPI document src/plugins/openapi.ts collects) and an
 * interactive reference at `/docs` (swagger-ui's assets ship in its package). Both hidden from the
 * document itself.
 */
import type { FastifyInstance } from 'fastify';
import swaggerUi from '@fastify/swagger-ui';

/**
 * /docs (swagger-ui) loads its scripts, styles and fonts from the gateway and the description from
 * /openapi.json; no other page may frame it (clickjacking of "Try it out"). swagger-ui sets a few
 * inline styles at run time, hence 'unsafe-inline' for styles (never for scripts).
 */
const DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export default async function docsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // On every /docs response: the reference loads only its own assets and may not be framed.
    staticCSP: DOCS_CONTENT_SECURITY_POLICY,
    // No badge fetched from validator.swagger.io: the page talks to this gateway only.
    uiConfig: { validatorUrl: null },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
