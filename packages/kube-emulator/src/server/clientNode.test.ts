import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import type { Emulator } from '../index';
import { rawRequest, startTestEmulator } from './testSupport';

function deployment(name: string, image = 'web:1') {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }],
        },
      },
    },
  };
}

/** Runs `fn` expecting an ApiException; returns its code and parsed Status body. */
async function apiError(
  fn: () => Promise<unknown>,
): Promise<{ code: number; status: any }> {
  let threw = false;
  let error: unknown;
  try {
    await fn();
  } catch (err) {
    threw = true;
    error = err;
  }
  if (!threw) assert.fail('expected an ApiException');
  if (!(error instanceof k8s.ApiException)) throw error;
  return {
    code: error.code,
    status:
      typeof error.body === 'string' ? JSON.parse(error.body) : error.body,
  };
}

describe('@kubernetes/client-node 1.4.0 against the emulator', () => {
  let emu: Emulator;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let custom: k8s.CustomObjectsApi;

  before(async () => {
    emu = await startTestEmulator();
    kc = new k8s.KubeConfig();
    kc.loadFromString(emu.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
  });
  after(() => emu.stop());

  it('loads the kubeconfig (CA data + token) and lists namespaces over HTTPS', async () => {
    const list = await core.listNamespace();
    assert.deepEqual(
      list.items.map(n => n.metadata?.name),
      ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
    );
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
  });

  it('creates, reads, replaces and deletes a Deployment; 409 on a stale resourceVersion', async () => {
    const created = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('crud'),
    });
    assert.equal(created.metadata?.generation, 1);
    const read = await apps.readNamespacedDeployment({
      name: 'crud',
      namespace: 'default',
    });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    read.spec!.replicas = 3;
    const replaced = await apps.replaceNamespacedDeployment({
      name: 'crud',
      namespace: 'default',
      body: read,
    });
    assert.equal(replaced.spec?.replicas, 3);
    assert.equal(replaced.metadata?.generation, 2);
    assert.equal(
      replaced.metadata?.creationTimestamp?.getTime(),
      created.metadata?.creationTimestamp?.getTime(),
    );
    const stale = await apiError(() =>
      apps.replaceNamespacedDeployment({
        name: 'crud',
        namespace: 'default',
        body: read,
      }),
    );
    assert.equal(stale.code, 409);
    assert.equal(stale.status.reason, 'Conflict');
    assert.equal(
      stale.status.message,
      'Operation cannot be fulfilled on deployments.apps "crud": the object has been modified; please apply your changes to the latest version and try again',
    );
    const status = await apps.deleteNamespacedDeployment({
      name: 'crud',
      namespace: 'default',
    });
    assert.equal(status.status, 'Success');
    const missing = await apiError(() =>
      apps.readNamespacedDeployment({ name: 'crud', namespace: 'default' }),
    );
    assert.equal(missing.code, 404);
    assert.equal(missing.status.message, 'deployments.apps "crud" not found');
    const dup = await apiError(async () => {
      await core.createNamespacedService({
        namespace: 'default',
        body: { metadata: { name: 'dup' }, spec: { ports: [{ port: 80 }] } },
      });
      await core.createNamespacedService({
        namespace: 'default',
        body: { metadata: { name: 'dup' }, spec: { ports: [{ port: 80 }] } },
      });
    });
    assert.equal(dup.code, 409);
    assert.equal(dup.status.reason, 'AlreadyExists');
    const deletedService = await core.deleteNamespacedService({
      name: 'dup',
      namespace: 'default',
    });
    assert.equal(
      deletedService.kind,
      'Service',
      'services return the deleted object, as a real server',
    );
  });

  it('applies every patch type chosen with setHeaderOptions', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deployment('patchme'),
    });
    const merge = await apps.patchNamespacedDeployment(
      {
        name: 'patchme',
        namespace: 'default',
        body: { metadata: { labels: { tier: 'frontend' } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.equal(merge.metadata?.labels?.tier, 'frontend');
    const smp = await apps.patchNamespacedDeployment(
      {
        name: 'patchme',
        namespace: 'default',
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: 'web', image: 'web:2' }] },
            },
          },
        },
      },
      k8s.setHeaderOptions(
        'Content-Type',
        k8s.PatchStrategy.StrategicMergePatch,
      ),
    );
    assert.equal(smp.spec?.template.spec?.containers[0].image, 'web:2');
    assert.equal(
      smp.spec?.template.spec?.containers[0].ports?.[0].containerPort,
      80,
      'strategic merge keeps the container fields',
    );
    const json = await apps.patchNamespacedDeployment(
      {
        name: 'patchme',
        namespace: 'default',
        body: [
          { op: 'test', path: '/spec/replicas', value: 1 },
          { op: 'replace', path: '/spec/replicas', value: 4 },
        ],
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    assert.equal(json.spec?.replicas, 4);
    const failedTest = await apiError(() =>
      apps.patchNamespacedDeployment(
        {
          name: 'patchme',
          namespace: 'default',
          body: [{ op: 'test', path: '/spec/replicas', value: 1 }],
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      ),
    );
    assert.equal(failedTest.code, 422);
    // client-node's default patch type is json-patch: a merge-style object body must be refused.
    const objectAsJsonPatch = await apiError(() =>
      apps.patchNamespacedDeployment({
        name: 'patchme',
        namespace: 'default',
        body: { spec: { replicas: 2 } },
      }),
    );
    assert.equal(objectAsJsonPatch.code, 400);
    assert.equal(objectAsJsonPatch.status.reason, 'BadRequest');
    const applied = await apps.patchNamespacedDeployment(
      {
        name: 'ssa',
        namespace: 'default',
        fieldManager: 'tests',
        body: deployment('ssa'),
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
    assert.equal(applied.metadata?.name, 'ssa');
    assert.equal(applied.metadata?.managedFields?.[0].manager, 'tests');
    assert.equal(applied.metadata?.managedFields?.[0].operation, 'Apply');
    const reapplied = await apps.patchNamespacedDeployment(
      {
        name: 'ssa',
        namespace: 'default',
        fieldManager: 'tests',
        body: {
          ...deployment('ssa'),
          spec: { ...deployment('ssa').spec, replicas: 5 },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
    assert.equal(reapplied.spec?.replicas, 5);
    const conflict = await apiError(() =>
      apps.patchNamespacedDeployment(
        {
          name: 'ssa',
          namespace: 'default',
          fieldManager: 'other',
          body: {
            ...deployment('ssa'),
            spec: { ...deployment('ssa').spec, replicas: 2 },
          },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
      ),
    );
    assert.equal(conflict.code, 409);
    // kube-apiserver names an applier without an apiVersion ("using" is for Update managers).
    assert.equal(
      conflict.status.message,
      'Apply failed with 1 conflict: conflict with "tests": .spec.replicas',
    );
  });

  it('handles custom resources: create, list by label, merge patch; 415 for strategic merge', async () => {
    const group = 'asm.alauda.io';
    const version = 'v1alpha1';
    for (const [name, run] of [
      ['ev1', 'a'],
      ['ev2', 'b'],
      ['ev3', 'a'],
    ]) {
      await custom.createNamespacedCustomObject({
        group,
        version,
        namespace: 'default',
        plural: 'canaryevents',
        body: {
          apiVersion: `${group}/${version}`,
          kind: 'CanaryEvent',
          metadata: { name, labels: { 'asm.cpaas.io/msname': run } },
          spec: { phase: 'Progressing' },
        },
      });
    }
    const list = await custom.listNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural: 'canaryevents',
      labelSelector: 'asm.cpaas.io/msname in (a)',
    });
    assert.deepEqual(
      list.items.map((i: any) => i.metadata.name),
      ['ev1', 'ev3'],
    );
    const patched = await custom.patchNamespacedCustomObject(
      {
        group,
        version,
        namespace: 'default',
        plural: 'canaryevents',
        name: 'ev1',
        body: { metadata: { labels: { action: 'rollback' } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.equal(patched.metadata.labels.action, 'rollback');
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const smp = await apiError(() =>
      objects.patch({
        apiVersion: `${group}/${version}`,
        kind: 'CanaryEvent',
        metadata: { name: 'ev1', namespace: 'default', labels: { x: 'y' } },
      }),
    );
    assert.equal(smp.code, 415);
    assert.equal(smp.status.reason, 'UnsupportedMediaType');
    const noRv = await apiError(() =>
      custom.replaceNamespacedCustomObject({
        group,
        version,
        namespace: 'default',
        plural: 'canaryevents',
        name: 'ev2',
        body: {
          apiVersion: `${group}/${version}`,
          kind: 'CanaryEvent',
          metadata: { name: 'ev2' },
          spec: {},
        },
      }),
    );
    assert.equal(noRv.code, 422);
    assert.match(
      noRv.status.message,
      /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/,
    );
    const invalid = await apiError(() =>
      custom.createNamespacedCustomObject({
        group,
        version,
        namespace: 'default',
        plural: 'canarydeliveries',
        body: {
          apiVersion: `${group}/${version}`,
          kind: 'CanaryDelivery',
          metadata: { name: 'bad' },
          spec: { targetRef: { name: 'x' }, analysis: { stepWeight: 'five' } },
        },
      }),
    );
    assert.equal(invalid.code, 422);
    assert.equal(
      invalid.status.details.causes[0].field,
      'spec.analysis.stepWeight',
    );
  });

  it('watches with ordered ADDED/MODIFIED/DELETED, resumes from a resourceVersion, and reports 410 for a compacted one', async () => {
    const watch = new k8s.Watch(kc);
    const seen: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>(r => (done = r));
    const controller = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { labelSelector: 'w=1' },
      (type, obj) => {
        seen.push(`${type} ${obj.metadata.name} ${obj.data?.v ?? ''}`);
        if (type === 'DELETED') done();
      },
      () => {},
    );
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cm', labels: { w: '1' } }, data: { v: '1' } },
    });
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'other' }, data: { v: '1' } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'cm', namespace: 'default', body: { data: { v: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'cm', namespace: 'default' });
    await finished;
    controller.abort();
    assert.deepEqual(seen, ['ADDED cm 1', 'MODIFIED cm 2', 'DELETED cm 2']);

    // Resume after the ADDED: only the later changes are replayed.
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'late' }, data: { v: 'x' } },
    });
    const replayed: string[] = [];
    const controller2 = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: list.metadata!.resourceVersion },
      (type, obj) => replayed.push(`${type} ${obj.metadata.name}`),
      () => {},
    );
    await new Promise(r => setTimeout(r, 100));
    controller2.abort();
    assert.deepEqual(replayed, ['ADDED late']);

    emu.store.compact();
    const errors: any[] = [];
    await new Promise<void>(resolve => {
      void watch.watch(
        '/api/v1/namespaces/default/configmaps',
        { resourceVersion: list.metadata!.resourceVersion },
        (type, obj) => errors.push({ type, obj }),
        () => resolve(),
      );
    });
    assert.equal(errors[0].type, 'ERROR');
    assert.equal(errors[0].obj.code, 410);
    assert.equal(errors[0].obj.reason, 'Expired');
  });

  it('pages a list with limit and continue, and filters with a field selector', async () => {
    await core.createNamespace({ body: { metadata: { name: 'paged' } } });
    const names = Array.from({ length: 7 }, (_, i) => `cm-${i}`);
    for (const name of names)
      await core.createNamespacedConfigMap({
        namespace: 'paged',
        body: { metadata: { name, labels: { page: 'yes' } }, data: { name } },
      });
    await core.createNamespacedConfigMap({
      namespace: 'paged',
      body: { metadata: { name: 'unlabelled' } },
    });

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: 'paged',
        labelSelector: 'page=yes',
        limit: 3,
        _continue: token,
      });
      pages.push(page.items.map(cm => cm.metadata!.name!));
      token = page.metadata?._continue || undefined;
      // As the real API server: no remainingItemCount when a selector filters the list.
      assert.equal(page.metadata?.remainingItemCount, undefined);
      assert.ok(pages.length <= 3, 'the pages end');
    } while (token);
    assert.deepEqual(pages, [
      ['cm-0', 'cm-1', 'cm-2'],
      ['cm-3', 'cm-4', 'cm-5'],
      ['cm-6'],
    ]);

    // Objects created between pages do not disturb the pages already served.
    const first = await core.listNamespacedConfigMap({
      namespace: 'paged',
      limit: 4,
    });
    // Without selectors the first page counts what is left: 8 - 4.
    assert.equal(first.metadata?.remainingItemCount, 4);
    await core.createNamespacedConfigMap({
      namespace: 'paged',
      body: { metadata: { name: 'aaa-late' } },
    });
    const rest = await core.listNamespacedConfigMap({
      namespace: 'paged',
      limit: 100,
      _continue: first.metadata!._continue,
    });
    const seen = [...first.items, ...rest.items].map(cm => cm.metadata!.name);
    assert.equal(new Set(seen).size, seen.length, seen.join(','));
    assert.deepEqual(seen.filter(n => n !== 'aaa-late').sort(), [
      ...names,
      'unlabelled',
    ]);

    // Field selectors: name, negated name with a label selector, namespace across all namespaces.
    const byName = await core.listNamespacedConfigMap({
      namespace: 'paged',
      fieldSelector: 'metadata.name=cm-3',
    });
    assert.deepEqual(
      byName.items.map(cm => cm.data?.name),
      ['cm-3'],
    );
    const notByName = await core.listNamespacedConfigMap({
      namespace: 'paged',
      labelSelector: 'page=yes',
      fieldSelector: 'metadata.name!=cm-3',
    });
    assert.deepEqual(
      notByName.items.map(cm => cm.metadata!.name),
      names.filter(n => n !== 'cm-3'),
    );
    const everywhere = await core.listConfigMapForAllNamespaces({
      fieldSelector: 'metadata.namespace=paged,metadata.name=cm-6',
    });
    assert.deepEqual(
      everywhere.items.map(
        cm => `${cm.metadata!.namespace}/${cm.metadata!.name}`,
      ),
      ['paged/cm-6'],
    );
    // A field selector and a limit together page the filtered list.
    const limited = await core.listConfigMapForAllNamespaces({
      fieldSelector: 'metadata.namespace=paged',
      limit: 5,
    });
    assert.equal(limited.items.length, 5);
    assert.ok(limited.metadata?._continue);
    const bad = await apiError(() =>
      core.listNamespacedConfigMap({
        namespace: 'paged',
        fieldSelector: 'data.name=cm-3',
      }),
    );
    assert.equal(bad.code, 400);
    assert.equal(bad.status.reason, 'BadRequest');
    assert.equal(
      bad.status.message,
      '"data.name" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    await core.deleteNamespace({ name: 'paged' });
  });

  it('an informer lists then watches and sees later changes', async () => {
    const informer = k8s.makeInformer(
      kc,
      '/api/v1/namespaces/default/secrets',
      () => core.listNamespacedSecret({ namespace: 'default' }),
    );
    const added: string[] = [];
    informer.on('add', obj => added.push(obj.metadata!.name!));
    await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'before' } },
    });
    await informer.start();
    await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'after' } },
    });
    for (let i = 0; i < 50 && added.length < 2; i++)
      await new Promise(r => setTimeout(r, 20));
    await informer.stop();
    assert.deepEqual(added, ['before', 'after']);
  });

  it('rejects writes with the read-only token (403) and any request with a bad token (401)', async () => {
    const ro = new k8s.KubeConfig();
    ro.loadFromString(emu.kubeconfig);
    ro.setCurrentContext('kube-emulator-readonly');
    const roCore = ro.makeApiClient(k8s.CoreV1Api);
    assert.ok((await roCore.listNamespace()).items.length > 0);
    const denied = await apiError(() =>
      roCore.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'nope' } },
      }),
    );
    assert.equal(denied.code, 403);
    assert.equal(denied.status.reason, 'Forbidden');
    assert.equal(
      denied.status.message,
      'configmaps is forbidden: User "kube-emulator-viewer" cannot create resource "configmaps" in API group "" in the namespace "default"',
    );
    const bad = new k8s.KubeConfig();
    bad.loadFromString(emu.kubeconfig.replace(emu.token, 'not-a-token'));
    // client-node's generated code keeps no body for 401 (it has no schema for it); the raw answer is a Status.
    await assert.rejects(
      () => bad.makeApiClient(k8s.CoreV1Api).listNamespace(),
      (err: unknown) => err instanceof k8s.ApiException && err.code === 401,
    );
    const raw = await rawRequest(emu, 'GET', '/api/v1/namespaces', {
      token: 'not-a-token',
    });
    assert.equal(raw.status, 401);
    assert.deepEqual(JSON.parse(raw.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    assert.equal(
      (await rawRequest(emu, 'GET', '/api/v1/namespaces', { token: null }))
        .status,
      401,
      'no token is 401 too',
    );
    assert.equal(
      (await rawRequest(emu, 'GET', '/version', { token: null })).status,
      200,
      '/version is public',
    );
  });

  it('surfaces injected faults: 503, 429 with Retry-After, latency, dropped connections', async () => {
    try {
      emu.setFaults([
        {
          method: 'GET',
          pathPrefix: '/api/v1/namespaces/default/pods',
          status: 503,
        },
      ]);
      const unavailable = await apiError(() =>
        core.listNamespacedPod({ namespace: 'default' }),
      );
      assert.equal(unavailable.code, 503);
      assert.equal(unavailable.status.reason, 'ServiceUnavailable');
      emu.setFaults([
        { pathRegex: '/pods', status: 429, retryAfterSeconds: 3 },
      ]);
      const throttled = await apiError(() =>
        core.listNamespacedPod({ namespace: 'default' }),
      );
      assert.equal(throttled.code, 429);
      assert.equal(throttled.status.details.retryAfterSeconds, 3);
      emu.setFaults([
        { pathPrefix: '/api/v1/namespaces/default/pods', latencyMs: 300 },
      ]);
      const t0 = Date.now();
      await core.listNamespacedPod({ namespace: 'default' });
      assert.ok(Date.now() - t0 >= 290, 'latency is added');
      emu.setFaults([
        { pathPrefix: '/api/v1/namespaces/default/pods', drop: true },
      ]);
      await assert.rejects(
        () => core.listNamespacedPod({ namespace: 'default' }),
        (err: any) =>
          !(err instanceof k8s.ApiException) &&
          /socket hang up|ECONNRESET|closed|terminated/i.test(
            String(err?.message ?? err) + String(err?.cause ?? ''),
          ),
      );
      emu.setFaults([
        {
          pathPrefix: '/api/v1/namespaces/default/pods',
          status: 500,
          share: 0,
        },
      ]);
      await core.listNamespacedPod({ namespace: 'default' });
    } finally {
      emu.faults.clear();
    }
    await core.listNamespacedPod({ namespace: 'default' });
  });

  it('counts requests by verb and resource', async () => {
    emu.resetCounts();
    await core.listNamespacedPod({ namespace: 'default' });
    await apps.readNamespacedDeployment({
      name: 'patchme',
      namespace: 'default',
    });
    await apiError(() =>
      apps.readNamespacedDeployment({ name: 'nope', namespace: 'default' }),
    );
    const snap = emu.requestCounts();
    assert.deepEqual(snap.byResource, {
      'deployments.apps': { get: 2 },
      pods: { list: 1 },
    });
    assert.equal(snap.total, 3);
  });
});

