/**
 * The OpenAPI 3.1 description of the HTTP API, collected from the route schemas as routes are added
 * (`app.swagger()`, served by routes/docs.ts). Also registers the shared component schemas
 * (schemas/index.ts) so routes can `$ref` them; must come before routes.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { SHARED_SCHEMAS } from '../../schemas/index.js';
import { envName } from '../config/options.js';
import { DEFAULTS } from '../config/config.js';
import { packageVersion } from '../process/package-root.js';

const DESCRIPTION = `HTTP access to the Chia blockchain through mutual-TLS links to full nodes (peer protocol).

**Representations.** Chain resources are JSON with the reference node's field names and 0x hex bytes.
By default u64/u128 values (amounts, weights, iterations, timestamps) are **decimal strings**, safe for
any JSON parser. \`?ints=number\`, or the media-type parameter \`Accept: application/json; ints=number\`,
renders them as exact JSON numbers like the node RPC does (values above 2^53 need a lossless parser).
Block resources also come as \`application/octet-stream\`: the streamable bytes exactly as the node sent them.

**Reorgs and caching.** Every block response names the header hash it resolved (body and
\`X-Chia-Header-Hash\`); a range names its first and last (\`X-Chia-First-Header-Hash\`,
\`X-Chia-Last-Header-Hash\`), the full list is in the body. Blocks at least ${envName('confirmations')} (default
${DEFAULTS.confirmations}) below the peak are immutable:
\`Cache-Control: public, max-age=31536000, immutable\`; nearer the tip \`max-age=10\`. The ETag is the
header hash (plus the representation); \`If-None-Match\` gives 304.

**Errors** are RFC 9457 \`application/problem+json\` with a stable \`code\`: 400 bad parameters, 404 height
above the peak or unknown to every peer, 406 unacceptable Accept, 502 invalid upstream reply, 503 no
ready link / no peak yet / rate-limit pacing (with Retry-After), 504 upstream timeout. Any path answers
405 (with \`Allow\`) to a method it does not have and 204 (with \`Allow\`) to OPTIONS; a request body sent
to an operation that takes none is refused with 413, a request that does not arrive within the deadline with 408.

**CORS.** Every response (errors included) allows any origin to read it by default; a gateway may
restrict this to a list of origins.`;

async function openapi(app: FastifyInstance): Promise<void> {
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'chia-peer-gateway',
        // The package version: the API paths carry their own major version (/v1).
        version: packageVersion(),
        description: DESCRIPTION,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      // The API is public: no operation needs credentials (stated explicitly, as linters require).
      security: [],
      // A relative URL first, so /docs "Try it out" talks to the gateway that served the page, wherever it listens.
      servers: [
        { url: '/', description: 'This gateway (the origin serving this description)' },
        { url: 'http://127.0.0.1:8080', description: 'A local gateway at the default listen address' },
      ],
      tags: [
        { name: 'chain', description: 'The chain tip' },
        { name: 'blocks', description: 'Full blocks (full_node links)' },
        { name: 'headers', description: 'Header blocks (wallet links)' },
        { name: 'coins', description: 'Coins created and spent by a block (wallet links)' },
        { name: 'live', description: 'Live peaks over WebSocket and Server-Sent Events (README, "Live peaks")' },
        { name: 'gateway', description: 'The gateway itself' },
        {
          name: 'node-rpc',
          description:
            "The full node RPC's methods at the root (POST /<method>, and the same at POST /rpc/<method>), so existing node-RPC clients work " +
            'unchanged: the node\'s request bodies, its envelope (`success`, `error`, HTTP 200 for its failures) and exact integers. ' +
            'Gateway conditions (no ready link, busy links, rate limit) keep their HTTP status and add the catalogue `code` (README, "Node-RPC compatibility").',
        },
      ],
    },
    // Shared schemas become #/components/schemas/<$id> instead of def-N.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (document) => optionalRpcBodies('openapiObject' in document ? document.openapiObject : document.swaggerObject),
  });
}

/** What optionalRpcBodies reads of an operation. */
interface Operation {
  tags?: string[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { required?: string[]; $ref?: string } }> };
}

/**
 * @fastify/swagger marks every request body required (a validated Fastify route needs one). The node-RPC
 * routes read a missing body as {}, as the node does: a method none of whose parameters is required
 * takes no body at all.
 */
function optionalRpcBodies<T extends object>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
  for (const operation of Object.values(paths).flatMap((item) => Object.values(item))) {
    const body = operation.requestBody;
    if (body === undefined || !operation.tags?.includes('node-rpc')) continue;
    const none = (schema: { required?: string[]; $ref?: string } | undefined) => schema !== undefined && schema.$ref === undefined && (schema.required ?? []).length === 0;
    if (Object.values(body.content ?? {}).every((media) => none(media.schema))) body.required = false;
  }
  return document;
}

export default fp(openapi, { name: 'openapi', fastify: '5.x' });
