/**
 * Preloaded into a spawned gateway (runScript's `preload`): prints SIGNAL_PROBE_MARK on stderr the
 * moment the process adds its first SIGTERM listener, so a test can send SIGTERM at the earliest
 * point the gateway's code can handle it. ('newListener' fires just before the listener is added,
 * and a write to a pipe is synchronous, so the listener is in place before the test can react.)
 */
export const SIGNAL_PROBE_MARK = 'signal-probe: SIGTERM listener added';

let marked = false;
process.on('newListener', (event) => {
  if (event !== 'SIGTERM' || marked) return;
  marked = true;
  process.stderr.write(`${SIGNAL_PROBE_MARK}\n`);
});
