import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../src/index';

/** Result of one shell command. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** An emulator plus a shell whose `kubectl` talks to it, working in a copy of one chapter's manifests. */
export interface Walkthrough {
  emulator: Emulator;
  dir: string;
  /** Runs a command line with bash exactly as written in the product document. */
  sh(command: string, timeoutMs?: number): Promise<CommandResult>;
  /** Like sh, but fails (with the output) when the command exits non-zero. */
  ok(command: string, timeoutMs?: number): Promise<string>;
  /** Copies manifests/<chapter>/<from> over <to> in the working directory (the document reuses file names). */
  use(from: string, to: string): void;
  /** Starts a long-running command (e.g. `--watch`); stop() ends it and returns what it printed. */
  background(command: string): { output(): string; stop(): Promise<string> };
  stop(): Promise<void>;
}

/** Starts an emulator (scenario `empty`) and a working directory with the chapter's manifests. */
export async function startWalkthrough(
  chapter: string,
  timeScale: number,
): Promise<Walkthrough> {
  process.env.KUBE_EMULATOR_QUIET = '1';
  const dir = mkdtempSync(join(tmpdir(), `walkthrough-${chapter}-`));
  const home = join(dir, '.home');
  const manifests = join(__dirname, 'manifests', chapter);
  cpSync(manifests, dir, { recursive: true });
  const kubeconfigPath = join(dir, 'kubeconfig');
  const emulator = await startEmulator({
    timeScale,
    scenario: 'empty',
    kubeconfigPath,
  });
  // A fresh HOME: kubectl's discovery cache (~/.kube/cache) never leaks between emulators.
  const env = {
    // /usr/bin first: `kubectl` is the real one (Google's dispatcher picks the minor by /version).
    PATH: `/usr/bin:/bin:${process.env.PATH ?? ''}`,
    HOME: home,
    KUBECONFIG: kubeconfigPath,
    LANG: 'C.UTF-8',
  };
  const sh = (command: string, timeoutMs = 30_000) =>
    new Promise<CommandResult>(resolve => {
      execFile(
        'bash',
        ['-c', command],
        { cwd: dir, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          let code = 0;
          if (err)
            code =
              typeof (err as any).code === 'number' ? (err as any).code : 1;
          resolve({ stdout: String(stdout), stderr: String(stderr), code });
        },
      );
    });
  return {
    emulator,
    dir,
    sh,
    async ok(command, timeoutMs) {
      const result = await sh(command, timeoutMs);
      if (result.code !== 0)
        throw new Error(
          `\`${command}\` exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
        );
      return result.stdout;
    },
    use(from, to) {
      cpSync(join(manifests, from), join(dir, to));
    },
    background(command) {
      const child = spawn('bash', ['-c', `exec ${command}`], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', chunk => (out += String(chunk)));
      child.stderr.on('data', chunk => (out += String(chunk)));
      const exited = new Promise<void>(resolve =>
        child.once('exit', () => resolve()),
      );
      return {
        output: () => out,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
          return out;
        },
      };
    },
    async stop() {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Re-runs `probe` until `accept` holds (kubectl output changes as the simulated controllers work). */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last value:\n${
          typeof last === 'string' ? last : JSON.stringify(last, null, 2)
        }`,
      );
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}