describe('client-node with the simulated controllers', () => {
  let emu: Emulator;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  before(async () => {
    emu = await startTestEmulator({ controllers: true, podReadyDelayMs: 200 });
    kc = new k8s.KubeConfig();
    kc.loadFromString(emu.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(() => emu.stop());

  it('a watch on Endpoints sees the switch from the blue to the green pod IPs after the selector patch', async () => {
    // Chapter 1: blue and green Deployments, Service web selecting blue.
    for (const version of ['blue', 'green']) {
      const labels = { app: 'web', version };
      await apps.createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name: version, labels },
          spec: {
            replicas: 2,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: 'web',
                    image: `hello:${version}`,
                    ports: [{ containerPort: 80 }],
                  },
                ],
              },
            },
          },
        },
      });
    }
    await core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          selector: { app: 'web', version: 'blue' },
          ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }],
        },
      },
    });

    const events: { type: string; ips: string[] }[] = [];
    const watch = new k8s.Watch(kc);
    const controller = await watch.watch(
      '/api/v1/namespaces/default/endpoints',
      { fieldSelector: 'metadata.name=web' },
      (type, obj: k8s.V1Endpoints) => {
        const ips = (obj.subsets ?? [])
          .flatMap(s => s.addresses ?? [])
          .map(a => a.ip)
          .sort();
        events.push({ type, ips });
      },
      () => {},
    );
    const podIps = async (version: string) =>
      (
        await core.listNamespacedPod({
          namespace: 'default',
          labelSelector: `app=web,version=${version}`,
        })
      ).items
        .map(p => p.status?.podIP)
        .filter((ip): ip is string => !!ip)
        .sort();
    /** Waits for a watch event whose addresses are exactly `ips`. */
    const eventWith = async (what: string, ips: () => Promise<string[]>) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const want = await ips();
        const hit = events.findIndex(
          e =>
            want.length > 0 && JSON.stringify(e.ips) === JSON.stringify(want),
        );
        if (hit >= 0) return hit;
        assert.ok(
          Date.now() < deadline,
          `no Endpoints event with the ${what} IPs ${want.join(
            ',',
          )}: ${JSON.stringify(events)}`,
        );
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    };
    const twoPods = (version: string) => async () => {
      const ips = await podIps(version);
      return ips.length === 2 ? ips : [];
    };
    try {
      const blueAt = await eventWith('blue', twoPods('blue'));
      const blue = await podIps('blue');
      const green = await twoPods('green')();
      const beforePatch = events.length;
      assert.ok(
        events.every(e => !e.ips.some(ip => green.includes(ip))),
        'no green IP before the patch',
      );

      await core.patchNamespacedService(
        {
          name: 'web',
          namespace: 'default',
          body: { spec: { selector: { version: 'green' } } },
        },
        k8s.setHeaderOptions(
          'Content-Type',
          k8s.PatchStrategy.StrategicMergePatch,
        ),
      );
      const greenAt = await eventWith('green', twoPods('green'));
      assert.ok(greenAt >= beforePatch && greenAt > blueAt);
      assert.equal(events[greenAt].type, 'MODIFIED');
      assert.deepEqual(events[greenAt].ips, green);
      assert.ok(
        !events[greenAt].ips.some(ip => blue.includes(ip)),
        'no blue IP once switched',
      );
      // The Endpoints object agrees with what the watch saw last.
      const endpoints = await core.readNamespacedEndpoints({
        name: 'web',
        namespace: 'default',
      });
      assert.deepEqual(
        (endpoints.subsets ?? [])
          .flatMap(s => s.addresses ?? [])
          .map(a => a.ip)
          .sort(),
        events[events.length - 1].ips,
      );
    } finally {
      controller.abort();
    }
  });
});

