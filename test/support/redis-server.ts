/**
 * A real Redis for the shared-cache tests: Debian's `redis-server`, started by the test itself on a
 * free loopback port, without persistence, and stoppable and restartable on the same port. Without it
 * on PATH the tests are skipped locally (one line naming the package); CI installs it (.ci/run).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { closedPort } from './local-port.js';
import { eventually } from './eventually.js';

const HAVE_REDIS = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const IN_CI = process.env.CI !== undefined && process.env.CI !== '';

/** Whether the Redis tests named `what` run here; says once why they are skipped. */
export function redisTestsRun(what: string): boolean {
  const run = HAVE_REDIS || IN_CI;
  if (!run) console.warn(`${what} skipped: redis-server not found (apt-get install -y redis-server); CI requires it`);
  return run;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGKILL: no goodbye to the clients, like a crash) and waits for its exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty, and waits until it answers. */
  start(): Promise<void>;
  /** Sends one inline command and returns the raw reply (e.g. `DBSIZE`). */
  command(line: string): Promise<string>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await closedPort();
  let child: ChildProcess | null = null;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru'], {
        stdio: 'ignore',
      });
      child = started;
      await eventually('redis-server answers PING', async () => (await server.command('PING').catch(() => '')).startsWith('+PONG'));
    },
    async stop() {
      const running = child;
      child = null;
      if (running === null || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    command(line: string) {
      return new Promise((resolve, reject) => {
        const socket = new Socket();
        let reply = '';
        socket.once('error', reject);
        socket.connect(port, '127.0.0.1', () => socket.write(`${line}\r\n`));
        socket.on('data', (data) => {
          reply += data.toString();
          if (reply.endsWith('\r\n')) {
            socket.destroy();
            resolve(reply);
          }
        });
      });
    },
  };
  await server.start();
  return server;
}
