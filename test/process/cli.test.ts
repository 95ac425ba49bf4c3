import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../src/config/options.js';
import { EXIT_BAD_CONFIG } from '../../src/process/exit-codes.js';
import { main } from '../../src/server.js';
import { helpText, plainText } from '../../src/process/cli-help.js';
import { cleanEnv, runScript } from '../support/spawn-gateway.js';

function memoryIo() {
  const io = { out: '', err: '' };
  return { io, sink: { stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) } };
}

// The process tests spawn tsx, which compiles the app first: slow on a busy machine.
describe('chia-peer-gateway CLI', { timeout: 90_000 }, () => {
  it('--help lists every option with its flag, variable and default', () => {
    const text = helpText();
    for (const o of OPTIONS) {
      const line = text.split('\n').find((l) => l.includes(`${o.flag} `));
      expect(line, o.flag).toBeDefined();
      expect(line).toContain(`env ${o.env}`);
      expect(line).toContain(`default ${o.defaultText}`);
      expect(text).toContain(plainText(o.help));
    }
  });

  it('main prints the help and the version without starting anything', async () => {
    const help = memoryIo();
    expect(await main(['--help'], {}, help.sink)).toBe(0);
    expect(help.io.out).toContain('Usage: chia-peer-gateway');
    const version = memoryIo();
    expect(await main(['--version'], {}, version.sink)).toBe(0);
    expect(version.io.out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('main returns 2 and names every bad variable', async () => {
    const { io, sink } = memoryIo();
    expect(await main(['--port', 'x'], { CHIA_GATEWAY_ROLES: 'miner', CHIA_GATEWAY_PEERZ: '1' }, sink)).toBe(EXIT_BAD_CONFIG);
    expect(io.err).toContain('--port: expected an integer');
    expect(io.err).toContain('CHIA_GATEWAY_ROLES:');
    expect(io.err).toContain('CHIA_GATEWAY_PEERZ: unknown variable');
    expect(io.err).toContain('--help');
    expect(io.out).toBe('');
  });

  it('as a process: --help exits 0 and lists every variable', async () => {
    const run = runScript('src/cli.ts', ['--help'], cleanEnv({}));
    const result = await run.exited;
    expect(result.code).toBe(0);
    for (const o of OPTIONS) expect(result.stdout).toContain(o.env);
  });

  it('as a process: a bad variable exits 2 with a readable message naming it', async () => {
    const run = runScript('src/cli.ts', [], cleanEnv({ PORT: 'eighty', CHIA_GATEWAY_PACING_SHARE: '3' }));
    const result = await run.exited;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid configuration (2 problems)');
    expect(result.stderr).toContain('PORT: expected an integer from 0 to 65535, got "eighty"');
    expect(result.stderr).toContain('CHIA_GATEWAY_PACING_SHARE:');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