describe('startEmulator options', () => {
  it('writes a kubeconfig that loadFromFile accepts, creating its folder', async () => {
    const emu = await startTestEmulator();
    const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-'));
    try {
      const path = join(dir, 'nested', 'kubeconfig');
      emu.writeKubeconfig(path);
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(path);
      const namespaces = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
      assert.deepEqual(namespaces.items.map(n => n.metadata?.name).sort(), [
        'default',
        'kube-node-lease',
        'kube-public',
        'kube-system',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await emu.stop();
    }
  });

  it('starts without the Gateway API, Istio and ASM CRDs when crds is false', async () => {
    const withCrds = await startTestEmulator();
    const without = await startTestEmulator({ crds: false });
    try {
      const crdNames = async (emu: Emulator) => {
        const kc = new k8s.KubeConfig();
        kc.loadFromString(emu.kubeconfig);
        const list = await kc
          .makeApiClient(k8s.ApiextensionsV1Api)
          .listCustomResourceDefinition();
        return list.items.map(c => c.metadata?.name);
      };
      assert.ok(
        (await crdNames(withCrds)).includes(
          'httproutes.gateway.networking.k8s.io',
        ),
      );
      assert.deepEqual(await crdNames(without), []);
      await assert.rejects(
        startTestEmulator({ crds: false, scenario: 'demo' }),
        /scenario 'demo' needs the built-in CRDs/,
      );
    } finally {
      await withCrds.stop();
      await without.stop();
    }
  });
});
