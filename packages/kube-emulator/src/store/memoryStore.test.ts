import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from './errors';
import { createMemoryStore } from './memoryStore';
import type { KubeObject, StoreEvent } from './types';

const deployments = { group: 'apps', resource: 'deployments' };
const replicasets = { group: 'apps', resource: 'replicasets' };
const events = { group: 'asm.alauda.io', resource: 'canaryevents' };

function deployment(
  name: string,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name }, ...extra },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'img:1' }] },
      },
    },
  };
}

const statusCode = (code: number) => (err: unknown) =>
  err instanceof StatusError && err.code === code;

describe('memory store', () => {
  it('creates with identity, defaults and generation 1; rejects duplicates and missing namespaces', () => {
    const store = createMemoryStore();
    const created = store.create(deployments, deployment('web'));
    assert.match(created.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.match(
      created.metadata.creationTimestamp!,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    assert.equal(created.metadata.generation, 1);
    assert.equal(created.spec.replicas, 1);
    assert.equal(created.spec.strategy.rollingUpdate.maxSurge, '25%');
    assert.throws(
      () => store.create(deployments, deployment('web')),
      statusCode(409),
    );
    assert.throws(
      () =>
        store.create(deployments, {
          ...deployment('x'),
          metadata: { name: 'x', namespace: 'nope' },
        }),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 404 &&
        err.message === 'namespaces "nope" not found',
    );
    const generated = store.create(deployments, {
      ...deployment('g'),
      metadata: {
        name: '',
        generateName: 'web-',
        namespace: 'default',
        labels: { app: 'g' },
      },
    });
    assert.match(generated.metadata.name, /^web-[a-z0-9]{5}$/);
  });

  it('updates with optimistic concurrency, bumps generation on spec change only, skips no-op writes', () => {
    const store = createMemoryStore();
    const v1 = store.create(deployments, deployment('web'));
    const seen: StoreEvent[] = [];
    store.subscribe(e => seen.push(e));
    const v2 = store.update(deployments, {
      ...v1,
      spec: { ...v1.spec, replicas: 3 },
    });
    assert.equal(v2.metadata.generation, 2);
    assert.ok(
      Number(v2.metadata.resourceVersion) > Number(v1.metadata.resourceVersion),
    );
    assert.throws(
      () => store.update(deployments, v1),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 409 &&
        /the object has been modified/.test(err.message),
    );
    const v3 = store.update(deployments, {
      ...v2,
      metadata: { ...v2.metadata, labels: { app: 'web', extra: 'x' } },
    });
    assert.equal(v3.metadata.generation, 2, 'labels are not spec');
    const same = store.update(deployments, v3);
    assert.equal(
      same.metadata.resourceVersion,
      v3.metadata.resourceVersion,
      'no-op update keeps the resourceVersion',
    );
    assert.deepEqual(
      seen.map(e => e.type),
      ['MODIFIED', 'MODIFIED'],
    );
    const withStatus = store.updateStatus(deployments, {
      ...v3,
      status: { replicas: 3 },
    });
    assert.deepEqual(withStatus.status, { replicas: 3 });
    assert.equal(withStatus.metadata.generation, 2);
    const ignored = store.update(deployments, {
      ...withStatus,
      status: { replicas: 99 },
    });
    assert.deepEqual(
      ignored.status,
      { replicas: 3 },
      'update does not write status of a resource with a status subresource',
    );
  });

  it('modify retries and writes spec and status', () => {
    const store = createMemoryStore();
    store.create(deployments, deployment('web'));
    const out = store.modify(deployments, 'default', 'web', o => {
      o.spec.replicas = 2;
      o.status = { replicas: 2 };
    });
    assert.equal(out?.spec.replicas, 2);
    assert.deepEqual(out?.status, { replicas: 2 });
    assert.equal(
      store.modify(deployments, 'default', 'missing', () => {}),
      undefined,
    );
  });

  it('garbage-collects dependents; orphan strips ownerReferences; finalizers delay deletion', () => {
    const store = createMemoryStore();
    const owner = store.create(deployments, deployment('web'));
    const ref = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: owner.metadata.uid!,
        controller: true,
      },
    ];
    const rs = (name: string) => ({
      ...deployment(name),
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: 'default',
        labels: { app: name },
        ownerReferences: ref,
      },
    });
    store.create(replicasets, rs('web-1'));
    store.create(replicasets, rs('web-2'));
    store.delete(deployments, 'default', 'web');
    assert.equal(store.list(replicasets).length, 0);

    const owner2 = store.create(deployments, deployment('api'));
    store.create(replicasets, {
      ...rs('api-1'),
      metadata: {
        name: 'api-1',
        namespace: 'default',
        ownerReferences: [
          { ...ref[0], name: 'api', uid: owner2.metadata.uid! },
        ],
      },
    });
    store.delete(deployments, 'default', 'api', {
      propagationPolicy: 'Orphan',
    });
    assert.equal(
      store.get(replicasets, 'default', 'api-1')?.metadata.ownerReferences,
      undefined,
    );

    store.create(
      deployments,
      deployment('fin', { finalizers: ['example.com/keep'] } as any),
    );
    const marked = store.delete(deployments, 'default', 'fin');
    assert.ok(marked?.metadata.deletionTimestamp);
    assert.ok(store.get(deployments, 'default', 'fin'));
    const current = store.get(deployments, 'default', 'fin')!;
    store.update(deployments, {
      ...current,
      metadata: { ...current.metadata, finalizers: [] } as any,
    });
    assert.equal(store.get(deployments, 'default', 'fin'), undefined);
  });

  it('deleting a namespace deletes its content', () => {
    const store = createMemoryStore();
    store.create(
      { group: '', resource: 'namespaces' },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
    );
    store.create(deployments, {
      ...deployment('web'),
      metadata: { name: 'web', namespace: 'team' },
    });
    store.delete({ group: '', resource: 'namespaces' }, undefined, 'team');
    assert.equal(store.list(deployments, { namespace: 'team' }).length, 0);
    assert.equal(
      store.get({ group: '', resource: 'namespaces' }, undefined, 'team'),
      undefined,
    );
  });

  it('lists by namespace and label selector, sorted, with limit/continue', () => {
    const store = createMemoryStore();
    for (let i = 0; i < 25; i++) {
      store.create(events, {
        apiVersion: 'asm.alauda.io/v1alpha1',
        kind: 'CanaryEvent',
        metadata: {
          name: `ev-${String(i).padStart(2, '0')}`,
          namespace: 'default',
          labels: { run: i % 2 ? 'odd' : 'even' },
        },
        spec: {},
      });
    }
    assert.equal(store.list(events, { labelSelector: 'run=odd' }).length, 12);
    assert.equal(store.list(events, { namespace: 'kube-system' }).length, 0);
    const first = store.listPage(events, { limit: 10 });
    assert.equal(first.items.length, 10);
    assert.equal(first.remainingItemCount, 15);
    const second = store.listPage(events, {
      limit: 10,
      continue: first.continue,
    });
    assert.equal(second.items[0].object.metadata.name, 'ev-10');
    const third = store.listPage(events, {
      limit: 10,
      continue: second.continue,
    });
    assert.equal(third.items.length, 5);
    assert.equal(third.continue, undefined);
    assert.throws(
      () => store.listPage(events, { labelSelector: 'run in (' }),
      statusCode(400),
    );
    assert.throws(
      () => store.listPage(events, { fieldSelector: 'spec.phase=x' }),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 400 &&
        err.message === 'field label not supported: spec.phase',
    );
    assert.equal(
      store.listPage(events, { fieldSelector: 'metadata.name=ev-03' }).items
        .length,
      1,
    );
  });

  it('keeps a change history for watches and answers 410 once compacted', () => {
    const store = createMemoryStore({ historySize: 5 });
    const start = Number(store.resourceVersion());
    for (let i = 0; i < 3; i++) store.create(deployments, deployment(`d${i}`));
    assert.deepEqual(
      store
        .changesSince(deployments, start)
        .map(e => e.entry.object.metadata.name),
      ['d0', 'd1', 'd2'],
    );
    for (let i = 3; i < 10; i++) store.create(deployments, deployment(`d${i}`));
    assert.throws(
      () => store.changesSince(deployments, start),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 410 &&
        err.status.reason === 'Expired',
    );
  });

  it('validates built-in kinds and custom resources against their schema', () => {
    const store = createMemoryStore();
    const bad = deployment('web');
    bad.spec.template.metadata.labels = { app: 'other' };
    assert.throws(
      () => store.create(deployments, bad),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 422 &&
        /selector` does not match template `labels`/.test(err.message),
    );
    assert.throws(
      () =>
        store.create(
          { group: 'asm.alauda.io', resource: 'canarydeliveries' },
          {
            apiVersion: 'asm.alauda.io/v1alpha1',
            kind: 'CanaryDelivery',
            metadata: { name: 'cd', namespace: 'default' },
            spec: { targetRef: { name: 'web' }, analysis: { maxWeight: 500 } },
          },
        ),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 422 &&
        err.message.includes('spec.analysis.maxWeight') &&
        err.status.details?.causes?.[0].field === 'spec.analysis.maxWeight',
    );
  });

  it('registers CRDs created at runtime and drops their objects when the CRD goes', () => {
    const store = createMemoryStore();
    const crds = {
      group: 'apiextensions.k8s.io',
      resource: 'customresourcedefinitions',
    };
    store.create(crds, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', kind: 'Widget' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: { size: { type: 'integer' } },
                  },
                },
              },
            },
          },
        ],
      },
    });
    const widgets = { group: 'example.com', resource: 'widgets' };
    const w = store.create(widgets, {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'a', namespace: 'default' },
      spec: { size: 1, unknown: true },
    });
    assert.deepEqual(w.spec, { size: 1 }, 'unknown fields are pruned');
    assert.equal(
      store.get(crds, undefined, 'widgets.example.com')?.status.conditions[1]
        .type,
      'Established',
    );
    store.delete(crds, undefined, 'widgets.example.com');
    assert.throws(() => store.list(widgets), statusCode(404));
  });
});
