/** IPC messages between the fan-out benchmark's parent and its server and client processes. */

export type ServerKind = 'baseline' | 'hub';

/** `corked`: every socket is corked around the publish, so the loop measures user-space work only. */
export type ToServer = { cmd: 'measure-rss' } | { cmd: 'publish'; round: number; corked: boolean } | { cmd: 'exit' };
export type FromServer =
  | { event: 'listening'; port: number; path: string; rss: number; heap: number }
  | { event: 'rss'; rss: number; heap: number; clients: number }
  | { event: 'published'; round: number; at: number; loopMs: number };

export type ToClients = { cmd: 'connect'; port: number; path: string; count: number } | { cmd: 'arm'; round: number } | { cmd: 'exit' };
export type FromClients =
  | { event: 'connected'; count: number; failed: number }
  | { event: 'armed'; round: number }
  | { event: 'received'; round: number; times: number[]; missing: number };

/** Wall-clock time with sub-millisecond resolution, comparable between processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
