import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { invocationDir, parseArgs } from './cli';

const packageDir = join(__dirname, '..');
const repoRoot = join(packageDir, '..', '..');
/** The loader of the package's scripts and of bin/kube-emulator, by URL so any cwd works. */
const tsxLoader = pathToFileURL(
  require.resolve('tsx', { paths: [packageDir] }),
).href;

/** How a user starts the CLI: the `emulator` script's `tsx src/cli.ts`, or the package's bin. */
const launchers = {
  'node --import tsx src/cli.ts': [
    '--import',
    tsxLoader,
    join(packageDir, 'src', 'cli.ts'),
  ],
  'bin/kube-emulator': [join(packageDir, 'bin', 'kube-emulator')],
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('kube-emulator CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves relative paths against the folder the command was typed in', () => {
    const options = (argv: string[]) => {
      const parsed = parseArgs(argv, '/home/me/project');
      assert.notEqual(parsed, 'help');
      return parsed as Exclude<typeof parsed, 'help'>;
    };
    assert.equal(
      options(['--kubeconfig', './kc']).kubeconfigPath,
      '/home/me/project/kc',
    );
    assert.equal(
      options(['--kubeconfig=out/kc']).kubeconfigPath,
      '/home/me/project/out/kc',
    );
    assert.equal(
      options(['--kubeconfig', '/tmp/kc']).kubeconfigPath,
      '/tmp/kc',
    );
    assert.equal(
      options([]).kubeconfigPath,
      join(repoRoot, '.kube-emulator', 'kubeconfig'),
    );
  });

  it('trusts INIT_CWD only under the emulator script, as every child of a yarn script inherits it', () => {
    const typedIn = '/home/me/project';
    assert.equal(
      invocationDir(
        { npm_lifecycle_event: 'emulator', INIT_CWD: typedIn },
        repoRoot,
      ),
      typedIn,
    );
    assert.equal(
      invocationDir(
        { npm_lifecycle_event: 'start', INIT_CWD: repoRoot },
        typedIn,
      ),
      typedIn,
    );
    assert.equal(invocationDir({ INIT_CWD: repoRoot }, typedIn), typedIn);
    assert.equal(
      invocationDir({ npm_lifecycle_event: 'emulator' }, typedIn),
      typedIn,
    );
  });

  // How a start looks to the CLI: the folder it runs in, the script yarn names in
  // npm_lifecycle_event and INIT_CWD; `meantFrom` is the folder a relative --kubeconfig is meant from.
  const runs: {
    how: string;
    launcher: keyof typeof launchers;
    script?: string;
    cwd: 'repo root' | 'package' | 'meantFrom';
    initCwd: 'meantFrom' | 'elsewhere';
    signal: NodeJS.Signals;
  }[] = [
    {
      how: 'the root `yarn emulator` script, typed in INIT_CWD',
      launcher: 'bin/kube-emulator',
      script: 'emulator',
      cwd: 'repo root',
      initCwd: 'meantFrom',
      signal: 'SIGINT',
    },
    {
      how: "the package's `emulator` script, typed in INIT_CWD",
      launcher: 'node --import tsx src/cli.ts',
      script: 'emulator',
      cwd: 'package',
      initCwd: 'meantFrom',
      signal: 'SIGTERM',
    },
    {
      how: 'another yarn script, which runs in its own folder and passes on its INIT_CWD',
      launcher: 'bin/kube-emulator',
      script: 'start',
      cwd: 'meantFrom',
      initCwd: 'elsewhere',
      signal: 'SIGINT',
    },
  ];
  for (const { how, launcher, script, cwd, initCwd, signal } of runs) {
    it(`${launcher} started by ${how}: serves client-node through the printed kubeconfig and exits 0 on ${signal}`, async () => {
      const meantFrom = mkdtempSync(join(dir, 'meant-from-'));
      const folders = {
        'repo root': repoRoot,
        package: packageDir,
        meantFrom,
        elsewhere: mkdtempSync(join(dir, 'elsewhere-')),
      };
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [
          ...launchers[launcher],
          '--port',
          String(port),
          '--kubeconfig',
          './kc',
          '--scenario',
          'empty',
        ],
        {
          cwd: folders[cwd],
          env: {
            ...process.env,
            npm_lifecycle_event: script,
            INIT_CWD: folders[initCwd],
          },
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, so a failed test can end bin/kube-emulator's child as well.
          detached: true,
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', chunk => (stdout += chunk));
      child.stderr.on('data', chunk => (stderr += chunk));
      const exited = new Promise<{
        code: number | null;
        signal: NodeJS.Signals | null;
      }>(resolve =>
        child.on('exit', (code, exitSignal) =>
          resolve({ code, signal: exitSignal }),
        ),
      );
      try {
        const printed = await new Promise<{ url: string; kubeconfig: string }>(
          (resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`no start-up lines in 15s:\n${stdout}`)),
              15_000,
            );
            const check = () => {
              const url = /listening on (\S+)/.exec(stdout)?.[1];
              const kubeconfig = /kubeconfig written to (.+)\n/.exec(
                stdout,
              )?.[1];
              if (url && kubeconfig) {
                clearTimeout(timer);
                resolve({ url, kubeconfig });
              }
            };
            child.stdout.on('data', check);
            void exited.then(({ code }) => {
              clearTimeout(timer);
              reject(new Error(`exited ${code} before start-up:\n${stderr}`));
            });
          },
        );
        assert.equal(printed.url, `https://127.0.0.1:${port}`);
        assert.equal(printed.kubeconfig, join(meantFrom, 'kc'));
        for (const folder of [folders[cwd], folders[initCwd]])
          if (folder !== meantFrom)
            assert.equal(existsSync(join(folder, 'kc')), false, folder);

        const kc = new k8s.KubeConfig();
        kc.loadFromFile(printed.kubeconfig);
        const namespaces = await kc
          .makeApiClient(k8s.CoreV1Api)
          .listNamespace();
        assert.deepEqual(namespaces.items.map(ns => ns.metadata?.name).sort(), [
          'default',
          'kube-node-lease',
          'kube-public',
          'kube-system',
        ]);

        child.kill(signal);
        let timer: NodeJS.Timeout | undefined;
        const exit = await Promise.race([
          exited,
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`still running 5s after ${signal}`)),
              5_000,
            );
          }),
        ]).finally(() => clearTimeout(timer));
        assert.deepEqual(exit, { code: 0, signal: null }, stderr);
        assert.match(stdout, new RegExp(`${signal} received, stopping`));
      } finally {
        if (child.exitCode === null && child.signalCode === null)
          process.kill(-child.pid!, 'SIGKILL');
      }
    });
  }
});
