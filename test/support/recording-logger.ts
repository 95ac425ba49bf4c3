/** A core Logger that keeps what it is told, for tests that check a warning or wait for a debug line. */
import type { Logger } from '../../src/chia/logger.js';

type Level = keyof Logger;

export interface LogEntry {
  level: Level;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  /** The entries logged at `warn`, in order (kept as they come, so a test may hold on to this array). */
  readonly warnings: LogEntry[] = [];

  trace = this.#recorder('trace');
  debug = this.#recorder('debug');
  info = this.#recorder('info');
  warn = this.#recorder('warn');
  error = this.#recorder('error');

  #recorder(level: Level): (obj: object, msg?: string) => void {
    return (obj, msg) => {
      const entry: LogEntry = { level, obj: obj as Record<string, unknown>, msg };
      this.entries.push(entry);
      if (level === 'warn') this.warnings.push(entry);
    };
  }
}
