/** IPC messages between the fan-out benchmark's parent and its server and client processes. */

export type ServerKind = 'baseline' | 'hub';

/**
 * How a round publishes: `normal` is the server's own fan-out; `corked` corks every socket around it
 * (user-space work only, no syscall inside the loop); `floor` (baseline server) writes the baseline's
 * frame with one bare write(2) per socket and nothing else: the least any Node fan-out can cost.
 */
export type PublishMode = 'normal' | 'corked' | 'floor';

export type ToServer = { cmd: 'measure-rss' } | { cmd: 'publish'; round: number; mode: PublishMode } | { cmd: 'exit' };
export type FromServer =
  | { event: 'listening'; port: number; path: string; rss: number; heap: number }
  | { event: 'rss'; rss: number; heap: number; clients: number }
  | { event: 'published'; round: number; at: number; loopMs: number };

export type ToClients = { cmd: 'connect'; port: number; path: string; count: number } | { cmd: 'arm'; round: number } | { cmd: 'exit' };
export type FromClients =
  | { event: 'connected'; count: number; failed: number }
  | { event: 'armed'; round: number }
  /** `bytes`: size of the first chunk one subscriber got (the frame), to check both payloads match. */
  | { event: 'received'; round: number; times: number[]; missing: number; bytes: number };

/** Wall-clock time with sub-millisecond resolution, comparable between processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
