import { JsonObject } from '@backstage/types';
import request from 'supertest';
import {
  clusterFor,
  Emulator,
  kubeClients,
  startEmulator,
  startRollouts,
  TestRollouts,
  waitForDeployments,
} from './backend';

/** client-node clients of an emulator, to read the cluster past the plugin. */
export type KubeClients = ReturnType<typeof kubeClients>;

/**
 * The demo cluster and the plugin a strategy test runs against.
 *
 * @remarks
 * Filled in by `beforeAll`: read the fields inside hooks and tests, never at describe time.
 */
export interface DemoCluster {
  /** The in-process Kubernetes emulator, loaded with the demo scenario. */
  emu: Emulator;
  /** The rollouts plugin in a test backend, with the emulator as its only cluster (`embedded`). */
  backend: TestRollouts;
  /** Clients of the emulator that bypass the plugin. */
  kube: KubeClients;
}

/** Options of {@link useDemoCluster}. */
export interface DemoClusterOptions {
  /** Simulated time speed-up; default 200, so that Deployments become ready within a second. */
  timeScale?: number;
  /** Namespaces whose Deployments must be fully available before the plugin starts. */
  readyNamespaces?: string[];
  /** The plugin's `kubeRollouts` config. */
  kubeRollouts?: JsonObject;
  /** Changes demo objects before the plugin starts. */
  prepare?: (emu: Emulator) => void;
}

/**
 * Registers the hooks that start the emulator's demo scenario and the rollouts plugin against it
 * before the enclosing describe block, and stop both after it.
 *
 * @returns the cluster, filled in once `beforeAll` has run.
 */
export function useDemoCluster(options: DemoClusterOptions = {}): DemoCluster {
  const demo = {} as DemoCluster;
  beforeAll(async () => {
    demo.emu = await startEmulator({
      scenario: 'demo',
      timeScale: options.timeScale ?? 200,
    });
    demo.kube = kubeClients(demo.emu);
    options.prepare?.(demo.emu);
    await waitForDeployments(demo.emu, options.readyNamespaces ?? []);
    demo.backend = await startRollouts({
      clusters: [clusterFor(demo.emu)],
      kubeRollouts: options.kubeRollouts,
    });
  });
  afterAll(async () => {
    await demo.backend?.stop();
    await demo.emu?.stop();
  });
  return demo;
}

/** A custom resource kind, named as client-node's CustomObjectsApi names it. */
export interface CustomResourceKind {
  group: string;
  version: string;
  plural: string;
}

/** One custom object of the demo cluster. */
export interface CustomObject {
  /** Reads the object through the API server, past the plugin. */
  read(): Promise<any>;
  /** Changes the object in the emulator's store, as another controller or tool would. */
  modify(change: (object: any) => void): void;
}

/**
 * The custom object `namespace/name` of `kind` in the demo cluster.
 *
 * @param demo - read on every call, so it can be passed at describe time.
 */
export function customObject(
  demo: DemoCluster,
  kind: CustomResourceKind,
  namespace: string,
  name: string,
): CustomObject {
  return {
    read: () =>
      demo.kube.custom.getNamespacedCustomObject({ ...kind, namespace, name }),
    modify(change) {
      demo.emu.store.modify(
        { group: kind.group, resource: kind.plural },
        namespace,
        name,
        change,
      );
    },
  };
}

/** The rollout endpoints of one catalog component, called as the frontend calls them. */
export interface ComponentRollout {
  /** The rollout's URL path, `/api/rollouts/entities/component/default/<name>/rollout`. */
  readonly path: string;
  /** GETs the rollout, whatever the answer. */
  get(): request.Test;
  /** GETs the rollout, fails the test unless it answers 200, and returns the first rollout view. */
  view(): Promise<any>;
  /** GETs one page of the rollout's history, whatever the answer. */
  events(page?: { limit?: number; cursor?: string }): request.Test;
}

/**
 * The rollout endpoints of component `default/<name>` on `host.backend`.
 *
 * @param host - read on every call, so a {@link DemoCluster} can be passed at describe time.
 */
export function componentRollout(
  host: { backend: TestRollouts },
  name: string,
): ComponentRollout {
  const path = `/api/rollouts/entities/component/default/${name}/rollout`;
  const server = () => host.backend.server;
  return {
    path,
    get: () => request(server()).get(path),
    async view() {
      const res = await request(server()).get(path);
      // The error message, when there is one, says more than the status.
      expect(res.body.error?.message ?? res.status).toBe(200);
      return res.body.rollouts[0];
    },
    events(page = {}) {
      const query = new URLSearchParams();
      if (page.limit !== undefined) query.set('limit', String(page.limit));
      if (page.cursor !== undefined) query.set('cursor', page.cursor);
      const search = query.toString();
      return request(server()).get(
        `${path}/events${search ? `?${search}` : ''}`,
      );
    },
  };
}

/** Checks that history events are sorted newest first. */
export function expectNewestFirst(events: { time: string }[]): void {
  const times = events.map(e => e.time);
  expect([...times].sort().reverse()).toEqual(times);
}

/** Polls `check` every 50 ms until it holds; throws after `ms` naming `what` it waited for. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}
