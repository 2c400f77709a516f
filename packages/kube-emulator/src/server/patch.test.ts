import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../store/errors';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
} from './patch';

const deployment = () => ({
  metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a'] },
  spec: {
    replicas: 1,
    strategy: {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    },
    template: {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          {
            name: 'sidecar',
            image: 'proxy:1',
            volumeMounts: [{ name: 'v', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
        tolerations: [{ key: 'x' }],
      },
    },
  },
});

describe('JSON merge patch (RFC 7386)', () => {
  const cases: [string, unknown, unknown, unknown][] = [
    [
      'adds and replaces keys',
      { a: 1, b: { c: 2 } },
      { b: { d: 3 }, e: 4 },
      { a: 1, b: { c: 2, d: 3 }, e: 4 },
    ],
    ['null deletes', { a: 1, b: 2 }, { a: null }, { b: 2 }],
    ['arrays replace', { a: [1, 2, 3] }, { a: [4] }, { a: [4] }],
    ['non-object patch replaces', { a: 1 }, 'x', 'x'],
    [
      'nested null on missing key is a no-op',
      { a: {} },
      { a: { b: null } },
      { a: {} },
    ],
  ];
  for (const [name, target, patch, expected] of cases) {
    it(name, () => assert.deepEqual(applyMergePatch(target, patch), expected));
  }
});

describe('JSON patch (RFC 6902)', () => {
  const doc = () => ({
    spec: { replicas: 1, hosts: ['a', 'b'] },
    metadata: { labels: { 'app.kubernetes.io/name': 'x' } },
  });
  const cases: [string, unknown[], unknown][] = [
    [
      'replace',
      [{ op: 'replace', path: '/spec/replicas', value: 3 }],
      { spec: { replicas: 3, hosts: ['a', 'b'] }, metadata: doc().metadata },
    ],
    [
      'add to array end',
      [{ op: 'add', path: '/spec/hosts/-', value: 'c' }],
      {
        spec: { replicas: 1, hosts: ['a', 'b', 'c'] },
        metadata: doc().metadata,
      },
    ],
    [
      'add at index',
      [{ op: 'add', path: '/spec/hosts/0', value: 'z' }],
      {
        spec: { replicas: 1, hosts: ['z', 'a', 'b'] },
        metadata: doc().metadata,
      },
    ],
    [
      'remove',
      [{ op: 'remove', path: '/spec/hosts/1' }],
      { spec: { replicas: 1, hosts: ['a'] }, metadata: doc().metadata },
    ],
    [
      'escaped pointer',
      [{ op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' }],
      { spec: doc().spec, metadata: { labels: {} } },
    ],
    [
      'move',
      [{ op: 'move', from: '/spec/replicas', path: '/spec/count' }],
      { spec: { hosts: ['a', 'b'], count: 1 }, metadata: doc().metadata },
    ],
    [
      'copy',
      [{ op: 'copy', from: '/spec/replicas', path: '/spec/count' }],
      {
        spec: { replicas: 1, hosts: ['a', 'b'], count: 1 },
        metadata: doc().metadata,
      },
    ],
    [
      'test passes then replace',
      [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 2 },
      ],
      { spec: { replicas: 2, hosts: ['a', 'b'] }, metadata: doc().metadata },
    ],
  ];
  for (const [name, patch, expected] of cases) {
    it(name, () => assert.deepEqual(applyJsonPatch(doc(), patch), expected));
  }

  it('a failing test op is a 422 and changes nothing', () => {
    const original = doc();
    assert.throws(
      () =>
        applyJsonPatch(original, [
          { op: 'replace', path: '/spec/replicas', value: 5 },
          { op: 'test', path: '/spec/replicas', value: 1 },
        ]),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 422 &&
        /testing value \/spec\/replicas failed/.test(
          JSON.stringify(err.status),
        ),
    );
    assert.equal(original.spec.replicas, 1);
  });

  it('a JSON object instead of an operation list is a 400 BadRequest', () => {
    assert.throws(
      () => applyJsonPatch(doc(), { spec: { replicas: 2 } }),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 400 &&
        err.status.reason === 'BadRequest' &&
        /cannot unmarshal object/.test(err.message),
    );
  });

  it('a missing path is a 422', () => {
    assert.throws(
      () =>
        applyJsonPatch(doc(), [
          { op: 'replace', path: '/spec/nope/x', value: 1 },
        ]),
      (err: unknown) => err instanceof StatusError && err.code === 422,
    );
    assert.throws(
      () => applyJsonPatch(doc(), [{ op: 'remove', path: '/spec/hosts/9' }]),
      (err: unknown) => err instanceof StatusError && err.code === 422,
    );
  });
});

describe('strategic merge patch', () => {
  it('merges containers by name (kubectl set image body)', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'web', image: 'web:2' }],
              '$setElementOrder/containers': [
                { name: 'web' },
                { name: 'sidecar' },
              ],
            },
          },
        },
      },
      'apps/deployments',
    );
    const containers = out.spec.template.spec.containers;
    assert.deepEqual(
      containers.map((c: any) => [c.name, c.image]),
      [
        ['web', 'web:2'],
        ['sidecar', 'proxy:1'],
      ],
    );
    assert.deepEqual(
      containers[0].ports,
      [{ containerPort: 80, protocol: 'TCP' }],
      'fields not in the patch are kept',
    );
  });

  it('merges container ports by containerPort and env by name', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'web',
                  ports: [{ containerPort: 8080 }],
                  env: [
                    { name: 'B', value: '3' },
                    { name: 'C', value: '4' },
                  ],
                },
              ],
            },
          },
        },
      },
      'apps/deployments',
    );
    const web = out.spec.template.spec.containers[0];
    assert.deepEqual(web.ports, [
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 8080 },
    ]);
    assert.deepEqual(web.env, [
      { name: 'A', value: '1' },
      { name: 'B', value: '3' },
      { name: 'C', value: '4' },
    ]);
  });

  it('merges service ports by port and keeps selector keys (kubectl patch service)', () => {
    const svc = {
      spec: {
        selector: { app: 'web', version: 'blue' },
        ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }],
      },
    };
    const out = applyStrategicMergePatch(
      svc,
      {
        spec: {
          selector: { version: 'green' },
          ports: [{ port: 80, targetPort: 8080 }, { port: 443 }],
        },
      },
      '/services',
    );
    assert.deepEqual(out.spec.selector, { app: 'web', version: 'green' });
    assert.deepEqual(out.spec.ports, [
      { port: 80, targetPort: 8080, protocol: 'TCP' },
      { port: 443 },
    ]);
  });

  it('$patch: delete removes a list element; null removes a key', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          replicas: null,
          template: {
            spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] },
          },
        },
      },
      'apps/deployments',
    );
    assert.equal(out.spec.replicas, undefined);
    assert.deepEqual(
      out.spec.template.spec.containers.map((c: any) => c.name),
      ['web'],
    );
  });

  it('$patch: replace replaces a list or a map', () => {
    const list = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }],
            },
          },
        },
      },
      'apps/deployments',
    );
    assert.deepEqual(list.spec.template.spec.containers, [
      { name: 'only', image: 'x' },
    ]);
    const map = applyStrategicMergePatch(
      deployment(),
      { spec: { strategy: { $patch: 'replace', type: 'Recreate' } } },
      'apps/deployments',
    );
    assert.deepEqual(map.spec.strategy, { type: 'Recreate' });
  });

  it('$retainKeys drops keys not listed', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      'apps/deployments',
    );
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  });

  it('lists without a merge key are replaced; volumes and mounts merge by key', () => {
    const out = applyStrategicMergePatch(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              tolerations: [{ key: 'y' }],
              volumes: [{ name: 'w', emptyDir: {} }],
              containers: [
                {
                  name: 'sidecar',
                  volumeMounts: [{ name: 'w', mountPath: '/w' }],
                },
              ],
            },
          },
        },
      },
      'apps/deployments',
    );
    const spec = out.spec.template.spec;
    assert.deepEqual(spec.tolerations, [{ key: 'y' }]);
    assert.deepEqual(
      spec.volumes.map((v: any) => v.name),
      ['v', 'w'],
    );
    assert.deepEqual(
      spec.containers[1].volumeMounts.map((m: any) => m.mountPath),
      ['/data', '/w'],
    );
  });

  it('finalizers merge as a set; $deleteFromPrimitiveList removes', () => {
    const added = applyStrategicMergePatch(
      deployment(),
      { metadata: { finalizers: ['a', 'b'] } },
      'apps/deployments',
    );
    assert.deepEqual(added.metadata.finalizers, ['a', 'b']);
    const removed = applyStrategicMergePatch(
      added,
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      'apps/deployments',
    );
    assert.deepEqual(removed.metadata.finalizers, ['b']);
  });
});
