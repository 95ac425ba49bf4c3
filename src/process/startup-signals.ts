/**
 * SIGTERM/SIGINT while the gateway is still starting. Until a handler is installed, a signal kills
 * Node with its default action (exit 143/130), so an orchestrator that stops a starting gateway sees a
 * crash. The process entry (src/server.ts) installs this catcher before loading anything slow (the
 * app's modules, certificate generation, the upstream links); it records the signal, and start-up
 * stops at its next step: before building, or, once the app is built, by handing over to the graceful
 * shutdown (src/process/serve.ts). As there, a second signal exits at once (1), and a start-up that
 * does not get to stop within the shutdown bound (a hung lookup) exits 1 too. Imports nothing heavy,
 * so it costs nothing.
 */
import { EXIT_FORCED } from './exit-codes.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface StartupSignals {
  /** The first signal received since install, or null. */
  readonly received: NodeJS.Signals | null;
  /** Once a signal has arrived, exit 1 unless release() comes within `ms`. */
  bound(ms: number): void;
  /** Removes the listeners and the bound (idempotent): from then on signals are someone else's. */
  release(): void;
}

/** What the catcher needs of `process`; tests pass their own. */
export interface SignalProcess {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
  stderr: { write(text: string): unknown };
}

/** Starts recording SIGTERM/SIGINT; call release() once the real handlers are installed. */
export function catchStartupSignals(proc: SignalProcess = process): StartupSignals {
  let received: NodeJS.Signals | null = null;
  let boundMs: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const exit = (why: string): void => {
    proc.stderr.write(`chia-peer-gateway: ${why}; exiting with ${EXIT_FORCED}\n`);
    proc.exit(EXIT_FORCED);
  };
  const arm = (): void => {
    if (received === null || boundMs === undefined || timer !== undefined) return;
    timer = setTimeout(() => exit(`start-up did not stop within ${boundMs} ms of ${received}`), boundMs);
    timer.unref();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== null) return exit(`second ${signal} while starting`);
    received = signal;
    arm();
  };
  for (const signal of SIGNALS) proc.on(signal, onSignal);
  return {
    get received() {
      return received;
    },
    bound(ms) {
      boundMs = ms;
      arm();
    },
    release() {
      clearTimeout(timer);
      for (const signal of SIGNALS) proc.off(signal, onSignal);
    },
  };
}
