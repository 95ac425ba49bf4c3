/** The logging surface the protocol core needs: a subset of pino's, so `app.log` or pino fits. */
export interface Logger {
  trace(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;

/** A logger that drops everything (library default). */
export const SILENT_LOGGER: Logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop };
