/**
 * `kube-emulator [--port 6443] [--host 127.0.0.1] [--kubeconfig <file>] [--scenario demo|empty] [--time-scale 60]`
 */
import { resolve } from 'node:path';
import { startEmulator, type EmulatorOptions } from './index';

const usage = `Usage: kube-emulator [options]

An in-memory Kubernetes API server (HTTPS) with simulated controllers and traffic.

Options:
  --port <n>            TCP port to listen on (default 6443; 0 picks a free port)
  --host <address>      Address to listen on (default 127.0.0.1)
  --kubeconfig <file>   Where to write the kubeconfig, relative to where the command is typed
                        (default .kube-emulator/kubeconfig at the repository root)
  --scenario <name>     Objects to start with: demo or empty (default demo)
  --time-scale <n>      Simulated time speed-up, e.g. 60 = one simulated minute per second (default 1)
  --token <t>           Admin bearer token (default: random)
  --read-only-token <t> Read-only bearer token (default: random)
  -h, --help            Show this help

Then: kubectl --kubeconfig <file> get pods -A
`;

class UsageError extends Error {}

/** `.kube-emulator/kubeconfig` at the repository root (gitignored), where the portal writes too. */
export const defaultKubeconfigPath = resolve(
  // The CLI runs from source through tsx (bin/kube-emulator), never from a bundle.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '..',
  '..',
  '..',
  '.kube-emulator',
  'kubeconfig',
);

/**
 * The folder relative paths on the command line are meant from: where the user typed the command.
 * Yarn runs the `emulator` script in its workspace's folder and keeps the user's folder in INIT_CWD
 * (under `yarn workspace <name> ...`, that workspace's folder). Every child of any yarn script
 * inherits INIT_CWD, though, so it is trusted only when yarn names the `emulator` script in
 * npm_lifecycle_event; started any other way, the CLI was typed in its own working directory.
 * @internal
 */
export function invocationDir(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  return env.npm_lifecycle_event === 'emulator' && env.INIT_CWD
    ? env.INIT_CWD
    : cwd;
}

/**
 * Parses CLI flags (`--flag value` and `--flag=value`); relative paths are resolved against `cwd`.
 */
export function parseArgs(
  argv: string[],
  cwd: string = invocationDir(),
): (EmulatorOptions & { kubeconfigPath: string }) | 'help' {
  const opts: EmulatorOptions & { kubeconfigPath: string } = {
    port: 6443,
    scenario: 'demo',
    kubeconfigPath: defaultKubeconfigPath,
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    if (arg === '-h' || arg === '--help') return 'help';
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--'))
        throw new UsageError(`flag ${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--port': {
        const raw = next();
        const port = Number(raw);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(
            `--port must be an integer from 0 to 65535, got '${raw}'`,
          );
        opts.port = port;
        break;
      }
      case '--host':
        opts.host = next();
        break;
      case '--kubeconfig':
        opts.kubeconfigPath = resolve(cwd, next());
        break;
      case '--scenario': {
        const s = next();
        if (s !== 'demo' && s !== 'empty')
          throw new UsageError(`--scenario must be demo or empty, got '${s}'`);
        opts.scenario = s;
        break;
      }
      case '--time-scale': {
        const raw = next();
        const n = Number(raw);
        if (!Number.isFinite(n) || n <= 0)
          throw new UsageError(
            `--time-scale must be a positive number, got '${raw}'`,
          );
        opts.timeScale = n;
        break;
      }
      case '--token':
        opts.tokens = { ...opts.tokens, admin: next() };
        break;
      case '--read-only-token':
        opts.tokens = { ...opts.tokens, readOnly: next() };
        break;
      default:
        throw new UsageError(`unknown flag: ${arg}`);
    }
  }
  return opts;
}

async function main() {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`kube-emulator: ${err.message}\n\n${usage}`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed === 'help') {
    process.stdout.write(usage);
    return;
  }
  let emulator;
  try {
    emulator = await startEmulator(parsed);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EADDRINUSE'
        ? `port ${parsed.port} is already in use (try --port 0)`
        : e.message;
    process.stderr.write(`kube-emulator: cannot start: ${why}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `kube-emulator listening on ${
      emulator.url
    } (Kubernetes ${'v1.32'} API, scenario ${parsed.scenario}, time scale ${
      emulator.clock.timeScale
    })\n` +
      `kubeconfig written to ${emulator.kubeconfigPath}\n` +
      `try: kubectl --kubeconfig ${emulator.kubeconfigPath} get deployments -A\n`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`kube-emulator: ${signal} received, stopping\n`);
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module || process.argv[1]?.endsWith('cli.ts')) {
  void main();
}
