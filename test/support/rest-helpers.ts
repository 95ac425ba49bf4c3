/** Builds the real app over a MemoryUpstream for inject tests. */
import { buildApp, type GatewayApp } from '../../src/app.js';
import { configWith, type GatewayConfig } from '../../src/config/config.js';
import { parseJson } from '../../src/chia/codec/index.js';
import { MemoryUpstream } from '../../fake-node/in-memory/memory-upstream.js';

export interface TestApp {
  app: GatewayApp;
  upstream: MemoryUpstream;
}

/** The gateway app (not listening) with an in-memory upstream serving mainnet blocks 0–63. */
export async function buildTestApp(
  options: { config?: Partial<GatewayConfig>; upstream?: MemoryUpstream } = {},
): Promise<TestApp> {
  const upstream = options.upstream ?? new MemoryUpstream();
  const config = configWith({ logLevel: 'silent', ...options.config });
  const app = await buildApp({ config, upstream, logger: false });
  return { app, upstream };
}

/** Lossless JSON parse (integers beyond 2^53 become bigint). */
export function lossless(text: string): unknown {
  return parseJson(text);
}

export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  request_id: string;
}
