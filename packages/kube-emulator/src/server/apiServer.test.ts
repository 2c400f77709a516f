import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../index';
import { rawRequest, startTestEmulator } from './testSupport';

const aggregatedAccept =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

describe('API server endpoints', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startTestEmulator({
      tokens: { admin: 'admin-token', readOnly: 'viewer-token' },
    });
  });
  after(() => emu.stop());

  it('serves aggregated discovery with the exact content type, and legacy discovery otherwise', async () => {
    const agg = await rawRequest(emu, 'GET', '/apis', {
      headers: { Accept: aggregatedAccept },
    });
    assert.equal(
      agg.headers['content-type'],
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const body = JSON.parse(agg.body);
    const istio = body.items.find(
      (i: any) => i.metadata.name === 'networking.istio.io',
    );
    assert.deepEqual(
      istio.versions.map((v: any) => v.version),
      ['v1', 'v1beta1', 'v1alpha3'],
    );
    const vs = istio.versions[0].resources.find(
      (r: any) => r.resource === 'virtualservices',
    );
    assert.deepEqual(vs.shortNames, ['vs']);
    assert.equal(vs.subresources[0].subresource, 'status');
    const beta = await rawRequest(emu, 'GET', '/api', {
      headers: {
        Accept:
          'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      },
    });
    assert.equal(
      beta.headers['content-type'],
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
    );
    assert.equal(JSON.parse(beta.body).items[0].metadata.name, '');
    const legacy = JSON.parse((await rawRequest(emu, 'GET', '/apis')).body);
    assert.equal(legacy.kind, 'APIGroupList');
    const apps = JSON.parse(
      (await rawRequest(emu, 'GET', '/apis/apps/v1')).body,
    );
    const names = apps.resources.map((r: any) => r.name);
    assert.ok(
      names.indexOf('deployments') < names.indexOf('deployments/status'),
      'main resource before its subresources',
    );
    assert.deepEqual(
      apps.resources.find((r: any) => r.name === 'deployments/scale'),
      {
        name: 'deployments/scale',
        singularName: '',
        namespaced: true,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      },
    );
    assert.equal(
      JSON.parse((await rawRequest(emu, 'GET', '/api')).body)
        .serverAddressByClientCIDRs[0].serverAddress,
      `127.0.0.1:${emu.port}`,
    );
  });

  it('serves OpenAPI v3 per group-version with GVK and fieldValidation, and an empty v2', async () => {
    const index = JSON.parse(
      (await rawRequest(emu, 'GET', '/openapi/v3')).body,
    );
    for (const gv of [
      'api/v1',
      'apis/apps/v1',
      'apis/asm.alauda.io/v1alpha1',
      'apis/networking.istio.io/v1alpha3',
      'apis/gateway.networking.k8s.io/v1',
    ]) {
      assert.ok(
        index.paths[gv]?.serverRelativeURL.startsWith(
          `/openapi/v3/${gv}?hash=`,
        ),
        gv,
      );
    }
    const doc = JSON.parse(
      (
        await rawRequest(
          emu,
          'GET',
          index.paths['apis/asm.alauda.io/v1alpha1'].serverRelativeURL,
        )
      ).body,
    );
    const patch =
      doc.paths[
        '/apis/asm.alauda.io/v1alpha1/namespaces/{namespace}/canarydeliveries/{name}'
      ].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], {
      group: 'asm.alauda.io',
      version: 'v1alpha1',
      kind: 'CanaryDelivery',
    });
    assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation'));
    assert.ok(
      !('application/strategic-merge-patch+json' in patch.requestBody.content),
    );
    assert.ok(
      doc.components.schemas['io.alauda.asm.v1alpha1.CanaryDelivery'].properties
        .spec,
    );
    const v2 = await rawRequest(emu, 'GET', '/openapi/v2', {
      headers: {
        Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      },
    });
    assert.equal(v2.status, 200);
    assert.equal(
      v2.headers['content-type'],
      'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    );
    assert.equal(v2.body, '');
  });

  it('answers /version, health and metrics; unknown paths are a NotFound Status', async () => {
    assert.equal(
      JSON.parse(
        (await rawRequest(emu, 'GET', '/version', { token: null })).body,
      ).gitVersion,
      'v1.32.5',
    );
    for (const p of ['/healthz', '/readyz', '/livez'])
      assert.equal(
        (await rawRequest(emu, 'GET', p, { token: null })).body,
        'ok',
      );
    const metrics = await rawRequest(emu, 'GET', '/metrics');
    assert.match(String(metrics.headers['content-type']), /^text\/plain/);
    assert.match(metrics.body, /kube_emulator_requests_total/);
    const missing = await rawRequest(
      emu,
      'GET',
      '/apis/nope.example.com/v1/things',
    );
    assert.equal(missing.status, 404);
    assert.equal(
      JSON.parse(missing.body).message,
      'the server could not find the requested resource',
    );
  });

  it('lists, empty, every kind the Backstage Kubernetes plugin fetches by default', async () => {
    for (const path of [
      '/api/v1/namespaces/default/limitranges',
      '/api/v1/namespaces/default/resourcequotas',
      '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers',
      '/apis/batch/v1/namespaces/default/jobs',
      '/apis/batch/v1/namespaces/default/cronjobs',
      '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
      '/apis/apps/v1/namespaces/default/statefulsets',
      '/apis/apps/v1/namespaces/default/daemonsets',
    ]) {
      const res = await rawRequest(emu, 'GET', path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(JSON.parse(res.body).items, [], path);
    }
  });

  it('dryRun=All validates without persisting; limit/continue pages', async () => {
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'dry' },
    });
    const dry = await rawRequest(
      emu,
      'POST',
      '/api/v1/namespaces/default/configmaps?dryRun=All',
      { body },
    );
    assert.equal(dry.status, 201);
    assert.equal(
      (
        await rawRequest(
          emu,
          'GET',
          '/api/v1/namespaces/default/configmaps/dry',
        )
      ).status,
      404,
    );
    for (let i = 0; i < 3; i++)
      await rawRequest(emu, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: JSON.stringify({ metadata: { name: `page-${i}` } }),
      });
    const first = JSON.parse(
      (
        await rawRequest(
          emu,
          'GET',
          '/api/v1/namespaces/default/configmaps?limit=2',
        )
      ).body,
    );
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue);
    const second = JSON.parse(
      (
        await rawRequest(
          emu,
          'GET',
          `/api/v1/namespaces/default/configmaps?limit=2&continue=${first.metadata.continue}`,
        )
      ).body,
    );
    assert.deepEqual(
      second.items.map((i: any) => i.metadata.name),
      ['page-2'],
    );
    const badSelector = await rawRequest(
      emu,
      'GET',
      '/api/v1/namespaces/default/configmaps?labelSelector=a+in+(',
    );
    assert.equal(badSelector.status, 400);
    const nsMismatch = await rawRequest(
      emu,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      {
        body: JSON.stringify({
          metadata: { name: 'x', namespace: 'kube-system' },
        }),
      },
    );
    assert.equal(
      JSON.parse(nsMismatch.body).message,
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  });

  it('streams watches: Table events, bookmarks, timeoutSeconds', async () => {
    const watch = await rawRequest(
      emu,
      'GET',
      '/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&sendInitialEvents=true&labelSelector=',
      {
        headers: {
          Accept:
            'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
        },
      },
    );
    const events = watch.body
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    assert.ok(events.filter(e => e.type === 'ADDED').length >= 3);
    assert.equal(events[0].object.kind, 'Table');
    assert.deepEqual(
      events[0].object.columnDefinitions.map((c: any) => c.name),
      ['Name', 'Data', 'Age'],
    );
    const bookmark = events.find(e => e.type === 'BOOKMARK');
    assert.equal(
      bookmark.object.metadata.annotations['k8s.io/initial-events-end'],
      'true',
    );
  });

  it('scales through the scale subresource', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'scaled' },
      spec: {
        selector: { matchLabels: { app: 's' } },
        template: {
          metadata: { labels: { app: 's' } },
          spec: { containers: [{ name: 'c', image: 'i' }] },
        },
      },
    };
    await rawRequest(
      emu,
      'POST',
      '/apis/apps/v1/namespaces/default/deployments',
      { body: JSON.stringify(dep) },
    );
    const scaled = await rawRequest(
      emu,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/scaled/scale',
      {
        body: JSON.stringify({ spec: { replicas: 4 } }),
        headers: { 'Content-Type': 'application/merge-patch+json' },
      },
    );
    const scale = JSON.parse(scaled.body);
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec.replicas, 4);
    assert.equal(scale.status.selector, 'app=s');
    assert.equal(
      emu.store.get(
        { group: 'apps', resource: 'deployments' },
        'default',
        'scaled',
      )?.spec.replicas,
      4,
    );
  });

  it('a server-side re-apply of the same config writes nothing: same resourceVersion, no watch event', async () => {
    const apply = () =>
      rawRequest(
        emu,
        'PATCH',
        '/api/v1/namespaces/default/configmaps/reapplied?fieldManager=deployer',
        {
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'reapplied' },
            data: { a: '1' },
          }),
          headers: { 'Content-Type': 'application/apply-patch+yaml' },
        },
      );
    const created = await apply();
    assert.equal(created.status, 201, created.body);
    const first = JSON.parse(created.body);
    const reapplied = await apply();
    assert.equal(reapplied.status, 200, reapplied.body);
    assert.deepEqual(JSON.parse(reapplied.body).metadata, first.metadata);
    const watch = await rawRequest(
      emu,
      'GET',
      `/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dreapplied&resourceVersion=${first.metadata.resourceVersion}`,
    );
    assert.equal(watch.status, 200);
    assert.equal(watch.body.trim(), '');
  });

  it('selects Jobs by status.successful and refuses other fields as batch/v1 does', async () => {
    const created = await rawRequest(
      emu,
      'POST',
      '/apis/batch/v1/namespaces/default/jobs',
      {
        body: JSON.stringify({
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: 'migrate' },
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'migrate', image: 'migrate:1' }],
              },
            },
          },
        }),
      },
    );
    assert.equal(created.status, 201, created.body);
    const list = async (fieldSelector: string) => {
      const res = await rawRequest(
        emu,
        'GET',
        `/apis/batch/v1/namespaces/default/jobs?fieldSelector=${encodeURIComponent(
          fieldSelector,
        )}`,
      );
      const body = JSON.parse(res.body);
      return res.status === 200
        ? body.items.map((job: any) => job.metadata.name)
        : { code: body.code, reason: body.reason, message: body.message };
    };
    assert.deepEqual(await list('status.successful=0'), ['migrate']);
    assert.deepEqual(await list('status.successful=1'), []);
    assert.deepEqual(await list('status.failed=0'), {
      code: 400,
      reason: 'BadRequest',
      message: 'field label "status.failed" not supported for batchv1.Job',
    });
  });

  it('switches faults and reads counters through the admin endpoints (admin token only)', async () => {
    const put = await rawRequest(emu, 'PUT', '/_emulator/faults', {
      body: JSON.stringify([
        { pathPrefix: '/api/v1/namespaces/default/services', status: 503 },
      ]),
    });
    assert.equal(put.status, 200);
    const faulted = await rawRequest(
      emu,
      'GET',
      '/api/v1/namespaces/default/services',
    );
    assert.equal(faulted.status, 503);
    assert.equal(faulted.headers['retry-after'], '1');
    assert.equal(
      JSON.parse((await rawRequest(emu, 'GET', '/_emulator/faults')).body).rules
        .length,
      1,
    );
    assert.equal(
      (
        await rawRequest(emu, 'PUT', '/_emulator/faults', {
          token: 'viewer-token',
          body: '[]',
        })
      ).status,
      403,
    );
    const invalidRule = await rawRequest(emu, 'PUT', '/_emulator/faults', {
      body: JSON.stringify([{ share: 2, status: 500 }]),
    });
    assert.equal(invalidRule.status, 400);
    assert.match(
      JSON.parse(invalidRule.body).message,
      /faults\[0\]\.share must be a number from 0 to 1/,
    );
    await rawRequest(emu, 'DELETE', '/_emulator/faults');
    assert.equal(
      (await rawRequest(emu, 'GET', '/api/v1/namespaces/default/services'))
        .status,
      200,
    );
    const counters = JSON.parse(
      (await rawRequest(emu, 'GET', '/_emulator/counters')).body,
    );
    assert.ok(counters.byResource.services.list >= 1);
    assert.equal(
      (await rawRequest(emu, 'GET', '/_emulator/counters', { token: 'bad' }))
        .status,
      401,
    );
  });
});

describe('command line', () => {
  const bin = join(__dirname, '..', '..', 'bin', 'kube-emulator');
  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>(resolve =>
      execFile(bin, args, { timeout: 20_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (err as any).code ?? 1 : 0, stdout, stderr }),
      ),
    );

  it('prints help and rejects bad flags with a clear message', async () => {
    const help = await run('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: kube-emulator/);
    const bad = await run('--scenario', 'nope');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--scenario must be demo or empty, got 'nope'/);
    const unknown = await run('--frobnicate');
    assert.match(unknown.stderr, /unknown flag: --frobnicate/);
  });
});
