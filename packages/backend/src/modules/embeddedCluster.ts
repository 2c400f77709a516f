import fs from 'node:fs';
import path from 'node:path';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { startEmulator } from '@kube-rollouts/kube-emulator';

const SCENARIOS = ['demo', 'empty'] as const;

/** A file the emulator writes, resolved against the working directory, its folder created. */
function outputPath(settings: Config, key: string): string | undefined {
  const setting = settings.getOptionalString(key);
  if (!setting) return undefined;
  const resolved = path.resolve(setting);
  try {
    fs.mkdirSync(path.dirname(resolved), { recursive: true });
  } catch (error) {
    // Before the emulator starts: a bad path fails start-up and leaves nothing running.
    throw new Error(
      `kubeEmulator.${key} has value '${setting}' — expected a file path whose folder can be created: ${
        (error as Error).message
      }`,
    );
  }
  return resolved;
}

/**
 * The embedded default cluster: when `kubeEmulator.enabled` is true (app-config.yaml), the backend
 * starts the Kubernetes API emulator in-process, the way Backstage runs on SQLite by default. The
 * Kubernetes and rollouts plugins reach it like any other cluster, through
 * `kubernetes.clusterLocatorMethods`; nothing in them knows it is an emulator.
 *
 * @public
 */
export const embeddedClusterPlugin = createBackendPlugin({
  pluginId: 'kube-emulator',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.rootLifecycle,
      },
      async init({ config, logger, lifecycle }) {
        const settings = config.getOptionalConfig('kubeEmulator');
        if (!settings?.getOptionalBoolean('enabled')) {
          return;
        }
        const scenario = settings.getOptionalString('scenario') ?? 'demo';
        if (!SCENARIOS.includes(scenario as (typeof SCENARIOS)[number])) {
          throw new Error(
            `kubeEmulator.scenario has value '${scenario}' — expected one of ${SCENARIOS.join(
              ', ',
            )}`,
          );
        }
        const host = settings.getOptionalString('host') ?? '127.0.0.1';
        const port = settings.getOptionalNumber('port') ?? 6443;
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new Error(
            `kubeEmulator.port has value '${port}' — expected a TCP port from 0 to 65535`,
          );
        }
        const timeScale = settings.getOptionalNumber('timeScale') ?? 1;
        if (!(timeScale > 0)) {
          throw new Error(
            `kubeEmulator.timeScale has value '${timeScale}' — expected a number above 0 (1 = real time)`,
          );
        }
        const tokens = {
          admin: settings.getString('token'),
          readOnly: settings.getOptionalString('readOnlyToken'),
        };
        const kubeconfigPath = outputPath(settings, 'kubeconfigPath');
        const caFilePath = outputPath(settings, 'caFilePath');
        let emulator;
        try {
          emulator = await startEmulator({
            host,
            port,
            scenario: scenario as (typeof SCENARIOS)[number],
            timeScale,
            tokens,
            kubeconfigPath,
          });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
            throw new Error(
              `kubeEmulator.port ${port} is already in use on ${host}: stop what listens there (another yarn start?) or set kubeEmulator.port to a free port`,
            );
          }
          throw new Error(
            `kubeEmulator could not start: ${(error as Error).message}`,
          );
        }
        if (caFilePath) {
          // Written before any request: the clusters' caFile is read per connection.
          fs.writeFileSync(
            caFilePath,
            Buffer.from(emulator.caData, 'base64').toString('utf8'),
          );
        }
        logger.info(
          `Embedded Kubernetes cluster (kube-emulator, scenario '${scenario}') at ${
            emulator.url
          }${
            emulator.kubeconfigPath
              ? `; kubeconfig: ${emulator.kubeconfigPath}`
              : ''
          }`,
        );
        lifecycle.addShutdownHook(() => emulator.stop());
      },
    });
  },
});
