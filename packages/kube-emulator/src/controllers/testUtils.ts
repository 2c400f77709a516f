import { afterEach } from 'node:test';
import { createClock } from '../clock';
import { createMemoryStore } from '../store/memoryStore';
import type { ControllerHandle, KubeObject, Store } from '../store/types';
import { type ControllerOptions, startControllers } from './index';
import { R } from './resources';

/** A store with running controllers on a fast clock, for tests. @public */
export interface TestCluster {
  store: Store;
  handle: ControllerHandle;
  timeScale: number;
  stop(): void;
}

/** Starts a store + controllers; `timeScale` 1000 makes a simulated second one real millisecond. @public */
export function startTestCluster(
  timeScale = 1000,
  podReadyDelayMs = 2000,
  options: ControllerOptions = {},
): TestCluster {
  process.env.KUBE_EMULATOR_QUIET = '1';
  const store = createMemoryStore();
  for (const ns of ['default', 'flagger-demo']) {
    if (!store.get(R.namespaces, undefined, ns))
      store.create(R.namespaces, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
  }
  const handle = startControllers(store, createClock(timeScale), {
    ...options,
    podReadyDelayMs,
  });
  return { store, handle, timeScale, stop: () => handle.stop() };
}

/**
 * Call inside a `describe`: returns a `startTestCluster` whose clusters are
 * stopped after each test, so a failing test cannot leave controller timers running. @public
 */
export function clusterPerTest(): typeof startTestCluster {
  const running: TestCluster[] = [];
  afterEach(() => {
    for (const cluster of running.splice(0)) cluster.stop();
  });
  return (...args) => {
    const cluster = startTestCluster(...args);
    running.push(cluster);
    return cluster;
  };
}

/** Polls until `check` returns a truthy value; fails with `what` after `timeoutMs` real milliseconds. @public */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | null,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${
          lastError ? `: ${String(lastError)}` : ''
        }`,
      );
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

/** Polls until `get` returns an object for which `isReady` holds, and resolves to that object; fails like `waitFor`. @public */
export function waitForObject<T extends object>(
  what: string,
  get: () => T | undefined,
  isReady: (value: T) => unknown,
  timeoutMs?: number,
): Promise<T> {
  return waitFor(
    what,
    () => {
      const value = get();
      return value && isReady(value) ? value : undefined;
    },
    timeoutMs,
  );
}

/** A Deployment like the product document's. @public */
export function testDeployment(
  name: string,
  labels: Record<string, string>,
  image: string,
  replicas = 3,
  namespace = 'default',
  containerName = 'web',
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: containerName, image, ports: [{ containerPort: 80 }] },
          ],
        },
      },
    },
  };
}

/** Core/v1 Events about an object, oldest first. @public */
export function eventsFor(
  store: Store,
  namespace: string,
  name: string,
): KubeObject[] {
  return store
    .list(R.events, { namespace })
    .filter(e => (e as any).involvedObject?.name === name)
    .sort((a, b) =>
      String(a.metadata.name).localeCompare(String(b.metadata.name)),
    );
}

/** A core/v1 Service with the given spec. @public */
export function testService(
  name: string,
  spec: Record<string, unknown>,
  namespace = 'default',
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec,
  };
}

/** The condition of `type` in a status.conditions list, if any. @public */
export function conditionOf(
  conditions: any[] | undefined,
  type: string,
): any | undefined {
  return conditions?.find(c => c.type === type);
}
