import type { KubeObject } from '../store/types';
import { isPodReady } from './kubelet';
import { podsOf } from './replicaset';
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
  intOrPercent,
  isControlledBy,
  jsonEqual,
  podTemplateHash,
  rfc3339,
} from './util';

const source = { component: 'deployment-controller' };
const REVISION = 'deployment.kubernetes.io/revision';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';

function replicasOf(rs: KubeObject): number {
  return Number(rs.spec?.replicas ?? 0);
}

function revisionOf(obj: KubeObject): number {
  return Number(obj.metadata.annotations?.[REVISION] ?? 0);
}

/** Whether a Deployment's rollout is complete, as `kubectl rollout status` decides it. @public */
export function isDeploymentComplete(d: KubeObject): boolean {
  const desired = Number(d.spec?.replicas ?? 1);
  const s = d.status ?? {};
  return (
    Number(d.metadata.generation ?? 0) <= Number(s.observedGeneration ?? -1) &&
    Number(s.updatedReplicas ?? 0) === desired &&
    Number(s.replicas ?? 0) === desired &&
    Number(s.availableReplicas ?? 0) === desired
  );
}

/**
 * Deployment controller: one ReplicaSet per pod template (`<deploy>-<pod-template-hash>`), rolling updates with
 * maxSurge/maxUnavailable (25% defaults) or Recreate, and the status `kubectl rollout status` reads.
 * @public
 */
