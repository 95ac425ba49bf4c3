/** Resident memory and open file descriptors of a process, read from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

const KIB = 1024;

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * KIB;
}

/** Number of open file descriptors (sockets, files, pipes, epoll …). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
