import type { KubeObject, StoreEvent } from '../store/types';
import { R } from './resources';
import {
  type Controller,
  type ControllerContext,
  isResource,
  keyOf,
} from './runtime';
import { fnv32a, rfc3339 } from './util';

/** Pod annotation that keeps a pod's containers from ever becoming Ready (readiness probe fails). @public */
export const ANNOTATION_NOT_READY = 'kube-emulator.io/not-ready';

/** The simulated nodes pods are scheduled to (the scenarios create matching Node objects). @public */
export const NODES = [
  { name: 'kube-emulator-worker', internalIP: '172.18.0.2', podCidrOctet: 1 },
  { name: 'kube-emulator-worker2', internalIP: '172.18.0.3', podCidrOctet: 2 },
];

const scheduler = { component: 'default-scheduler' };

/**
 * A simulated scheduler + kubelet: binds new pods to a node, then walks them through
 * Pending -> Running (containers started) -> Ready after `podReadyDelayMs` simulated milliseconds.
 * @public
 */
export function createKubelet(ctx: ControllerContext): Controller {
  const { store, clock, recorder } = ctx;
  const timers = new Map<string, (() => void)[]>();
  const usedIps = new Set<string>();
  let nextNode = 0;
  let nextHost = 2;

  function allocateIp(octet: number): string {
    for (let i = 0; i < 250 * 2; i++) {
      const host = nextHost;
      nextHost = nextHost >= 254 ? 2 : nextHost + 1;
      const ip = `10.244.${octet}.${host}`;
      if (!usedIps.has(ip)) {
        usedIps.add(ip);
        return ip;
      }
    }
    return `10.244.${octet}.254`;
  }

  function later(uid: string, delayMs: number, fn: () => void) {
    const cancel = clock.after(delayMs, () => {
      const list = timers.get(uid);
      if (list) list.splice(list.indexOf(cancel), 1);
      fn();
    });
    const list = timers.get(uid) ?? [];
    list.push(cancel);
    timers.set(uid, list);
  }

  function containerStatuses(
    pod: KubeObject,
    containersReady: boolean,
    startedAt: string,
  ) {
    return (pod.spec?.containers ?? []).map((c: any) => ({
      name: c.name,
      image: c.image,
      imageID: imageId(c.image),
      containerID: `containerd://${fnv32a(`${pod.metadata.uid}/${c.name}`)
        .toString(16)
        .padStart(8, '0')
        .repeat(8)}`,
      ready: containersReady,
      started: true,
      restartCount: 0,
      state: { running: { startedAt } },
      lastState: {},
    }));
  }

  function schedule(pod: KubeObject) {
    const uid = pod.metadata.uid ?? keyOf(pod);
    const node = NODES[nextNode++ % NODES.length];
    const now = rfc3339(clock.now());
    const bound = store.modify(
      R.pods,
      pod.metadata.namespace,
      pod.metadata.name,
      p => {
        if (p.spec?.nodeName || p.metadata.deletionTimestamp) return false;
        p.spec = { ...(p.spec ?? {}), nodeName: node.name };
        p.status = {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'True',
              lastProbeTime: null,
              lastTransitionTime: now,
            },
          ],
          qosClass: 'BestEffort',
        };
        return true;
      },
    );
    if (!bound) return;
    recorder.normal(
      bound,
      'Scheduled',
      `Successfully assigned ${bound.metadata.namespace}/${bound.metadata.name} to ${node.name}`,
      scheduler,
    );
    later(uid, ctx.podReadyDelayMs / 2, () =>
      start(pod.metadata.namespace!, pod.metadata.name, uid, node),
    );
  }

  function start(
    namespace: string,
    name: string,
    uid: string,
    node: (typeof NODES)[number],
  ) {
    const current = store.get(R.pods, namespace, name);
    if (
      !current ||
      current.metadata.uid !== uid ||
      current.metadata.deletionTimestamp
    )
      return;
    const source = { component: 'kubelet', host: node.name };
    for (const c of current.spec?.containers ?? []) {
      recorder.normal(
        current,
        'Pulled',
        `Container image "${c.image}" already present on machine`,
        source,
        `spec.containers{${c.name}}`,
      );
      recorder.normal(
        current,
        'Created',
        `Created container: ${c.name}`,
        source,
        `spec.containers{${c.name}}`,
      );
      recorder.normal(
        current,
        'Started',
        `Started container ${c.name}`,
        source,
        `spec.containers{${c.name}}`,
      );
    }
    const podIP = current.status?.podIP ?? allocateIp(node.podCidrOctet);
    const now = rfc3339(clock.now());
    const running = store.modify(R.pods, namespace, name, p => {
      if (p.metadata.uid !== uid) return false;
      const scheduled = (p.status?.conditions ?? []).find(
        (c: any) => c.type === 'PodScheduled',
      );
      p.status = {
        phase: 'Running',
        conditions: [
          {
            type: 'PodReadyToStartContainers',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: now,
          },
          {
            type: 'Initialized',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: now,
          },
          {
            type: 'Ready',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: now,
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${containerNames(p)}]`,
          },
          {
            type: 'ContainersReady',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: now,
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${containerNames(p)}]`,
          },
          scheduled ?? {
            type: 'PodScheduled',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: now,
          },
        ],
        hostIP: node.internalIP,
        hostIPs: [{ ip: node.internalIP }],
        podIP,
        podIPs: [{ ip: podIP }],
        startTime: now,
        containerStatuses: containerStatuses(p, false, now),
        qosClass: 'BestEffort',
      };
      return true;
    });
    if (!running) return;
    if (running.metadata.annotations?.[ANNOTATION_NOT_READY] === 'true') {
      later(uid, ctx.podReadyDelayMs / 2, () => {
        const pod = store.get(R.pods, namespace, name);
        if (pod && pod.metadata.uid === uid) {
          recorder.warning(
            pod,
            'Unhealthy',
            'Readiness probe failed: HTTP probe failed with statuscode: 503',
            source,
            `spec.containers{${pod.spec?.containers?.[0]?.name ?? ''}}`,
          );
        }
      });
      return;
    }
    later(uid, ctx.podReadyDelayMs / 2, () => ready(namespace, name, uid));
  }

  function ready(namespace: string, name: string, uid: string) {
    const now = rfc3339(clock.now());
    store.modify(R.pods, namespace, name, p => {
      if (p.metadata.uid !== uid || p.status?.phase !== 'Running') return false;
      if (p.metadata.annotations?.[ANNOTATION_NOT_READY] === 'true')
        return false;
      for (const c of p.status.conditions ?? []) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') {
          c.status = 'True';
          c.lastTransitionTime = now;
          delete c.reason;
          delete c.message;
        }
      }
      for (const cs of p.status.containerStatuses ?? []) cs.ready = true;
      return true;
    });
  }

  function cancelTimers(uid: string) {
    for (const cancel of timers.get(uid) ?? []) cancel();
    timers.delete(uid);
  }

  function onPod(type: StoreEvent['type'], pod: KubeObject) {
    const uid = pod.metadata.uid ?? keyOf(pod);
    if (type === 'DELETED') {
      cancelTimers(uid);
      if (pod.status?.podIP) usedIps.delete(pod.status.podIP);
      return;
    }
    if (pod.status?.podIP) usedIps.add(pod.status.podIP);
    if (
      !pod.spec?.nodeName &&
      !pod.metadata.deletionTimestamp &&
      !timers.has(uid)
    ) {
      // Bind outside the store's synchronous delivery.
      later(uid, 0, () => {
        const current = store.get(
          R.pods,
          pod.metadata.namespace,
          pod.metadata.name,
        );
        if (current && current.metadata.uid === uid) schedule(current);
      });
    }
  }

  return {
    name: 'kubelet',
    onEvent(event) {
      if (isResource(event, R.pods)) onPod(event.type, event.object);
    },
    resyncAll() {
      for (const pod of store.list(R.pods)) {
        if (pod.status?.podIP) usedIps.add(pod.status.podIP);
      }
      for (const pod of store.list(R.pods)) {
        const uid = pod.metadata.uid ?? keyOf(pod);
        if (!pod.spec?.nodeName) onPod('ADDED', pod);
        else if (pod.status?.phase !== 'Running' || !isPodReady(pod)) {
          const node =
            NODES.find(n => n.name === pod.spec.nodeName) ?? NODES[0];
          if (pod.status?.phase === 'Running')
            later(uid, ctx.podReadyDelayMs / 2, () =>
              ready(pod.metadata.namespace!, pod.metadata.name, uid),
            );
          else
            later(uid, ctx.podReadyDelayMs / 2, () =>
              start(pod.metadata.namespace!, pod.metadata.name, uid, node),
            );
        }
      }
    },
    stop() {
      for (const uid of [...timers.keys()]) cancelTimers(uid);
    },
  };
}

function containerNames(pod: KubeObject): string {
  return (pod.spec?.containers ?? []).map((c: any) => c.name).join(' ');
}

function imageId(image: string): string {
  const repo = String(image)
    .split('@')[0]
    .replace(/:[^/:]*$/, '');
  let qualified = `docker.io/library/${repo}`;
  if (repo.includes('/')) {
    // A first path segment with a dot is a registry host (quay.io/...).
    qualified = repo.split('/')[0].includes('.') ? repo : `docker.io/${repo}`;
  }
  const digest = fnv32a(String(image)).toString(16).padStart(8, '0').repeat(8);
  return `${qualified}@sha256:${digest}`;
}

/** Whether a pod's Ready condition is True. @public */
export function isPodReady(pod: KubeObject): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );
}
