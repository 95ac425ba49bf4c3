/** Why the server could not listen, worded for the person who sets HOST and PORT. */

/** What fixes each common listen failure (the system error code). */
const HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'another process uses this port; stop it or choose another PORT (--port)',
  EACCES: 'no permission to listen on this port (ports below 1024 need privileges); choose another PORT (--port)',
  EADDRNOTAVAIL: 'HOST (--host) is not an address of this machine',
  ENOTFOUND: 'HOST (--host) does not resolve to an address',
  EAI_AGAIN: 'HOST (--host) could not be resolved',
};

/** The HTTP server could not listen on HOST:PORT; the message names the cause and the setting to change. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code = 'LISTEN_FAILED';
  constructor(host: string, port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const hint = code === undefined ? undefined : HINTS[code];
    const reason = hint === undefined ? `${cause instanceof Error ? cause.message : String(cause)}; check HOST (--host) and PORT (--port)` : `${code}: ${hint}`;
    super(`cannot listen on ${host}:${port}: ${reason}`, { cause });
  }
}
