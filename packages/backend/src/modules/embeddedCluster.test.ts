import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { embeddedClusterPlugin } from './embeddedCluster';

function kubectl(kubeconfig: string, ...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>(
    resolve =>
      execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, ...args],
        { timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      ),
  );
}

function startWith(kubeEmulator: Record<string, string | number | boolean>) {
  return startTestBackend({
    features: [
      embeddedClusterPlugin,
      mockServices.rootConfig.factory({ data: { kubeEmulator } }),
    ],
  });
}

describe('embedded cluster', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-cluster-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts the emulator with the configured scenario and writes a kubeconfig kubectl uses as is', async () => {
    const kubeconfigPath = path.join(dir, 'nested', 'kubeconfig');
    const caFilePath = path.join(dir, 'ca', 'ca.crt');
    const backend = await startWith({
      enabled: true,
      port: 0,
      scenario: 'empty',
      token: 'test-admin-token',
      kubeconfigPath,
      caFilePath,
    });
    let stopped = false;
    try {
      const namespaces = await kubectl(
        kubeconfigPath,
        'get',
        'namespaces',
        '-o',
        'name',
      );
      expect(namespaces.stderr).toBe('');
      expect(namespaces.stdout.trim().split('\n').sort()).toEqual([
        'namespace/default',
        'namespace/kube-node-lease',
        'namespace/kube-public',
        'namespace/kube-system',
      ]);
      // The CA file verifies the server, as a cluster's caFile does (no skipTLSVerify).
      const server = /server: (\S+)/.exec(
        fs.readFileSync(kubeconfigPath, 'utf8'),
      )![1];
      const noKubeconfig = path.join(dir, 'empty-kubeconfig');
      fs.writeFileSync(noKubeconfig, '');
      const verified = await kubectl(
        noKubeconfig,
        '--server',
        server,
        '--certificate-authority',
        caFilePath,
        '--token',
        'test-admin-token',
        'get',
        'namespace',
        'default',
        '-o',
        'name',
      );
      expect(fs.readFileSync(caFilePath, 'utf8')).toMatch(
        /^-----BEGIN CERTIFICATE-----/,
      );
      expect(verified).toMatchObject({
        code: 0,
        stdout: 'namespace/default\n',
      });

      await backend.stop();
      stopped = true;
      // Stopping the backend stops the cluster.
      const after = await kubectl(
        kubeconfigPath,
        'get',
        'namespaces',
        '--request-timeout=5s',
      );
      expect(after.code).not.toBe(0);
      expect(after.stderr).toMatch(/was refused|connection refused/i);
    } finally {
      if (!stopped) await backend.stop();
    }
  });

  it('refuses an unknown scenario at start-up, naming the key', async () => {
    await expect(
      startWith({
        enabled: true,
        port: 0,
        scenario: 'production',
        token: 't',
        kubeconfigPath: path.join(dir, 'kubeconfig'),
      }),
    ).rejects.toThrow(
      "kubeEmulator.scenario has value 'production' — expected one of demo, empty",
    );
    expect(fs.existsSync(path.join(dir, 'kubeconfig'))).toBe(false);
  });

  it('refuses a CA file path whose folder cannot be created, naming the key, before starting', async () => {
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, 'a file, not a folder');
    await expect(
      startWith({
        enabled: true,
        port: 0,
        token: 't',
        caFilePath: path.join(blocker, 'ca.crt'),
      }),
    ).rejects.toThrow(
      `kubeEmulator.caFilePath has value '${path.join(
        blocker,
        'ca.crt',
      )}' — expected a file path whose folder can be created`,
    );
  });

  it('refuses a port in use at start-up, naming the key', async () => {
    const blocker = net.createServer();
    await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await expect(
        startWith({ enabled: true, port, token: 't' }),
      ).rejects.toThrow(
        `kubeEmulator.port ${port} is already in use on 127.0.0.1: stop what listens there (another yarn start?) or set kubeEmulator.port to a free port`,
      );
    } finally {
      blocker.close();
    }
  });

  it.each([
    [
      { port: 70000 },
      "kubeEmulator.port has value '70000' — expected a TCP port from 0 to 65535",
    ],
    [
      { timeScale: 0 },
      "kubeEmulator.timeScale has value '0' — expected a number above 0 (1 = real time)",
    ],
  ])('refuses a bad setting %j, naming the key', async (bad, message) => {
    await expect(
      startWith({ enabled: true, port: 0, token: 't', ...bad }),
    ).rejects.toThrow(message);
  });

  it('requires a token when enabled', async () => {
    await expect(startWith({ enabled: true, port: 0 })).rejects.toThrow(
      "Missing required config value at 'kubeEmulator.token'",
    );
  });

  it('starts nothing unless enabled', async () => {
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    const backend = await startWith({
      enabled: false,
      token: 't',
      kubeconfigPath,
    });
    await backend.stop();
    expect(fs.existsSync(kubeconfigPath)).toBe(false);
  });
});
