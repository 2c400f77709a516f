/**
 * Benchmark (figures only, no assertions on time): per strategy, the rollout endpoint against
 * the Backstage Kubernetes plugin's `/api/kubernetes/resources/workloads/query` for the same
 * entity, in the same backend and against the same emulator: p50/p99 latency with 1 and 50
 * concurrent clients, and Kubernetes API calls per request (the emulator's counters).
 *
 * Run: yarn bench (in plugins/rollouts-backend)
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { startEmulator } from '@kube-rollouts/kube-emulator';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'node:http';
import { rolloutsPlugin } from '../src/plugin';

const ENTITIES: {
  name: string;
  strategy: string;
  target: string;
  namespace: string;
}[] = [
  {
    name: 'web-service-selector',
    strategy: 'service-selector',
    target: 'web',
    namespace: 'service-selector',
  },
  {
    name: 'web-gateway-api',
    strategy: 'gateway-api',
    target: 'web',
    namespace: 'gateway-api',
  },
  { name: 'web-istio', strategy: 'istio', target: 'web', namespace: 'istio' },
  {
    name: 'canary-demo',
    strategy: 'canary-delivery',
    target: 'canary-demo',
    namespace: 'flagger-demo',
  },
];

const SEQUENTIAL_REQUESTS = 100;
const CONCURRENT_CLIENTS = 50;
const REQUESTS_PER_CLIENT = 8;
const WARM_UP_REQUESTS = 20;

function entity(e: (typeof ENTITIES)[number]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: e.name,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': e.name,
        'backstage.io/kubernetes-namespace': e.namespace,
        'kube-rollouts.io/strategy': e.strategy,
        'kube-rollouts.io/target': e.target,
        'kube-rollouts.io/namespace': e.namespace,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-rollouts' },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

const agent = new Agent({ keepAlive: true, maxSockets: 200 });

function call(
  port: number,
  method: string,
  path: string,
  body?: object,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const payload = body ? JSON.stringify(body) : undefined;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: payload
          ? {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            }
          : {},
      },
      res => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`${method} ${path} answered ${res.statusCode}`));
          } else {
            resolve(Number(process.hrtime.bigint() - started) / 1e6);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

interface Figures {
  p50: number;
  p99: number;
  callsPerRequest: number;
  /** Requests per second over the whole measurement. */
  throughput: number;
}

async function measure(
  counters: { snapshot(): { total: number }; reset(): void },
  clients: number,
  requestsPerClient: number,
  send: () => Promise<number>,
): Promise<Figures> {
  // Warm-up, the same for both endpoints: connections, client construction and the JIT, so the
  // first strategy measured does not pay for the whole backend's first requests.
  for (let i = 0; i < WARM_UP_REQUESTS; i++) await send();
  counters.reset();
  const times: number[] = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < requestsPerClient; i++) times.push(await send());
    }),
  );
  const elapsedMs = Date.now() - started;
  const calls = counters.snapshot().total;
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    callsPerRequest: calls / times.length,
    throughput: (times.length * 1000) / Math.max(1, elapsedMs),
  };
}

// One space before every figure, so that a wide one (a p99 of 10 s) never runs into the next
const fmt = (n: number) => ` ${n.toFixed(1).padStart(7)}`;

async function main() {
  const emu = await startEmulator({ scenario: 'demo', timeScale: 1 });
  const { default: kubernetesPlugin } = await import(
    '@backstage/plugin-kubernetes-backend'
  );
  const backend = await startTestBackend({
    features: [
      rolloutsPlugin,
      kubernetesPlugin,
      catalogServiceMock.factory({ entities: ENTITIES.map(entity) }),
      mockServices.permissions.factory({ result: 'ALLOW' as any }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'embedded',
                    url: emu.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: emu.token,
                    caData: emu.caData,
                    skipMetricsLookup: true,
                  },
                ],
              },
            ],
          },
        },
      }),
    ],
  });
  const port = (backend.server.address() as AddressInfo).port;
  // Let the emulator's pods become ready so both endpoints see the steady state.
  await new Promise(r => setTimeout(r, 3000));

  console.log(
    `Kube Rollouts bench: ${SEQUENTIAL_REQUESTS} sequential requests, then ${CONCURRENT_CLIENTS} clients x ${REQUESTS_PER_CLIENT}; emulator over HTTPS; times in ms\n`,
  );
  console.log(
    'strategy          clients | rollout   p50      p99    calls    req/s | k8s-plugin   p50      p99    calls    req/s | ratio p50    p99  calls  req/s',
  );
  const ratio = (x: number, y: number) => (x / y).toFixed(2).padStart(7);
  for (const e of ENTITIES) {
    const rollout = () =>
      call(
        port,
        'GET',
        `/api/rollouts/entities/component/default/${e.name}/rollout`,
      );
    const reference = () =>
      call(port, 'POST', '/api/kubernetes/resources/workloads/query', {
        entityRef: `component:default/${e.name}`,
        auth: {},
      });
    for (const [clients, perClient] of [
      [1, SEQUENTIAL_REQUESTS],
      [CONCURRENT_CLIENTS, REQUESTS_PER_CLIENT],
    ]) {
      const ours = await measure(emu.counters, clients, perClient, rollout);
      const theirs = await measure(emu.counters, clients, perClient, reference);
      const row = (f: Figures) =>
        `${fmt(f.p50)}${fmt(f.p99)}${fmt(f.callsPerRequest)}${fmt(
          f.throughput,
        )}`;
      console.log(
        [
          `${e.strategy.padEnd(17)} ${String(clients).padStart(7)} | `,
          row(ours),
          ' |       ',
          row(theirs),
          ' |   ',
          ratio(ours.p50, theirs.p50),
          ratio(ours.p99, theirs.p99),
          ratio(ours.callsPerRequest, theirs.callsPerRequest),
          ratio(ours.throughput, theirs.throughput),
        ].join(''),
      );
    }
  }
  console.log(
    '\nratio = rollout endpoint / Kubernetes plugin workloads query; p50, p99 and calls below 1 and req/s above 1 favour the rollout endpoint',
  );
  await backend.stop();
  await emu.stop();
  agent.destroy();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
