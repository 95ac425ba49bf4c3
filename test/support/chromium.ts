/**
 * Debian's Chromium (/usr/bin/chromium) for the browser tests: they are skipped locally when it is
 * absent (with a warning naming the fix), and fail in CI, which must provide it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI !== undefined && process.env.CI !== '';

/** Whether the browser tests named `what` run here; warns when they are skipped. */
export function browserTestsRun(what: string): boolean {
  const run = HAVE_CHROMIUM || IN_CI;
  if (!run) console.warn(`${what} skipped: ${CHROMIUM} not found (apt-get install -y chromium); CI requires it`);
  return run;
}

/** Launches headless Chromium, quiet (no background networking, updates or sync). */
export function launchChromium(): Promise<Browser> {
  if (!HAVE_CHROMIUM) throw new Error(`CI must provide Chromium at ${CHROMIUM}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
