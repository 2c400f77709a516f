import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { rolloutReadPermission } from '@kube-rollouts/plugin-rollouts-common';
import { startEmulator, type Emulator } from '@kube-rollouts/kube-emulator';
import { JsonObject } from '@backstage/types';
import * as k8s from '@kubernetes/client-node';
import { rolloutsPlugin } from '../plugin';

/** A Component `default/<name>` with annotations, owned by `group:default/<owner>`. */
export function component(
  name: string,
  annotations: Record<string, string>,
  owner = 'team-rollouts',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
  };
}

/** Entities like the demo catalog's (examples/entities.yaml), plus a few for error cases. */
export const entities: Entity[] = [
  component('web-service-selector', {
    'backstage.io/kubernetes-id': 'web-service-selector',
    'backstage.io/kubernetes-namespace': 'service-selector',
    'kube-rollouts.io/strategy': 'service-selector',
    'kube-rollouts.io/target': 'web',
    'kube-rollouts.io/namespace': 'service-selector',
  }),
  component('web-gateway-api', {
    'backstage.io/kubernetes-id': 'web-gateway-api',
    'kube-rollouts.io/strategy': 'gateway-api',
    'kube-rollouts.io/target': 'web',
    'kube-rollouts.io/namespace': 'gateway-api',
    'kube-rollouts.io/mode': 'canary',
  }),
  component('web-gateway-api-bluegreen', {
    'kube-rollouts.io/strategy': 'gateway-api',
    'kube-rollouts.io/target': 'web',
    'kube-rollouts.io/namespace': 'gateway-api',
    'kube-rollouts.io/mode': 'blue-green',
  }),
  component('web-istio', {
    'backstage.io/kubernetes-id': 'web-istio',
    'kube-rollouts.io/strategy': 'istio',
    'kube-rollouts.io/target': 'web',
    'kube-rollouts.io/namespace': 'istio',
    'kube-rollouts.io/mode': 'canary',
  }),
  component('canary-demo', {
    'backstage.io/kubernetes-id': 'canary-demo',
    'backstage.io/kubernetes-namespace': 'flagger-demo',
    'kube-rollouts.io/strategy': 'canary-delivery',
    'kube-rollouts.io/target': 'canary-demo',
    'kube-rollouts.io/namespace': 'flagger-demo',
  }),
  component('bluegreen-demo', {
    'backstage.io/kubernetes-id': 'bluegreen-demo',
    'kube-rollouts.io/strategy': 'canary-delivery',
    'kube-rollouts.io/namespace': 'flagger-demo',
  }),
  // Owned by another team (see restrictedPermissions).
  component(
    'payments-web',
    {
      'backstage.io/kubernetes-id': 'payments-web',
      'kube-rollouts.io/strategy': 'service-selector',
      'kube-rollouts.io/target': 'payments-web',
      'kube-rollouts.io/namespace': 'payments',
    },
    'team-payments',
  ),
];

/**
 * A permission mock that allows `rollouts.rollout.read` on every entity except those owned by
 * `deniedOwner`, and denies every other permission (the plugin must ask for no other).
 */
export function restrictedPermissions(
  catalog: Entity[],
  deniedOwner = 'group:default/team-payments',
) {
  return mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(r => {
        if (r.permission.name !== rolloutReadPermission.name) {
          return { result: AuthorizeResult.DENY };
        }
        const ref = (r as { resourceRef?: string }).resourceRef;
        const entity = catalog.find(e => stringifyEntityRef(e) === ref);
        const denied = (entity?.relations ?? []).some(
          rel => rel.type === 'ownedBy' && rel.targetRef === deniedOwner,
        );
        return {
          result: denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
        };
      }),
  });
}

export interface TestRollouts {
  server: any;
  stop(): Promise<void>;
  permissions: ReturnType<typeof restrictedPermissions>;
}

/** The rollouts plugin in a test backend, talking to `emu` (or any cluster config). */
export async function startRollouts(options: {
  clusters: JsonObject[];
  kubeRollouts?: JsonObject;
  catalog?: Entity[];
}): Promise<TestRollouts> {
  const catalog = options.catalog ?? entities;
  const permissions = restrictedPermissions(catalog);
  const backend = await startTestBackend({
    features: [
      rolloutsPlugin,
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              { type: 'config', clusters: options.clusters },
            ],
          },
          ...(options.kubeRollouts
            ? { kubeRollouts: options.kubeRollouts }
            : {}),
        },
      }),
      catalogServiceMock.factory({ entities: catalog }),
      permissions.factory,
    ],
  });
  return {
    server: backend.server,
    stop: () => backend.stop(),
    permissions,
  };
}

/** The cluster entry of `kubernetes.clusterLocatorMethods` for an emulator. */
export function clusterFor(
  emu: Emulator,
  name = 'embedded',
  token = emu.token,
): JsonObject {
  return {
    name,
    url: emu.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: token,
    caData: emu.caData,
  };
}

/**
 * The cluster entries of a test that needs failing clusters: `embedded` (emu with its admin
 * token), `readonly` (emu with its read-only token, enough for the plugin) and `down` (an
 * emulator that was stopped, so its address refuses connections).
 */
export async function embeddedReadonlyAndDown(
  emu: Emulator,
): Promise<JsonObject[]> {
  const down = await startEmulator({ scenario: 'empty' });
  await down.stop();
  return [
    clusterFor(emu, 'embedded'),
    clusterFor(emu, 'readonly', emu.readOnlyToken),
    clusterFor(down, 'down'),
  ];
}

/** A client-node client of the emulator, to read the cluster back independently of the plugin. */
export function kubeClients(emu: Emulator) {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(emu.kubeconfig);
  return {
    core: kc.makeApiClient(k8s.CoreV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    apps: kc.makeApiClient(k8s.AppsV1Api),
  };
}

/** Waits until every Deployment in the namespaces is fully available. */
export async function waitForDeployments(
  emu: Emulator,
  namespaces: string[],
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = namespaces.flatMap(ns =>
      emu.store
        .list({ group: 'apps', resource: 'deployments' }, { namespace: ns })
        .filter(d => {
          const want = Number(d.spec?.replicas ?? 1);
          return want > 0 && Number(d.status?.availableReplicas ?? 0) < want;
        })
        .map(d => `${ns}/${d.metadata.name}`),
    );
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`Deployments not available: ${pending.join(', ')}`);
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

export { startEmulator };
export type { Emulator };
