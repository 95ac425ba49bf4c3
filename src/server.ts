/**
 * The process entry of the `chia-peer-gateway` command (its bin, src/cli.ts, calls main): `--help`,
 * `--version`, then parse the configuration from the environment and flags and run the server. Exit
 * codes: 0 after a clean shutdown (also one asked for while starting) or --help, 1 when the server
 * fails to start, 2 for an invalid configuration.
 *
 * This module imports nothing heavy: main first catches SIGTERM/SIGINT (src/process/startup-signals.ts),
 * then loads the rest of the gateway, so a signal at any point of start-up stops it cleanly.
 */
import type { GatewayConfig } from './config/config.js';
import { EXIT_BAD_CONFIG, EXIT_OK, EXIT_START_FAILED } from './process/exit-codes.js';
import { redactPem } from './config/secret-text.js';
import { catchStartupSignals, type StartupSignals } from './process/startup-signals.js';

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
  const startup = catchStartupSignals();
  try {
    return await run(argv, env, io, startup);
  } finally {
    // Once the server runs, its graceful shutdown owns the signals (startServer hands over).
    startup.release();
  }
}

async function run(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo, startup: StartupSignals): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    const { helpText } = await import('./process/cli-help.js');
    io.stdout(helpText());
    return EXIT_OK;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    const { packageVersion } = await import('./process/package-root.js');
    io.stdout(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  const { ConfigError, parseConfig } = await import('./config/parse.js');
  let config: GatewayConfig;
  try {
    config = parseConfig({ env, argv });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`chia-peer-gateway: ${err.message}\nRun chia-peer-gateway --help for every option.\n`);
    return EXIT_BAD_CONFIG;
  }
  const { startServer } = await import('./process/serve.js');
  // Stopped while the modules loaded: nothing was generated or opened yet.
  if (startup.received !== null) return EXIT_OK;
  try {
    await startServer(config, { startup });
  } catch (err) {
    io.stderr(`chia-peer-gateway: failed to start: ${redactPem(err instanceof Error ? err.message : String(err))}\n`);
    return EXIT_START_FAILED;
  }
  return EXIT_OK;
}
