/** The typed error of configuration parsing: every problem found, each naming what fixes it. */
import { redactPem } from './secret-text.js';

export interface ConfigIssue {
  /** The variable or flag to fix, e.g. `PORT` or `--port`. */
  name: string;
  message: string;
}

/** Every configuration problem found, each naming the variable or flag that fixes it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(readonly issues: readonly ConfigIssue[]) {
    // Issues describe refused values instead of quoting them; the redaction is the last guard.
    const lines = issues.map((i) => `  ${redactPem(`${i.name}: ${i.message}`)}`);
    super(`invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
  }
}
