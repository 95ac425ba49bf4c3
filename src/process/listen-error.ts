/** Why a listener could not open, worded for the person who sets its host and port options. */

/** The address a listener was to open, with the options that set it (as users write them). */
export interface ListenTarget {
  host: string;
  port: number;
  /** e.g. "HOST (--host)". */
  hostOption: string;
  /** e.g. "PORT (--port)". */
  portOption: string;
}

/** What fixes each common listen failure (the system error code). */
const HINTS: Readonly<Record<string, (t: ListenTarget) => string>> = {
  EADDRINUSE: (t) => `another process uses this port; stop it or choose another ${t.portOption}`,
  EACCES: (t) => `no permission to listen on this port (ports below 1024 need privileges); choose another ${t.portOption}`,
  EADDRNOTAVAIL: (t) => `${t.hostOption} is not an address of this machine`,
  ENOTFOUND: (t) => `${t.hostOption} does not resolve to an address`,
  EAI_AGAIN: (t) => `${t.hostOption} could not be resolved`,
};

/** A listener could not open its address; the message names the cause and the setting to change. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code = 'LISTEN_FAILED';
  /** The system error code of the cause (EADDRINUSE, …), when it has one. */
  readonly systemCode: string | undefined;
  constructor(target: ListenTarget, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const hint = code === undefined ? undefined : HINTS[code];
    const reason =
      hint === undefined
        ? `${cause instanceof Error ? cause.message : String(cause)}; check ${target.hostOption} and ${target.portOption}`
        : `${code}: ${hint(target)}`;
    super(`cannot listen on ${target.host}:${target.port}: ${reason}`, { cause });
    this.systemCode = code;
  }
}
