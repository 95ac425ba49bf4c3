/**
 * `npm run demo`: the whole gateway offline. Starts the strict fake full node in devnet mode (a new
 * block every few seconds, an occasional reorg, coins paid to and spent from a demo address) and the
 * gateway configured against it, prints the URLs to open, and runs until Ctrl-C. Other settings come from the usual variables and flags
 * (`npm run demo -- --port 9000`); the network and peers are always the fake node's, so their flags
 * are refused. Logs default to warnings, so request lines do not bury the printed URLs.
 */
import { startFakeNode } from '../fake-node/index.js';
import { DEVNET_PUZZLE_HASH } from '../fake-node/devnet.js';
import { addressPrefix, toAddress } from '../src/coins/addresses.js';
import { formatPeer } from '../src/chia/index.js';
import type { GatewayConfig } from '../src/config/config.js';
import { OPTIONS, type OptionEntry } from '../src/config/options.js';
import { ConfigError, parseConfig } from '../src/config/parse.js';
import { EXIT_BAD_CONFIG, EXIT_START_FAILED } from '../src/process/exit-codes.js';
import { readinessOf } from '../src/metrics/readiness.js';
import { ListenError } from '../src/process/listen-error.js';
import { startServer } from '../src/process/serve.js';

const DEMO_NETWORK = 'devnet';
const BLOCK_INTERVAL_MS = 4_000;
const REORG_EVERY_BLOCKS = 8;
const DEMO_DATA_DIR = '.data/demo';
const READY_POLL_MS = 250;
const READY_WAIT_MS = 60_000;
/** The demo's own default: the gateway's `info` logs every request, which would push the URLs off screen. */
const DEMO_LOG_LEVEL = 'warn';
/** Options the demo decides itself: its fake node's network and address. */
const NODE_OPTIONS: readonly OptionEntry[] = OPTIONS.filter((o) => o.key === 'network' || o.key === 'peers');

const argv = process.argv.slice(2);
const fixedFlags = NODE_OPTIONS.filter((o) => argv.some((arg) => arg === o.flag || arg.startsWith(`${o.flag}=`)));
if (fixedFlags.length > 0) {
  process.stderr.write(
    `demo: ${fixedFlags.map((o) => o.flag).join(' and ')} cannot be given: the demo's fake full node decides the network ` +
      `("${DEMO_NETWORK}") and the peers (itself, on 127.0.0.1). For a real network, use npm start.\n`,
  );
  process.exit(EXIT_BAD_CONFIG);
}
for (const option of NODE_OPTIONS) {
  if (process.env[option.env]) process.stderr.write(`demo: ignoring ${option.env}: the demo's fake full node decides it\n`);
}

const node = await startFakeNode({ network: DEMO_NETWORK, devnet: { blockIntervalMs: BLOCK_INTERVAL_MS, reorgEvery: REORG_EVERY_BLOCKS } });

let config: GatewayConfig;
try {
  config = parseConfig({
    env: {
      CHIA_GATEWAY_DATA_DIR: DEMO_DATA_DIR,
      // One node accepts one connection per certificate: a second link per role would only retry.
      CHIA_GATEWAY_LINKS_PER_ROLE: '1',
      LOG_LEVEL: DEMO_LOG_LEVEL,
      ...process.env,
      CHIA_GATEWAY_NETWORK: DEMO_NETWORK,
      CHIA_GATEWAY_PEERS: `127.0.0.1:${node.port}`,
    },
    argv,
  });
} catch (err) {
  await node.close();
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`demo: ${err.message}\n`);
  process.exit(EXIT_BAD_CONFIG);
}

const app = await startServer(config, { afterClose: () => node.close() }).catch((err: unknown) => {
  // startServer has closed the app and the fake node already (afterClose).
  if (!(err instanceof ListenError) || err.systemCode !== 'EADDRINUSE') throw err;
  process.stderr.write(
    `demo: port ${config.port} on ${config.host} is in use (another demo or gateway?); ` +
      'use --port <n> to pick another, or --port 0 for any free port\n',
  );
  process.exit(EXIT_START_FAILED);
});

const address = app.server.address();
const port = typeof address === 'object' && address !== null ? address.port : config.port;
const base = `http://${formatPeer({ host: config.host, port })}`;

const deadline = Date.now() + READY_WAIT_MS;
while (!readinessOf(app.upstream, config).ready && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
}
const readiness = readinessOf(app.upstream, config);
const height = readiness.peak?.height ?? 100;
const blockHeight = Math.max(0, height - 5);
/** The address the devnet pays and spends from; the demo page's "Watch an address" panel is prefilled with it. */
const demoAddress = toAddress(DEVNET_PUZZLE_HASH, addressPrefix(DEMO_NETWORK));

process.stdout.write(
  [
    '',
    `chia-peer-gateway demo — fake full node ${node.url} (network "${DEMO_NETWORK}",`,
    `a block every ${BLOCK_INTERVAL_MS / 1000} s, a reorg every ${REORG_EVERY_BLOCKS} blocks), data in ${config.dataDir}`,
    readiness.ready ? `Ready: peak at height ${height}.` : `Not ready yet (see ${base}/readyz).`,
    `Logs: level ${config.logLevel} (LOG_LEVEL=info shows links, peaks and requests).`,
    '',
    `  Live peaks (demo page)   ${base}/   (with a "Watch an address" panel)`,
    `  API reference            ${base}/docs`,
    `  The peak                 curl -s ${base}/v1/peak`,
    `  A block                  curl -s ${base}/v1/blocks/${blockHeight}`,
    `  Its header               curl -s ${base}/v1/blocks/${blockHeight}/header`,
    `  Live peaks as SSE        curl -sN ${base}/v1/events`,
    `  Live coins, demo address curl -sN '${base}/v1/events?puzzle_hashes=${demoAddress}'`,
    `  Links and cache          curl -s ${base}/v1/status`,
    `  Readiness, metrics       curl -s ${base}/readyz ; curl -s ${base}/metrics`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);
