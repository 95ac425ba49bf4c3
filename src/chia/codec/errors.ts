/** The one error the codec raises: every decode, encode and JSON failure is a CodecError. */

/** Offset used when the failure is not tied to a byte position (JSON input, encoding). */
export const NO_OFFSET = -1;

/**
 * A malformed or unsupported input. `offset` is the byte position in the decoded buffer (or -1),
 * `path` the type path of the failing field, e.g. `FullBlock.reward_chain_block.proof_of_space.proof`.
 */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  readonly code = 'CODEC_ERROR';
  /** Reason without the path prefix, kept so the message can be rebuilt as the path grows. */
  readonly reason: string;
  path: string;

  constructor(
    reason: string,
    readonly offset: number = NO_OFFSET,
    path = '',
  ) {
    super(reason);
    this.reason = reason;
    this.path = path;
    this.refreshMessage();
  }

  /** Prepends a path segment (`.field`, `[3]` or a type name) while the error unwinds. */
  prefix(segment: string): this {
    this.path = segment + this.path;
    this.refreshMessage();
    return this;
  }

  private refreshMessage(): void {
    const at = this.offset >= 0 ? ` (at byte ${this.offset})` : '';
    this.message = this.path === '' ? `${this.reason}${at}` : `${this.path}: ${this.reason}${at}`;
  }
}

/** Runs `fn`; a CodecError escaping it gets `segment` prepended to its path. */
export function withPath<T>(segment: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CodecError) e.prefix(segment);
    throw e;
  }
}
