/** The start-up signal catcher (src/process/startup-signals.ts), against a stand-in for `process`. */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { catchStartupSignals } from '../../src/process/startup-signals.js';

const BOUND_MS = 5_000;

function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  let stderr = '';
  const proc = {
    on: (event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => emitter.on(event, listener),
    off: (event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => emitter.off(event, listener),
    exit: (code: number) => void exits.push(code),
    stderr: { write: (text: string) => (stderr += text) },
  };
  const send = (signal: NodeJS.Signals) => emitter.emit(signal, signal);
  return { proc, send, exits, stderr: () => stderr, listeners: () => emitter.listenerCount('SIGTERM') + emitter.listenerCount('SIGINT') };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('catchStartupSignals', () => {
  it('records the first signal without exiting, and release removes its listeners', () => {
    const fake = fakeProcess();
    const startup = catchStartupSignals(fake.proc);
    expect(startup.received).toBeNull();
    expect(fake.listeners()).toBe(2);
    fake.send('SIGINT');
    expect(startup.received).toBe('SIGINT');
    expect(fake.exits).toEqual([]);
    startup.release();
    startup.release();
    expect(fake.listeners()).toBe(0);
  });

  it('exits 1 at once on a second signal', () => {
    const fake = fakeProcess();
    catchStartupSignals(fake.proc);
    fake.send('SIGTERM');
    fake.send('SIGTERM');
    expect(fake.exits).toEqual([1]);
    expect(fake.stderr()).toContain('second SIGTERM while starting');
  });

  it('exits 1 when start-up has not handed over within the bound after a signal', () => {
    const fake = fakeProcess();
    const startup = catchStartupSignals(fake.proc);
    startup.bound(BOUND_MS);
    vi.advanceTimersByTime(BOUND_MS * 2);
    expect(fake.exits).toEqual([]); // no signal, no bound running
    fake.send('SIGTERM');
    vi.advanceTimersByTime(BOUND_MS - 1);
    expect(fake.exits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fake.exits).toEqual([1]);
    expect(fake.stderr()).toContain(`start-up did not stop within ${BOUND_MS} ms of SIGTERM`);
  });

  it('starts the bound when it is set after the signal, and release cancels it', () => {
    const fake = fakeProcess();
    const startup = catchStartupSignals(fake.proc);
    fake.send('SIGTERM');
    startup.bound(BOUND_MS);
    startup.release();
    vi.advanceTimersByTime(BOUND_MS * 2);
    expect(fake.exits).toEqual([]);
  });
});
