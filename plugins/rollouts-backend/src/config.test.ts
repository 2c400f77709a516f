import { ConfigReader } from '@backstage/config';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { readRolloutsConfig } from './config';
import { ConfiguredKubeClientProvider } from './kubernetes';
import { readRolloutTarget } from './service/entityTarget';
import { rolloutsPlugin } from './plugin';

const embedded = {
  name: 'embedded',
  url: 'https://127.0.0.1:6443',
  authProvider: 'serviceAccount',
  serviceAccountToken: 'token',
  skipTLSVerify: true,
};

function read(
  clusters: object[],
  kubeRollouts?: object,
  extraMethods: object[] = [],
) {
  return readRolloutsConfig(
    new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [{ type: 'config', clusters }, ...extraMethods],
      },
      ...(kubeRollouts ? { kubeRollouts } : {}),
    }),
  );
}

describe('readRolloutsConfig', () => {
  it('reads the embedded cluster as the integrator configures it, with defaults', () => {
    expect(read([embedded])).toEqual({
      clusters: [
        {
          name: 'embedded',
          url: 'https://127.0.0.1:6443',
          auth: { type: 'serviceAccount', token: 'token' },
          skipTLSVerify: true,
          caData: undefined,
          caFile: undefined,
        },
      ],
      unsupportedLocatorTypes: [],
      requestTimeoutMs: 5000,
      rollbackLabel: { key: 'action', value: 'rollback' },
    });
  });

  it('uses the in-cluster service account without a token, and reads authMetadata', () => {
    const [cluster] = read([
      {
        name: 'in',
        url: 'https://kubernetes.default.svc',
        authMetadata: { 'kubernetes.io/auth-provider': 'serviceAccount' },
      },
    ]).clusters;
    expect(cluster.auth).toEqual({
      type: 'inCluster',
      tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    });
  });

  it('keeps unsupported auth providers and locator types with a reason', () => {
    const config = read(
      [{ name: 'gke', url: 'https://gke.example.com', authProvider: 'google' }],
      undefined,
      [{ type: 'catalog' }],
    );
    expect(config.unsupportedLocatorTypes).toEqual(['catalog']);
    expect(config.clusters[0].auth).toBeUndefined();
    expect(config.clusters[0].unsupportedReason).toMatch(
      /authProvider 'google'/,
    );
  });

  it('an entity naming a cluster that only another locator type could provide is told so', () => {
    const clusters = new ConfiguredKubeClientProvider(
      read([embedded], undefined, [{ type: 'catalog' }]),
    );
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'web',
        annotations: {
          'kube-rollouts.io/strategy': 'istio',
          'kube-rollouts.io/cluster': 'prod',
        },
      },
    };
    expect(() => readRolloutTarget(entity, clusters)).toThrow(
      "annotation kube-rollouts.io/cluster has value 'prod' — cluster 'prod' is not configured — expected one of: embedded (clusterLocatorMethods of type catalog are not supported by Kube Rollouts yet; only type: config)",
    );
  });

  it.each([
    [
      [embedded, embedded],
      undefined,
      "Invalid configuration at kubernetes.clusterLocatorMethods[0].clusters[1].name: duplicate cluster name 'embedded'",
    ],
    [
      [{ ...embedded, url: 'not a url' }],
      undefined,
      "Invalid configuration at kubernetes.clusterLocatorMethods[0].clusters[0].url: 'not a url' is not a URL",
    ],
    [
      [{ ...embedded, url: 'ftp://x' }],
      undefined,
      "Invalid configuration at kubernetes.clusterLocatorMethods[0].clusters[0].url: 'ftp://x' — expected an http or https URL",
    ],
    [
      [{ name: 'x', url: 'https://x' }],
      undefined,
      "Invalid configuration at kubernetes.clusterLocatorMethods[0].clusters[0].authProvider: cluster 'x' has no authProvider (nor authMetadata['kubernetes.io/auth-provider']) — expected e.g. serviceAccount",
    ],
    [
      [embedded],
      { requestTimeoutMs: 0 },
      'Invalid configuration at kubeRollouts.requestTimeoutMs: 0 — expected a whole number of milliseconds between 1 and 120000',
    ],
    [
      [embedded],
      { clusters: [{ name: 'prod' }] },
      "Invalid configuration at kubeRollouts.clusters[0].name: cluster 'prod' is not configured in kubernetes.clusterLocatorMethods (type: config) — expected one of: embedded",
    ],
    [
      [embedded],
      { clusters: [{ name: 'embedded', allowedNamespaces: ['ok', 'Not_OK'] }] },
      "Invalid configuration at kubeRollouts.clusters[0].allowedNamespaces[1]: 'Not_OK' is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters)",
    ],
    [
      [embedded],
      { requestTimeOutMs: 1000 },
      'Invalid configuration at kubeRollouts.requestTimeOutMs: unknown setting — expected one of: requestTimeoutMs, clusters, canaryDelivery',
    ],
    [
      [embedded],
      { canaryDelivery: { rollbackLabel: 'rollback' } },
      "Invalid configuration at kubeRollouts.canaryDelivery.rollbackLabel: 'rollback' is not a label as key=value (a Kubernetes label key and a non-empty label value), e.g. action=rollback",
    ],
    [
      [embedded],
      { canaryDelivery: { rollbackLabel: 'action=roll back' } },
      "Invalid configuration at kubeRollouts.canaryDelivery.rollbackLabel: 'action=roll back' is not a label as key=value (a Kubernetes label key and a non-empty label value), e.g. action=rollback",
    ],
    [
      [embedded],
      { clusters: [{ name: 'embedded', namespaces: ['web'] }] },
      'Invalid configuration at kubeRollouts.clusters[0].namespaces: unknown setting — expected one of: name, allowedNamespaces',
    ],
  ])(
    'rejects invalid configuration naming the key (%#)',
    (clusters, kubeRollouts, message) => {
      expect(() => read(clusters, kubeRollouts)).toThrow(message);
    },
  );

  it('reads no kubeRollouts section, and no cluster', () => {
    expect(readRolloutsConfig(new ConfigReader({}))).toEqual({
      clusters: [],
      unsupportedLocatorTypes: [],
      requestTimeoutMs: 5000,
      rollbackLabel: { key: 'action', value: 'rollback' },
    });
    expect(read([], { requestTimeoutMs: 800 }).requestTimeoutMs).toBe(800);
  });

  it('refuses the settings of the write actions, which this version does not have', () => {
    expect(() =>
      read([embedded], { canaryDelivery: { promoteLabel: 'action=go' } }),
    ).toThrow(
      'Invalid configuration at kubeRollouts.canaryDelivery.promoteLabel: unknown setting — expected one of: rollbackLabel',
    );
  });

  it('reads the rollback label of canary-delivery', () => {
    expect(
      read([embedded], {
        canaryDelivery: { rollbackLabel: 'asm.example.com/action=undo' },
      }).rollbackLabel,
    ).toEqual({ key: 'asm.example.com/action', value: 'undo' });
  });

  it('fails the plugin start-up on invalid configuration', async () => {
    await expect(
      startTestBackend({
        features: [
          rolloutsPlugin,
          catalogServiceMock.factory(),
          mockServices.rootConfig.factory({
            data: {
              kubernetes: {
                clusterLocatorMethods: [
                  { type: 'config', clusters: [embedded] },
                ],
              },
              kubeRollouts: { requestTimeoutMs: -5 },
            },
          }),
        ],
      }),
    ).rejects.toThrow(/kubeRollouts\.requestTimeoutMs/);
  });
});
