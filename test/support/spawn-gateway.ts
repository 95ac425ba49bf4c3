/**
 * Runs the gateway's command (src/cli.ts) as a child process through tsx, for
 * tests of exit codes, --help and signal handling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../fixtures/files.js';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process exits. */
  exited: Promise<Finished>;
  /** Resolves with the first stdout+stderr match of `pattern`; rejects if the process exits first. */
  waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>;
}

/** Environment with every CHIA_GATEWAY_* and listen variable of the test runner removed. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('CHIA_GATEWAY_') && !['PORT', 'HOST', 'LOG_LEVEL'].includes(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

export interface RunOptions {
  /** Modules (paths from the repository root) imported before the script, e.g. test probes. */
  preload?: string[];
}

/** Starts `node --import tsx <script> ...args` in the repository root. */
export function runScript(script: string, args: string[], env: Record<string, string>, options: RunOptions = {}): Running {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', pathToFileURL(join(REPO_ROOT, module)).href]);
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload, join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    for (const w of watchers) w();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString('utf8');
    for (const w of watchers) w();
  });
  const exited = new Promise<Finished>((resolve) => {
    child.on('exit', (code, signal) => {
      // Let the pipes drain before reporting.
      setImmediate(() => {
        resolve({ code, signal, stdout: out, stderr: err });
        for (const w of watchers) w();
      });
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = (out + err).match(pattern);
        if (match) {
          watchers.delete(check);
          resolve(match);
        } else if (done) {
          watchers.delete(check);
          reject(new Error(`process exited before printing ${pattern}:\n${out}\n${err}`));
        }
      };
      watchers.add(check);
      check();
    });
  return { child, stdout: () => out, stderr: () => err, exited, waitFor };
}
