import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from './errors';
import { parseFieldSelector, type FieldSelectorScope } from './fieldSelector';
import { builtinResources, type ResourceInfo } from './resources';
import type { KubeObject } from './types';

function builtin(resource: string, group = ''): ResourceInfo {
  const info = builtinResources.find(
    r => r.resource === resource && r.group === group,
  );
  assert.ok(info, `${group}/${resource} is a built-in resource`);
  return info;
}

function event(
  name: string,
  namespace: string,
  involvedObject: Record<string, string>,
  fields: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject,
    ...fields,
  };
}

const events = [
  event(
    'web.1',
    'default',
    { kind: 'Pod', name: 'web', uid: 'uid-pod' },
    {
      reason: 'Scheduled',
      type: 'Normal',
      source: { component: 'default-scheduler' },
    },
  ),
  event(
    'web.2',
    'default',
    { kind: 'Service', name: 'web', uid: 'uid-svc' },
    { reason: 'Updated', type: 'Warning' },
  ),
  event('api.1', 'payments', { kind: 'Pod', name: 'api', uid: 'uid-api' }),
];

describe('field selectors', () => {
  const matching: [selector: string, names: string[]][] = [
    ['', ['web.1', 'web.2', 'api.1']],
    ['metadata.name=web.1', ['web.1']],
    ['metadata.name==web.1', ['web.1']],
    ['metadata.name!=web.1', ['web.2', 'api.1']],
    ['metadata.namespace=payments', ['api.1']],
    ['metadata.namespace=', []], // every event has a namespace
    ['involvedObject.kind=Pod,involvedObject.name=web', ['web.1']],
    ['involvedObject.name=web', ['web.1', 'web.2']],
    ['involvedObject.uid=uid-svc', ['web.2']],
    ['involvedObject.uid!=uid-svc', ['web.1', 'api.1']],
    ['involvedObject.kind=Pod,metadata.namespace!=default', ['api.1']],
    ['involvedObject.name=web,type=Warning', ['web.2']],
    ['reason=Scheduled,type=Warning', []],
    ['source=default-scheduler', ['web.1']], // source is source.component
    ['type=', ['api.1']], // an absent field compares as ''
  ];
  for (const [selector, names] of matching) {
    it(`events: '${selector}' selects [${names.join(', ')}]`, () => {
      const parsed = parseFieldSelector(selector, builtin('events'));
      assert.deepEqual(
        events.filter(e => parsed.matches(e)).map(e => e.metadata.name),
        names,
      );
    });
  }

  // A Job's status.successful is what kube-apiserver computes from status.succeeded: 0 until set.
  const jobs: KubeObject[] = [
    { kind: 'Job', metadata: { name: 'migrate' }, status: { succeeded: 1 } },
    { kind: 'Job', metadata: { name: 'backfill' }, status: { succeeded: 3 } },
    { kind: 'Job', metadata: { name: 'pending' } },
  ].map(job => ({ apiVersion: 'batch/v1', ...job }));
  for (const [selector, names] of [
    ['status.successful=1', ['migrate']],
    ['status.successful!=1', ['backfill', 'pending']],
    ['status.successful=0', ['pending']],
  ] as const) {
    it(`jobs: '${selector}' selects [${names.join(', ')}]`, () => {
      const parsed = parseFieldSelector(selector, builtin('jobs', 'batch'));
      assert.deepEqual(
        jobs.filter(j => parsed.matches(j)).map(j => j.metadata.name),
        names,
      );
    });
  }

  it('pins the name and namespace only for = terms, so a list can go straight to them', () => {
    const pins = (selector: string) => {
      const { name, namespace } = parseFieldSelector(
        selector,
        builtin('events'),
      );
      return { name, namespace };
    };
    assert.deepEqual(pins('metadata.name==web.1,metadata.namespace=default'), {
      name: 'web.1',
      namespace: 'default',
    });
    assert.deepEqual(pins('metadata.name!=web.1,involvedObject.name=web'), {
      name: undefined,
      namespace: undefined,
    });
  });

  const customResource: FieldSelectorScope = {
    selectableFields: [],
    custom: true,
    namespaced: true,
  };
  const clusterCustomResource: FieldSelectorScope = {
    ...customResource,
    namespaced: false,
  };
  // As kube-apiserver words each refusal (a 400 BadRequest): kinds with their own field label
  // conversion (pkg/apis/core/v1/conversion.go, pkg/apis/batch/v1/conversion.go, custom resources)
  // and the others, which use apimachinery's DefaultMetaV1FieldSelectorConversion.
  const refused: [
    what: string,
    scope: FieldSelectorScope,
    selector: string,
    message: string,
  ][] = [
    [
      'events',
      builtin('events'),
      'involvedObject.name=web,involvedObject.foo=x',
      'field label not supported: involvedObject.foo',
    ],
    [
      'pods',
      builtin('pods'),
      'spec.containers=web',
      'field label not supported: spec.containers',
    ],
    [
      'services',
      builtin('services'),
      'spec.selector=web',
      'field label not supported: spec.selector',
    ],
    [
      'namespaces (cluster-scoped, own conversion)',
      builtin('namespaces'),
      'metadata.namespace=default',
      'field label not supported: metadata.namespace',
    ],
    [
      'jobs',
      builtin('jobs', 'batch'),
      'status.failed=0',
      'field label "status.failed" not supported for batchv1.Job',
    ],
    [
      'deployments',
      builtin('deployments', 'apps'),
      'spec.replicas=1',
      '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    [
      'configmaps',
      builtin('configmaps'),
      'data.key!=x',
      '"data.key" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    [
      'a custom resource',
      customResource,
      'spec.weight=5',
      'field label not supported: spec.weight',
    ],
    [
      'a cluster-scoped custom resource',
      clusterCustomResource,
      'metadata.namespace=',
      'field label not supported: metadata.namespace',
    ],
    [
      'events',
      builtin('events'),
      'involvedObject.name',
      "invalid selector: 'involvedObject.name'; can't understand 'involvedObject.name'",
    ],
  ];
  for (const [what, scope, selector, message] of refused) {
    it(`${what}: '${selector}' is a 400 BadRequest: ${message}`, () => {
      assert.throws(
        () => parseFieldSelector(selector, scope),
        (err: unknown) => {
          assert.ok(err instanceof StatusError);
          assert.deepEqual(
            { code: err.code, reason: err.reason, message: err.message },
            { code: 400, reason: 'BadRequest', message },
          );
          return true;
        },
      );
    });
  }

  const accepted: [
    what: string,
    scope: FieldSelectorScope,
    selector: string,
  ][] = [
    ['namespaces', builtin('namespaces'), 'status.phase=Active'],
    ['services', builtin('services'), 'spec.type=ClusterIP'],
    ['jobs', builtin('jobs', 'batch'), 'status.successful=1'],
    ['jobs', builtin('jobs', 'batch'), 'metadata.namespace=default'],
    ['deployments', builtin('deployments', 'apps'), 'metadata.namespace='],
    ['a custom resource', customResource, 'metadata.namespace=default'],
    [
      'a cluster-scoped resource without own conversion',
      builtin('customresourcedefinitions', 'apiextensions.k8s.io'),
      'metadata.namespace=',
    ],
  ];
  for (const [what, scope, selector] of accepted) {
    it(`${what}: '${selector}' is accepted`, () => {
      assert.equal(parseFieldSelector(selector, scope).requirements.length, 1);
    });
  }
});
