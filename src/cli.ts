#!/usr/bin/env node
/**
 * The `chia-peer-gateway` command (also `npm start`): `--help`, `--version`, then parse the
 * configuration from the environment and flags and run the server. Exit codes: 0 after a clean
 * shutdown or --help, 1 when the server fails to start, 2 for an invalid configuration.
 */
import type { GatewayConfig } from './config.js';
import { OPTIONS } from './config-options.js';
import { ConfigError, parseConfig } from './config-parse.js';
import { packageVersion } from './package-root.js';
import { isEntryPoint, startServer } from './server.js';

export const EXIT_OK = 0;
export const EXIT_START_FAILED = 1;
export const EXIT_BAD_CONFIG = 2;

const FLAG_COLUMN = 34;

/** The --help text: every option with its flag, environment variable and default. */
export function helpText(): string {
  const lines = [
    'Usage: chia-peer-gateway [options]',
    '',
    'HTTP, WebSocket and SSE gateway to Chia full nodes over the binary peer protocol.',
    'Every option can be given as a flag or as its environment variable; a flag wins.',
    '',
    'Options:',
  ];
  for (const o of OPTIONS) {
    lines.push(`  ${`${o.flag} ${o.value}`.padEnd(FLAG_COLUMN)}env ${o.env}, default ${o.defaultText}`);
    lines.push(`  ${''.padEnd(FLAG_COLUMN)}${o.help}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(FLAG_COLUMN)}Show this help.`);
  lines.push(`  ${'-v, --version'.padEnd(FLAG_COLUMN)}Show the version.`);
  lines.push('', 'Exit codes: 0 clean shutdown, 1 start failure, 2 invalid configuration.');
  return `${lines.join('\n')}\n`;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs the command. Resolves with the exit code once startup is settled; a running server keeps the
 * process alive and exits through the signal handlers.
 */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo = processIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(helpText());
    return EXIT_OK;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    io.stdout(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  let config: GatewayConfig;
  try {
    config = parseConfig({ env, argv });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`chia-peer-gateway: ${err.message}\nRun chia-peer-gateway --help for every option.\n`);
    return EXIT_BAD_CONFIG;
  }
  try {
    await startServer(config);
  } catch (err) {
    io.stderr(`chia-peer-gateway: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_START_FAILED;
  }
  return EXIT_OK;
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
