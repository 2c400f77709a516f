import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { StatusError } from '../store/errors';
import type { KubeObject } from '../store/types';
import { recordUpdate, serverSideApply } from './apply';

const resourceKey = 'apps/deployments';
const apiVersion = 'apps/v1';

/** The config a manager applies: a Deployment `web`, with only the parts given. */
function config(parts: {
  labels?: Record<string, string>;
  replicas?: number;
  image?: string;
}): KubeObject {
  const spec: Record<string, unknown> = {};
  if (parts.replicas !== undefined) spec.replicas = parts.replicas;
  if (parts.image !== undefined) {
    spec.selector = { matchLabels: { app: 'web' } };
    spec.template = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: parts.image }] },
    };
  }
  return {
    apiVersion,
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      ...(parts.labels ? { labels: parts.labels } : {}),
    },
    ...(Object.keys(spec).length ? { spec } : {}),
  };
}

const full = (parts: { labels?: Record<string, string>; replicas?: number }) =>
  config({ labels: { app: 'web' }, image: 'web:1', ...parts });

type Step =
  | { apply: string; config: KubeObject; force?: boolean }
  /** A non-apply write (PUT/PATCH) of `touched` by a manager, such as `kubectl edit`. */
  | { update: string; touched: Record<string, any> };

function run(steps: Step[]): { before?: KubeObject; after?: KubeObject } {
  let before: KubeObject | undefined;
  let after: KubeObject | undefined;
  for (const step of steps) {
    // A second passes between writes, so managedFields times tell them apart.
    mock.timers.tick(1000);
    before = after;
    if ('apply' in step) {
      after = serverSideApply(
        before,
        step.config,
        step.apply,
        step.force ?? false,
        apiVersion,
        resourceKey,
      );
    } else {
      const next = structuredClone(before!);
      next.spec = { ...next.spec, ...step.touched.spec };
      next.metadata.managedFields = recordUpdate(
        before,
        step.touched,
        step.update,
        apiVersion,
        resourceKey,
      );
      after = next;
    }
  }
  return { before, after };
}

/** Leaf fields each manager owns, e.g. `deployer: ['f:spec.f:replicas', ...]`. */
function owners(obj: KubeObject, field: string): string[] {
  const leavesOf = (fields: Record<string, any>, prefix = ''): string[] =>
    Object.entries(fields).flatMap(([k, v]) => {
      if (k === '.') return [];
      const path = prefix ? `${prefix}.${k}` : k;
      const children = Object.keys(v).filter(c => c !== '.');
      return children.length ? leavesOf(v, path) : [path];
    });
  return (obj.metadata.managedFields as any[])
    .filter(e => leavesOf(e.fieldsV1).includes(field))
    .map(e => `${e.manager}/${e.operation}`)
    .sort();
}

const replicas = 'f:spec.f:replicas';
const tier = 'f:metadata.f:labels.f:tier';
const image = 'f:spec.f:template.f:spec.f:containers.k:{"name":"web"}.f:image';

