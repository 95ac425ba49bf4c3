/** A small HTTP/1.1 client over node:http with keep-alive agents per client address. */
import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agents = new Map<string, Agent>();

/** The keep-alive agent of one client address (127.0.0.x), so the gateway sees distinct client IPs. */
function agentFor(localAddress: string): Agent {
  let agent = agents.get(localAddress);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: 16, localAddress });
    agents.set(localAddress, agent);
  }
  return agent;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Client address to send from (default 127.0.0.1). */
  from?: string;
  timeoutMs?: number;
}

/** Sends one request and reads the whole answer. */
export function send(base: URL, path: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: agentFor(options.from ?? '127.0.0.1'),
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} in time`)));
    req.on('error', reject);
    req.end();
  });
}

/** The problem code of an answer's body, when it is problem+json. */
export function problemCode(answer: Answer): string | undefined {
  if (!String(answer.headers['content-type'] ?? '').startsWith('application/problem+json')) return undefined;
  try {
    return (JSON.parse(answer.body) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** Closes every kept-alive socket (the end of the soak: the gateway's descriptors must come back down). */
export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}
