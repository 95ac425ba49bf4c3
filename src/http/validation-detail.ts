/**
 * One wording for every invalid request parameter, whichever check finds it: the parameter's name and
 * what it accepts ("height must be a decimal integer between 0 and 4294967295", "ints must be one of:
 * string, number", "end is required with start"), never a validator's path ("params/height must be
 * <= …"). Schema validation failures are worded from the route's own schema, so the message follows
 * the schema.
 */
import type { FastifyError, FastifyRequest } from 'fastify';

/** The parts of a JSON schema a message is worded from. */
interface ParameterSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
  anyOf?: readonly ParameterSchema[];
  const?: unknown;
  pattern?: string;
  properties?: Record<string, ParameterSchema>;
  required?: readonly string[];
}

/** "<name> must be <expected>". */
export function mustBe(name: string, expected: string): string {
  return `${name} must be ${expected}`;
}

/** What an integer schema accepts, in words. */
export function integerExpectation(minimum?: number, maximum?: number): string {
  if (minimum !== undefined && maximum !== undefined) return `a decimal integer between ${minimum} and ${maximum}`;
  if (minimum !== undefined) return `a decimal integer of at least ${minimum}`;
  if (maximum !== undefined) return `a decimal integer of at most ${maximum}`;
  return 'a decimal integer';
}

function expectation(schema: ParameterSchema): string {
  const choices = schema.enum ?? (schema.anyOf?.every((s) => s.const !== undefined) ? schema.anyOf.map((s) => s.const) : undefined);
  if (choices !== undefined) return `one of: ${choices.map(String).join(', ')}`;
  if (schema.type === 'integer') return integerExpectation(schema.minimum, schema.maximum);
  if (schema.type === 'number') return 'a number';
  if (schema.type === 'boolean') return 'true or false';
  if (schema.type === 'string' && schema.pattern !== undefined) return `a string matching ${schema.pattern}`;
  return 'valid';
}

type Part = NonNullable<FastifyError['validationContext']>;

function valuesOf(request: FastifyRequest, part: Part): Record<string, unknown> {
  const values: Record<Part, unknown> = { params: request.params, querystring: request.query, headers: request.headers, body: request.body };
  const value = values[part];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** The message of a schema validation error (Fastify reports the first failure only). */
export function validationDetail(error: FastifyError, request: FastifyRequest): string {
  const failure = error.validation?.[0];
  const part = error.validationContext;
  if (failure === undefined || part === undefined) return 'the request is invalid';
  const schemas = request.routeOptions.schema as Partial<Record<Part, ParameterSchema>> | undefined;
  const schema = schemas?.[part] ?? {};
  const params = failure.params as Record<string, unknown>;
  if (failure.keyword === 'required') {
    const missing = String(params.missingProperty);
    const values = valuesOf(request, part);
    const given = (schema.required ?? []).filter((name) => values[name] !== undefined);
    return given.length > 0 ? `${missing} is required with ${given.join(' and ')}` : `${missing} is required`;
  }
  if (failure.keyword === 'additionalProperties') return `${String(params.additionalProperty)} is not a known parameter`;
  const name = failure.instancePath.split('/')[1];
  if (name === undefined || name === '') return `the ${part} are invalid`;
  const property = schema.properties?.[name];
  return property === undefined ? `${name} is invalid` : mustBe(name, expectation(property));
}