export function createDeploymentController(ctx: ControllerContext): Controller {
  const { store, clock, recorder } = ctx;
  const queue = new WorkQueue('deployment-controller', reconcile);
  const resyncPeriod = Math.max(10_000, 500 * clock.timeScale);
  let cancelResync: (() => void) | undefined;

  function scale(
    d: KubeObject,
    rs: KubeObject,
    replicas: number,
    maxSurge: number,
  ): KubeObject {
    const from = replicasOf(rs);
    const desired = Number(d.spec?.replicas ?? 1);
    const updated = store.modify(
      R.replicasets,
      rs.metadata.namespace,
      rs.metadata.name,
      current => {
        const annotations = { ...(current.metadata.annotations ?? {}) };
        annotations[DESIRED] = String(desired);
        annotations[MAX] = String(desired + maxSurge);
        if (
          replicasOf(current) === replicas &&
          jsonEqual(annotations, current.metadata.annotations)
        )
          return false;
        current.metadata.annotations = annotations;
        current.spec = { ...current.spec, replicas };
        return true;
      },
    );
    if (from !== replicas) {
      const direction = replicas > from ? 'up' : 'down';
      recorder.normal(
        d,
        'ScalingReplicaSet',
        `Scaled ${direction} replica set ${rs.metadata.name} to ${replicas} from ${from}`,
        source,
      );
    }
    return updated ?? rs;
  }

  function reconcile(key: string) {
    const { namespace, name } = splitKey(key);
    const d = store.get(R.deployments, namespace, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const desired = Math.max(0, Number(d.spec?.replicas ?? 1));
    const template = d.spec?.template ?? {};
    const hash = podTemplateHash(template);
    const strategy =
      d.spec?.strategy?.type === 'Recreate' ? 'Recreate' : 'RollingUpdate';
    let maxSurge =
      strategy === 'Recreate'
        ? 0
        : intOrPercent(
            d.spec?.strategy?.rollingUpdate?.maxSurge,
            desired,
            true,
            '25%',
          );
    let maxUnavailable =
      strategy === 'Recreate'
        ? 0
        : intOrPercent(
            d.spec?.strategy?.rollingUpdate?.maxUnavailable,
            desired,
            false,
            '25%',
          );
    if (strategy === 'RollingUpdate' && maxSurge === 0 && maxUnavailable === 0)
      maxUnavailable = 1;
    if (maxUnavailable > desired) maxUnavailable = desired;
    maxSurge = Math.max(0, maxSurge);

    let all = store
      .list(R.replicasets, { namespace })
      .filter(rs => isControlledBy(rs, d));
    const maxRevision = Math.max(0, ...all.map(revisionOf));
    let newRS = all.find(
      rs => rs.metadata.labels?.['pod-template-hash'] === hash,
    );
    let createdNew = false;
    if (!newRS && !d.spec?.paused) {
      const labels = {
        ...(template.metadata?.labels ?? {}),
        'pod-template-hash': hash,
      };
      const rs: KubeObject = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace,
          labels,
          annotations: {
            [DESIRED]: String(desired),
            [MAX]: String(desired + maxSurge),
            [REVISION]: String(maxRevision + 1),
          },
          ownerReferences: [controllerRef(d)],
        },
        spec: {
          replicas: 0,
          minReadySeconds: d.spec?.minReadySeconds ?? 0,
          selector: {
            ...(d.spec?.selector ?? {}),
            matchLabels: {
              ...(d.spec?.selector?.matchLabels ?? {}),
              'pod-template-hash': hash,
            },
          },
          template: {
            ...template,
            metadata: { ...(template.metadata ?? {}), labels },
          },
        },
      };
      newRS = store.create(R.replicasets, rs);
      createdNew = true;
      all = [...all, newRS];
    } else if (newRS && revisionOf(newRS) < maxRevision) {
      // Rolling back to an older template makes its ReplicaSet the newest revision again.
      newRS =
        store.modify(R.replicasets, namespace, newRS.metadata.name, current => {
          current.metadata.annotations = {
            ...(current.metadata.annotations ?? {}),
            [REVISION]: String(maxRevision + 1),
          };
        }) ?? newRS;
    }
    const old = all
      .filter(rs => rs !== newRS)
      .sort((a, b) =>
        String(a.metadata.creationTimestamp).localeCompare(
          String(b.metadata.creationTimestamp),
        ),
      );
    const readyOf = (rs: KubeObject) =>
      podsOf(ctx, rs).filter(isPodReady).length;

    if (newRS && !d.spec?.paused) {
      if (strategy === 'Recreate') {
        for (const rs of old) if (replicasOf(rs) > 0) scale(d, rs, 0, maxSurge);
        const oldPods = old.reduce((n, rs) => n + podsOf(ctx, rs).length, 0);
        if (oldPods === 0 && replicasOf(newRS) !== desired)
          newRS = scale(d, newRS, desired, maxSurge);
      } else {
        const oldActive = () => old.filter(rs => replicasOf(rs) > 0);
        if (replicasOf(newRS) > desired || oldActive().length === 0) {
          if (replicasOf(newRS) !== desired)
            newRS = scale(d, newRS, desired, maxSurge);
        } else {
          const allPods = [newRS, ...old].reduce(
            (n, rs) => n + replicasOf(rs),
            0,
          );
          const maxTotal = desired + maxSurge;
          if (allPods < maxTotal) {
            const up = Math.min(
              maxTotal - allPods,
              desired - replicasOf(newRS),
            );
            if (up > 0)
              newRS = scale(d, newRS, replicasOf(newRS) + up, maxSurge);
          }
        }
        if (oldActive().length > 0) {
          const minAvailable = desired - maxUnavailable;
          const newUnavailable = replicasOf(newRS) - readyOf(newRS);
          const allPods = [newRS, ...old].reduce(
            (n, rs) => n + replicasOf(rs),
            0,
          );
          let budget = allPods - minAvailable - newUnavailable;
          // First remove old pods that are not ready: they serve nothing.
          for (let i = 0; i < old.length && budget > 0; i++) {
            const rs = old[i];
            const unhealthy =
              replicasOf(rs) - Math.min(replicasOf(rs), readyOf(rs));
            if (unhealthy <= 0) continue;
            const n = Math.min(budget, unhealthy);
            old[i] = scale(d, rs, replicasOf(rs) - n, maxSurge);
            budget -= n;
          }
          // Then scale old ReplicaSets down as long as enough pods stay available.
          const available = [newRS, ...old].reduce(
            (n, rs) => n + Math.min(replicasOf(rs), readyOf(rs)),
            0,
          );
          let scaleDown = available - minAvailable;
          for (let i = 0; i < old.length && scaleDown > 0; i++) {
            const rs = old[i];
            if (replicasOf(rs) === 0) continue;
            const n = Math.min(replicasOf(rs), scaleDown);
            old[i] = scale(d, rs, replicasOf(rs) - n, maxSurge);
            scaleDown -= n;
          }
        }
      }
    }
    cleanupHistory(d, old);

    // The revision annotation goes through the status subresource, as kube-controller-manager
    // writes it: no generation bump.
    const revision = newRS ? String(revisionOf(newRS)) : undefined;
    const latest = store.get(R.deployments, namespace, name);
    if (
      revision &&
      latest &&
      latest.metadata.annotations?.[REVISION] !== revision
    ) {
      latest.metadata.annotations = {
        ...(latest.metadata.annotations ?? {}),
        [REVISION]: revision,
      };
      store.updateStatus(R.deployments, latest);
    }
    writeStatus(namespace!, name, hash, createdNew, maxUnavailable);
  }

  function cleanupHistory(d: KubeObject, old: KubeObject[]) {
    const limit = Number(d.spec?.revisionHistoryLimit ?? 10);
    const idle = old
      .filter(rs => replicasOf(rs) === 0 && podsOf(ctx, rs).length === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      store.delete(R.replicasets, rs.metadata.namespace, rs.metadata.name);
    }
  }

  function writeStatus(
    namespace: string,
    name: string,
    hash: string,
    createdNew: boolean,
    maxUnavailable: number,
  ) {
    const nowMs = clock.now();
    const now = rfc3339(nowMs);
    store.modify(R.deployments, namespace, name, d => {
      const desired = Math.max(0, Number(d.spec?.replicas ?? 1));
      const all = store
        .list(R.replicasets, { namespace })
        .filter(rs => isControlledBy(rs, d));
      const newRS = all.find(
        rs => rs.metadata.labels?.['pod-template-hash'] === hash,
      );
      let replicas = 0;
      let ready = 0;
      let updated = 0;
      for (const rs of all) {
        const pods = podsOf(ctx, rs);
        replicas += pods.length;
        ready += pods.filter(isPodReady).length;
        if (rs === newRS) updated = pods.length;
      }
      const available = ready;
      const specTotal = all.reduce((n, rs) => n + replicasOf(rs), 0);
      const previous = d.status ?? {};
      const status: any = {
        observedGeneration: d.metadata.generation ?? 1,
        replicas,
        updatedReplicas: updated,
        readyReplicas: ready,
        availableReplicas: available,
        unavailableReplicas: Math.max(0, specTotal - available),
      };
      for (const field of [
        'replicas',
        'updatedReplicas',
        'readyReplicas',
        'availableReplicas',
        'unavailableReplicas',
      ]) {
        if (!status[field]) delete status[field];
      }
      const conditions: any[] = (previous.conditions ?? []).map((c: any) => ({
        ...c,
      }));
      const setCondition = (
        cond: { type: string; status: string; reason: string; message: string },
        touch: boolean,
      ) => {
        const existing = conditions.find(c => c.type === cond.type);
        if (!existing) {
          conditions.push({
            ...cond,
            lastUpdateTime: now,
            lastTransitionTime: now,
          });
          return;
        }
        if (existing.status !== cond.status) existing.lastTransitionTime = now;
        if (
          touch ||
          existing.reason !== cond.reason ||
          existing.message !== cond.message ||
          existing.status !== cond.status
        )
          existing.lastUpdateTime = now;
        Object.assign(existing, cond);
      };
      const minimum = available >= desired - maxUnavailable;
      setCondition(
        minimum
          ? {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
            }
          : {
              type: 'Available',
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            },
        false,
      );
      const rsName = newRS?.metadata.name ?? name;
      const subject = newRS ? `ReplicaSet "${rsName}"` : `Deployment "${name}"`;
      const complete =
        updated === desired && replicas === desired && available === desired;
      const progressed =
        Number(status.updatedReplicas ?? 0) >
          Number(previous.updatedReplicas ?? 0) ||
        Number(status.replicas ?? 0) < Number(previous.replicas ?? 0) ||
        Number(status.readyReplicas ?? 0) >
          Number(previous.readyReplicas ?? 0) ||
        Number(status.availableReplicas ?? 0) >
          Number(previous.availableReplicas ?? 0);
      const progressing = conditions.find(c => c.type === 'Progressing');
      if (d.spec?.paused) {
        setCondition(
          {
            type: 'Progressing',
            status: 'Unknown',
            reason: 'DeploymentPaused',
            message: 'Deployment is paused',
          },
          false,
        );
      } else if (complete) {
        setCondition(
          {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `${subject} has successfully progressed.`,
          },
          false,
        );
      } else if (createdNew) {
        setCondition(
          {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetCreated',
            message: `Created new replica set "${rsName}"`,
          },
          true,
        );
      } else if (
        progressed ||
        !progressing ||
        progressing.reason === 'NewReplicaSetAvailable' ||
        progressing.reason === 'DeploymentPaused'
      ) {
        setCondition(
          {
            type: 'Progressing',
            status: 'True',
            reason: 'ReplicaSetUpdated',
            message: `${subject} is progressing.`,
          },
          true,
        );
      } else if (progressing.status === 'True') {
        const deadlineMs =
          Number(d.spec?.progressDeadlineSeconds ?? 600) * 1000;
        const simulatedElapsed =
          (nowMs - Date.parse(progressing.lastUpdateTime ?? now)) *
          clock.timeScale;
        if (simulatedElapsed >= deadlineMs) {
          setCondition(
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `${subject} has timed out progressing.`,
            },
            true,
          );
        }
      }
      const conditionOrder = ['Available', 'Progressing'];
      const order = (t: string) => {
        const i = conditionOrder.indexOf(t);
        return i < 0 ? conditionOrder.length : i;
      };
      conditions.sort((a, b) => order(a.type) - order(b.type));
      status.conditions = conditions;
      if (previous.collisionCount !== undefined)
        status.collisionCount = previous.collisionCount;
      if (jsonEqual(previous, status)) return false;
      d.status = status;
      return true;
    });
  }

  function enqueueOwnerOfReplicaSet(rs: KubeObject) {
    const owner = controllerOf(rs);
    if (owner?.kind === 'Deployment')
      queue.add(`${rs.metadata.namespace}/${owner.name}`);
  }

  return {
    name: 'deployment-controller',
    onEvent(event) {
      if (isResource(event, R.deployments)) queue.add(keyOf(event.object));
      else if (isResource(event, R.replicasets))
        enqueueOwnerOfReplicaSet(event.object);
      else if (isResource(event, R.pods)) {
        const owner = controllerOf(event.object);
        if (owner?.kind !== 'ReplicaSet') return;
        const rs = store.get(
          R.replicasets,
          event.object.metadata.namespace,
          owner.name,
        );
        if (rs) enqueueOwnerOfReplicaSet(rs);
      }
    },
    resyncAll() {
      for (const d of store.list(R.deployments)) queue.add(keyOf(d));
      cancelResync ??= clock.every(resyncPeriod, () => {
        // Re-check unfinished rollouts so ProgressDeadlineExceeded appears without other changes.
        for (const d of store.list(R.deployments))
          if (!isDeploymentComplete(d)) queue.add(keyOf(d));
      });
    },
    stop() {
      cancelResync?.();
      queue.stop();
    },
  };
}
