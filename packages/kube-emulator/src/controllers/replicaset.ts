import { selectorFromObject } from '../store/labelSelector';
import type { KubeObject } from '../store/types';
import { isPodReady } from './kubelet';
import { R } from './resources';
import {
  type Controller,
  type ControllerContext,
  WorkQueue,
  isResource,
  keyOf,
  splitKey,
} from './runtime';
import {
  controllerOf,
  controllerRef,
  isControlledBy,
  jsonEqual,
  randomSuffix,
} from './util';

const source = { component: 'replicaset-controller' };

/** Pods of a ReplicaSet (controlled by it, not being deleted). @public */
export function podsOf(ctx: ControllerContext, rs: KubeObject): KubeObject[] {
  return ctx.store
    .list(R.pods, { namespace: rs.metadata.namespace })
    .filter(pod => isControlledBy(pod, rs) && !pod.metadata.deletionTimestamp);
}

/** Fills the defaults the API server applies to a pod spec, so `kubectl get pod -o yaml` looks real. @public */
export function defaultPodSpec(spec: any): any {
  const out = structuredClone(spec ?? {});
  out.restartPolicy ??= 'Always';
  out.terminationGracePeriodSeconds ??= 30;
  out.dnsPolicy ??= 'ClusterFirst';
  out.schedulerName ??= 'default-scheduler';
  out.serviceAccountName ??= 'default';
  out.serviceAccount ??= out.serviceAccountName;
  out.securityContext ??= {};
  out.enableServiceLinks ??= true;
  out.preemptionPolicy ??= 'PreemptLowerPriority';
  out.priority ??= 0;
  out.tolerations ??= [
    {
      key: 'node.kubernetes.io/not-ready',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
    {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
  ];
  out.containers = (out.containers ?? []).map((c: any) => {
    const tag =
      String(c.image ?? '')
        .split('/')
        .pop() ?? '';
    return {
      ...c,
      imagePullPolicy:
        c.imagePullPolicy ??
        (tag.includes(':') && !tag.endsWith(':latest')
          ? 'IfNotPresent'
          : 'Always'),
      terminationMessagePath:
        c.terminationMessagePath ?? '/dev/termination-log',
      terminationMessagePolicy: c.terminationMessagePolicy ?? 'File',
      resources: c.resources ?? {},
      ports: c.ports?.map((p: any) => ({ protocol: 'TCP', ...p })),
    };
  });
  for (const c of out.containers) if (c.ports === undefined) delete c.ports;
  return out;
}

/**
 * ReplicaSet controller: keeps `spec.replicas` pods (named `<rs>-<5 chars>`, owned by the ReplicaSet)
 * and reports replicas / readyReplicas / availableReplicas.
 * @public
 */
export function createReplicaSetController(ctx: ControllerContext): Controller {
  const { store, recorder } = ctx;
  const queue = new WorkQueue('replicaset-controller', reconcile);

  function reconcile(key: string) {
    const { namespace, name } = splitKey(key);
    const rs = store.get(R.replicasets, namespace, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const desired = Number(rs.spec?.replicas ?? 1);
    let pods = podsOf(ctx, rs);
    if (pods.length < desired) {
      for (let i = pods.length; i < desired; i++) {
        const template = rs.spec?.template ?? {};
        const pod: KubeObject = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${rs.metadata.name}-${randomSuffix()}`,
            namespace,
            labels: { ...(template.metadata?.labels ?? {}) },
            ownerReferences: [controllerRef(rs)],
          },
          spec: defaultPodSpec(template.spec),
          status: { phase: 'Pending', qosClass: 'BestEffort' },
        };
        if (template.metadata?.annotations)
          pod.metadata.annotations = { ...template.metadata.annotations };
        const created = store.create(R.pods, pod);
        recorder.normal(
          rs,
          'SuccessfulCreate',
          `Created pod: ${created.metadata.name}`,
          source,
        );
      }
    } else if (pods.length > desired) {
      // Delete the least useful pods first: unscheduled, not ready, then the youngest.
      const rank = (p: KubeObject) => {
        if (!p.spec?.nodeName) return 0;
        return isPodReady(p) ? 2 : 1;
      };
      const victims = [...pods]
        .sort(
          (a, b) =>
            rank(a) - rank(b) ||
            String(b.metadata.creationTimestamp).localeCompare(
              String(a.metadata.creationTimestamp),
            ),
        )
        .slice(0, pods.length - desired);
      for (const victim of victims) {
        store.delete(R.pods, namespace, victim.metadata.name);
        recorder.normal(
          rs,
          'SuccessfulDelete',
          `Deleted pod: ${victim.metadata.name}`,
          source,
        );
      }
    }
    pods = podsOf(ctx, rs);
    const selector = selectorFromObject(rs.spec?.selector);
    const ready = pods.filter(isPodReady).length;
    const status: Record<string, unknown> = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter(p =>
        selector.matches(p.metadata.labels),
      ).length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    // The API server omits zero counts (omitempty), except replicas.
    for (const field of [
      'fullyLabeledReplicas',
      'readyReplicas',
      'availableReplicas',
    ])
      if (!status[field]) delete status[field];
    store.modify(R.replicasets, namespace, name, current => {
      const next = {
        ...status,
        ...(current.status?.conditions
          ? { conditions: current.status.conditions }
          : {}),
      };
      if (jsonEqual(current.status ?? {}, next)) return false;
      current.status = next;
      return true;
    });
  }

  return {
    name: 'replicaset-controller',
    onEvent(event) {
      if (isResource(event, R.replicasets)) queue.add(keyOf(event.object));
      else if (isResource(event, R.pods)) {
        const owner = controllerOf(event.object);
        if (owner?.kind === 'ReplicaSet')
          queue.add(`${event.object.metadata.namespace}/${owner.name}`);
      }
    },
    resyncAll() {
      for (const rs of store.list(R.replicasets)) queue.add(keyOf(rs));
    },
    stop() {
      queue.stop();
    },
  };
}
