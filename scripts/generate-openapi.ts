/**
 * Writes openapi.yaml (OpenAPI 3.1) from the route schemas: builds the app over the in-memory upstream
 * double with no links (the spec depends on the routes only), asks @fastify/swagger for the document
 * and renders it as YAML. `npm run openapi`; a test regenerates it in memory and fails when the
 * committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { buildApp } from '../src/app.js';
import { configWith } from '../src/config/config.js';
import { UpstreamDouble } from '../fake-node/in-memory/upstream-double.js';

export const OPENAPI_PATH = resolve(fileURLToPath(new URL('..', import.meta.url)), 'openapi.yaml');

/** The OpenAPI document of the app, as YAML text. */
export async function renderOpenApi(): Promise<string> {
  const app = await buildApp({ config: configWith({ logLevel: 'silent' }), upstream: new UpstreamDouble(), logger: false });
  try {
    await app.ready();
    return YAML.stringify(app.swagger(), { lineWidth: 0, aliasDuplicateObjects: false });
  } finally {
    await app.close();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_PATH, await renderOpenApi());
  console.log(`wrote ${OPENAPI_PATH}`);
}
