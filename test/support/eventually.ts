/**
 * The one way a test waits for something that happens after an unknown delay (a link ready, a peak
 * received, a promise chain settled): poll for it, never sleep a fixed time. A test that must show
 * that something does NOT happen first waits here for a later event that would follow it.
 */
const POLL_MS = 20;
/** Generous: the machine running the suite is loaded. */
const DEFAULT_TIMEOUT_MS = 20_000;

type Pending = undefined | false;

/**
 * Polls `check` until it returns a value other than undefined or false, and resolves with it; fails
 * naming `what` after `timeoutMs` (a function is asked at that moment, so it may tell what was seen).
 */
export async function eventually<T>(
  what: string | (() => string),
  check: () => T | Pending | Promise<T | Pending>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<Exclude<T, Pending>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, Pending>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