describe('server-side apply', () => {
  beforeEach(() =>
    mock.timers.enable({
      apis: ['Date'],
      now: Date.parse('2026-01-05T10:00:00Z'),
    }),
  );
  afterEach(() => mock.timers.reset());

  const applied: {
    what: string;
    steps: Step[];
    expect: (result: { before?: KubeObject; after: KubeObject }) => void;
  }[] = [
    {
      what: 'creates the object, every applied field owned by the applier',
      steps: [{ apply: 'deployer', config: full({ replicas: 2 }) }],
      expect: ({ after }) => {
        assert.equal(after.spec.replicas, 2);
        assert.equal(after.metadata.managedFields?.length, 1);
        assert.deepEqual(owners(after, replicas), ['deployer/Apply']);
        assert.deepEqual(owners(after, image), ['deployer/Apply']);
        assert.deepEqual(owners(after, 'f:metadata.f:name'), []);
      },
    },
    {
      what: 're-applying the same config by the same manager changes nothing',
      steps: [
        { apply: 'deployer', config: full({ replicas: 2 }) },
        { apply: 'deployer', config: full({ replicas: 2 }) },
      ],
      // A deep-equal copy: the store's no-op check is what keeps the write out.
      expect: ({ before, after }) => {
        assert.deepEqual(after, before);
        assert.notEqual(after, before);
      },
    },
    {
      what: 'the applier changes its own field without a conflict',
      steps: [
        { apply: 'deployer', config: full({ replicas: 2 }) },
        { apply: 'deployer', config: full({ replicas: 3 }) },
      ],
      expect: ({ after }) => {
        assert.equal(after.spec.replicas, 3);
        assert.deepEqual(owners(after, replicas), ['deployer/Apply']);
      },
    },
    {
      what: 'a second applier setting the same value shares the field',
      steps: [
        { apply: 'deployer', config: full({ replicas: 2 }) },
        { apply: 'ci', config: config({ replicas: 2 }) },
      ],
      expect: ({ after }) =>
        assert.deepEqual(owners(after, replicas), [
          'ci/Apply',
          'deployer/Apply',
        ]),
    },
    {
      what: 'force=true takes ownership of the conflicting field only',
      steps: [
        { apply: 'deployer', config: full({ replicas: 2 }) },
        { apply: 'ci', config: config({ replicas: 3 }), force: true },
      ],
      expect: ({ after }) => {
        assert.equal(after.spec.replicas, 3);
        assert.deepEqual(owners(after, replicas), ['ci/Apply']);
        assert.deepEqual(owners(after, image), ['deployer/Apply']);
        assert.deepEqual(owners(after, 'f:metadata.f:labels.f:app'), [
          'deployer/Apply',
        ]);
      },
    },
    {
      what: 'a field its sole owner no longer applies is removed',
      steps: [
        {
          apply: 'deployer',
          config: full({ labels: { app: 'web', tier: 'web' } }),
        },
        { apply: 'deployer', config: full({ labels: { app: 'web' } }) },
      ],
      expect: ({ after }) => {
        assert.deepEqual(after.metadata.labels, { app: 'web' });
        assert.deepEqual(owners(after, tier), []);
      },
    },
    {
      what: 'a field the applier no longer applies stays while another manager owns it',
      steps: [
        {
          apply: 'deployer',
          config: full({ labels: { app: 'web', tier: 'web' } }),
        },
        { apply: 'ci', config: config({ labels: { tier: 'web' } }) },
        { apply: 'deployer', config: full({ labels: { app: 'web' } }) },
      ],
      expect: ({ after }) => {
        assert.deepEqual(after.metadata.labels, { app: 'web', tier: 'web' });
        assert.deepEqual(owners(after, tier), ['ci/Apply']);
      },
    },
  ];
  for (const { what, steps, expect } of applied) {
    it(what, () => {
      const { before, after } = run(steps);
      expect({ before, after: after! });
    });
  }

  // Status 409 Conflict as kube-apiserver words it (its fieldmanager's NewConflictError):
  // an applier is named alone, an Update manager with the apiVersion it wrote.
  const conflicting: {
    what: string;
    steps: Step[];
    message: string;
    causes: { message: string; field: string }[];
  }[] = [
    {
      what: 'a second applier changing an owned field',
      steps: [
        { apply: 'deployer', config: full({ replicas: 2 }) },
        { apply: 'ci', config: full({ replicas: 3 }) },
      ],
      message:
        'Apply failed with 1 conflict: conflict with "deployer": .spec.replicas',
      causes: [
        { message: 'conflict with "deployer"', field: '.spec.replicas' },
      ],
    },
    {
      what: 'an applier re-applying a field an Update manager took over',
      steps: [
        { apply: 'deployer', config: full({ replicas: 2 }) },
        { update: 'kubectl-edit', touched: { spec: { replicas: 5 } } },
        { apply: 'deployer', config: full({ replicas: 2 }) },
      ],
      message:
        'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
      causes: [
        {
          message: 'conflict with "kubectl-edit" using apps/v1',
          field: '.spec.replicas',
        },
      ],
    },
    {
      what: 'a field of a list element, by its merge key',
      steps: [
        { apply: 'deployer', config: full({}) },
        { apply: 'ci', config: config({ image: 'web:2' }) },
      ],
      message:
        'Apply failed with 1 conflict: conflict with "deployer": .spec.template.spec.containers[name="web"].image',
      causes: [
        {
          message: 'conflict with "deployer"',
          field: '.spec.template.spec.containers[name="web"].image',
        },
      ],
    },
    {
      what: 'several fields of several managers, listed per manager',
      steps: [
        {
          apply: 'deployer',
          config: full({ labels: { app: 'web', tier: 'web' }, replicas: 2 }),
        },
        { update: 'kubectl-edit', touched: { spec: { replicas: 5 } } },
        {
          apply: 'ci',
          config: full({ labels: { app: 'web', tier: 'api' }, replicas: 3 }),
        },
      ],
      message:
        'Apply failed with 2 conflicts: conflicts with "deployer":\n- .metadata.labels.tier\nconflicts with "kubectl-edit" using apps/v1:\n- .spec.replicas',
      causes: [
        { message: 'conflict with "deployer"', field: '.metadata.labels.tier' },
        {
          message: 'conflict with "kubectl-edit" using apps/v1',
          field: '.spec.replicas',
        },
      ],
    },
  ];
  for (const { what, steps, message, causes } of conflicting) {
    it(`409 Conflict: ${what}`, () => {
      assert.throws(
        () => run(steps),
        (err: unknown) => {
          assert.ok(err instanceof StatusError);
          assert.equal(err.code, 409);
          assert.equal(err.reason, 'Conflict');
          assert.equal(err.message, message);
          assert.deepEqual(
            err.status.details?.causes,
            causes.map(c => ({ reason: 'FieldManagerConflict', ...c })),
          );
          return true;
        },
      );
    });
  }
});
