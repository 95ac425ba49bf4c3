/**
 * Checks a response against the schema its route documents in the app's OpenAPI document (what
 * openapi.yaml is rendered from): its status and media type must be documented for the route, and a
 * JSON body must validate. Objects are checked closed (no property the schema does not name), so a
 * field the gateway sends but the schema lacks fails as surely as a missing or mistyped one.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { LightMyRequestResponse } from 'fastify';
import type { GatewayApp } from '../../src/app.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface MediaType {
  schema?: Json;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
}

/** The id under which the document's components are known to the validator. */
const DOCUMENT_ID = 'urn:gateway:openapi';
const LOCAL_REF = '#/components/';

/** `node` with every object schema closed and every component reference pointed at DOCUMENT_ID. */
function closed(node: Json): Json {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' && value.startsWith(LOCAL_REF) ? DOCUMENT_ID + value : closed(value);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** The media type without parameters (`application/json; charset=utf-8` → `application/json`). */
function mediaTypeOf(response: LightMyRequestResponse): string {
  return String(response.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
}

export class ResponseSchemas {
  readonly #document: OpenApiDocument;
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true });
  readonly #validators = new Map<string, ValidateFunction>();
  /** Every (route, status, media type) checked so far, e.g. `GET /v1/peak 200 application/json`. */
  readonly seen = new Set<string>();

  constructor(app: GatewayApp) {
    this.#document = app.swagger() as unknown as OpenApiDocument;
    this.#ajv.addSchema({ $id: DOCUMENT_ID, components: closed(this.#document.components) });
  }

  /** Fails unless `response` is documented for `route` (a path of the document, e.g. `/v1/blocks/{height}`) and its JSON body fits. */
  check(route: string, response: LightMyRequestResponse, method = 'get'): void {
    const status = String(response.statusCode);
    const type = mediaTypeOf(response);
    const label = `${method.toUpperCase()} ${route} ${status} ${type}`;
    const documented = this.#document.paths[route]?.[method]?.responses[status];
    if (documented === undefined) throw new Error(`${label}: status not documented`);
    this.seen.add(label);
    if (response.statusCode === 304) return;
    const media = documented.content?.[type];
    if (media === undefined) throw new Error(`${label}: media type not documented`);
    if (type.endsWith('json')) this.#validate(label, media.schema ?? {}, response.json());
  }

  /** Fails unless `response` is problem+json fitting the Problem component (for answers no route documents: 404, 405). */
  checkProblem(response: LightMyRequestResponse): void {
    if (mediaTypeOf(response) !== 'application/problem+json') throw new Error(`not problem+json: ${response.body}`);
    this.checkComponent('Problem', response.json());
  }

  /** Fails unless `value` fits the component schema `name` (e.g. LiveServerMessage). */
  checkComponent(name: string, value: unknown): void {
    this.#validate(`component ${name}`, { $ref: `${LOCAL_REF}schemas/${name}` }, value);
  }

  #validate(label: string, schema: Json, body: unknown): void {
    let validate = this.#validators.get(label);
    if (validate === undefined) {
      validate = this.#ajv.compile(closed(schema) as object);
      this.#validators.set(label, validate);
    }
    if (!validate(body)) {
      throw new Error(`${label}: ${this.#ajv.errorsText(validate.errors, { separator: '\n  ' })}\n  body: ${JSON.stringify(body).slice(0, 500)}`);
    }
  }
}
