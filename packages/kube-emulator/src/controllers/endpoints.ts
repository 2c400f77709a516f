import { matchesMapSelector } from '../store/labelSelector';
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
  controllerRef,
  fnv32a,
  jsonEqual,
  randomSuffix,
  rfc3339,
} from './util';

const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const SERVICE_NAME = 'kubernetes.io/service-name';
const LOAD_BALANCER_POOL_FIRST = 100;
const LOAD_BALANCER_POOL_SIZE = 100;

/** Resolves a Service port's targetPort against a pod (a number, or a named container port). @public */
export function resolveTargetPort(
  port: any,
  pod: KubeObject | undefined,
): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  for (const c of pod?.spec?.containers ?? []) {
    for (const p of c.ports ?? [])
      if (p.name === target) return Number(p.containerPort);
  }
  return undefined;
}

/** Ready pods selected by a Service (empty for a Service without selector). @public */
export function selectedPods(
  ctx: { store: ControllerContext['store'] },
  svc: KubeObject,
): KubeObject[] {
  const selector = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return ctx.store
    .list(R.pods, { namespace: svc.metadata.namespace })
    .filter(
      pod =>
        matchesMapSelector(selector, pod.metadata.labels) &&
        pod.status?.podIP &&
        !pod.metadata.deletionTimestamp,
    );
}

/**
 * Service controller: ClusterIP allocation/defaults (when the API layer did not default them), LoadBalancer
 * ingress IPs, and the Endpoints + EndpointSlice of every Service with a selector.
 * @public
 */
export function createEndpointsController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  const queue = new WorkQueue('endpoint-controller', reconcile);
  const usedClusterIps = new Set<string>();
  const usedNodePorts = new Set<number>();
  const usedLoadBalancerIps = new Set<string>();

  function allocateClusterIp(key: string): string {
    let n = fnv32a(key) % (250 * 250);
    for (let i = 0; i < 250 * 250; i++) {
      const ip = `10.96.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;
      if (!usedClusterIps.has(ip)) {
        usedClusterIps.add(ip);
        return ip;
      }
      n = (n + 1) % (250 * 250);
    }
    return '10.96.0.100';
  }

  /** A free port of 30000-32767, or undefined when the range is full (the port stays unset). */
  function allocateNodePort(): number | undefined {
    if (usedNodePorts.size >= 32767 - 30000 + 1) return undefined;
    for (
      let port = 30000 + ((usedNodePorts.size * 7919) % 2767);
      ;
      port = port >= 32767 ? 30000 : port + 1
    ) {
      if (!usedNodePorts.has(port)) {
        usedNodePorts.add(port);
        return port;
      }
    }
  }

  function defaultService(svc: KubeObject): KubeObject {
    const spec = svc.spec ?? {};
    const needsIp = spec.clusterIP === undefined || spec.clusterIP === '';
    const type = spec.type ?? 'ClusterIP';
    const needsPortDefaults = (spec.ports ?? []).some(
      (p: any) =>
        !p.protocol ||
        p.targetPort === undefined ||
        ((type === 'NodePort' || type === 'LoadBalancer') && !p.nodePort),
    );
    const needsFields =
      !spec.type ||
      !spec.sessionAffinity ||
      !spec.ipFamilies ||
      !spec.internalTrafficPolicy;
    if (
      type === 'ExternalName' ||
      (!needsIp && !needsPortDefaults && !needsFields)
    )
      return svc;
    return (
      store.modify(
        R.services,
        svc.metadata.namespace,
        svc.metadata.name,
        current => {
          const s = (current.spec ??= {});
          s.type ??= 'ClusterIP';
          if (s.clusterIP === undefined || s.clusterIP === '') {
            s.clusterIP = allocateClusterIp(keyOf(current));
            s.clusterIPs = [s.clusterIP];
          } else if (s.clusterIP !== 'None') {
            usedClusterIps.add(s.clusterIP);
            s.clusterIPs ??= [s.clusterIP];
          }
          s.ipFamilies ??= ['IPv4'];
          s.ipFamilyPolicy ??= 'SingleStack';
          s.sessionAffinity ??= 'None';
          s.internalTrafficPolicy ??= 'Cluster';
          if (s.type === 'NodePort' || s.type === 'LoadBalancer')
            s.externalTrafficPolicy ??= 'Cluster';
          if (s.type === 'LoadBalancer')
            s.allocateLoadBalancerNodePorts ??= true;
          s.ports = (s.ports ?? []).map((p: any) => {
            const port = {
              ...p,
              protocol: p.protocol ?? 'TCP',
              targetPort: p.targetPort ?? p.port,
            };
            if (
              (s.type === 'NodePort' || s.type === 'LoadBalancer') &&
              !port.nodePort
            )
              port.nodePort = allocateNodePort() ?? port.nodePort;
            return port;
          });
        },
      ) ?? svc
    );
  }

  /**
   * A free address of the LoadBalancer pool 192.168.134.100-199 (Gateways use .30-.99), starting
   * where the Service's name points so that a demo keeps its addresses; undefined when it is full.
   */
  function allocateLoadBalancerIp(svc: KubeObject): string | undefined {
    const start = fnv32a(keyOf(svc)) % LOAD_BALANCER_POOL_SIZE;
    for (let i = 0; i < LOAD_BALANCER_POOL_SIZE; i++) {
      const ip = `192.168.134.${
        LOAD_BALANCER_POOL_FIRST + ((start + i) % LOAD_BALANCER_POOL_SIZE)
      }`;
      if (!usedLoadBalancerIps.has(ip)) {
        usedLoadBalancerIps.add(ip);
        return ip;
      }
    }
    return undefined;
  }

  function loadBalancerStatus(svc: KubeObject) {
    if (svc.spec?.type !== 'LoadBalancer') return;
    if (svc.status?.loadBalancer?.ingress?.length) return;
    const ip = allocateLoadBalancerIp(svc);
    if (!ip) return; // A full pool leaves the Service pending, as on a cluster.
    store.modify(
      R.services,
      svc.metadata.namespace,
      svc.metadata.name,
      current => {
        if (current.status?.loadBalancer?.ingress?.length) return false;
        current.status = {
          ...(current.status ?? {}),
          loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] },
        };
        return true;
      },
    );
  }

  function reconcile(key: string) {
    const { namespace, name } = splitKey(key);
    let svc = store.get(R.services, namespace, name);
    if (!svc) {
      // Endpoints have no owner reference: remove them with their Service.
      if (store.get(R.endpoints, namespace, name))
        store.delete(R.endpoints, namespace, name);
      return;
    }
    svc = defaultService(svc);
    loadBalancerStatus(svc);
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) return; // endpoints are managed by the user
    const pods = selectedPods(ctx, svc);
    const ports: any[] = svc.spec?.ports ?? [];

    // Endpoints (core/v1): one subset per distinct resolved port set.
    const subsets = new Map<
      string,
      { addresses: any[]; notReadyAddresses: any[]; ports: any[] }
    >();
    for (const pod of pods) {
      const resolved = ports.map(p => ({
        name: p.name,
        port: resolveTargetPort(p, pod),
        protocol: p.protocol ?? 'TCP',
      }));
      if (resolved.some(p => p.port === undefined)) continue;
      const portKey = JSON.stringify(resolved);
      const subset = subsets.get(portKey) ?? {
        addresses: [],
        notReadyAddresses: [],
        ports: resolved.map(p =>
          p.name ? p : { port: p.port, protocol: p.protocol },
        ),
      };
      subsets.set(portKey, subset);
      const address = {
        ip: pod.status.podIP,
        nodeName: pod.spec?.nodeName,
        targetRef: {
          kind: 'Pod',
          namespace: pod.metadata.namespace,
          name: pod.metadata.name,
          uid: pod.metadata.uid,
        },
      };
      (isPodReady(pod) ? subset.addresses : subset.notReadyAddresses).push(
        address,
      );
    }
    const subsetList = [...subsets.values()].map(s => {
      const out: any = { ...s };
      out.addresses.sort((a: any, b: any) => compareIp(a.ip, b.ip));
      out.notReadyAddresses.sort((a: any, b: any) => compareIp(a.ip, b.ip));
      if (!out.addresses.length) delete out.addresses;
      if (!out.notReadyAddresses.length) delete out.notReadyAddresses;
      return out;
    });
    const now = rfc3339(clock.now());
    const existing = store.get(R.endpoints, namespace, name);
    const labels = { ...(svc.metadata.labels ?? {}) };
    if (!existing) {
      const ep: KubeObject = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name,
          namespace,
          labels,
          annotations: {
            'endpoints.kubernetes.io/last-change-trigger-time': now,
          },
        },
      };
      if (subsetList.length) ep.subsets = subsetList;
      store.create(R.endpoints, ep);
    } else {
      store.modify(R.endpoints, namespace, name, current => {
        const same =
          jsonEqual(current.subsets ?? [], subsetList) &&
          jsonEqual(current.metadata.labels ?? {}, labels);
        if (same) return false;
        current.metadata.labels = labels;
        current.metadata.annotations = {
          ...(current.metadata.annotations ?? {}),
          'endpoints.kubernetes.io/last-change-trigger-time': now,
        };
        if (subsetList.length) current.subsets = subsetList;
        else delete current.subsets;
        return true;
      });
    }

    // EndpointSlice (discovery.k8s.io/v1): every port carries a name ("" when unnamed) — kubectl describe needs it.
    const slicePorts = ports.map(p => ({
      name: p.name ?? '',
      port:
        resolveTargetPort(p, pods[0]) ??
        (typeof p.targetPort === 'number' ? p.targetPort : p.port),
      protocol: p.protocol ?? 'TCP',
    }));
    const endpoints = pods
      .map(pod => {
        const ready = isPodReady(pod);
        return {
          addresses: [pod.status.podIP],
          conditions: { ready, serving: ready, terminating: false },
          nodeName: pod.spec?.nodeName,
          targetRef: {
            kind: 'Pod',
            namespace: pod.metadata.namespace,
            name: pod.metadata.name,
            uid: pod.metadata.uid,
          },
        };
      })
      .sort((a, b) => compareIp(a.addresses[0], b.addresses[0]));
    const sliceLabels = {
      ...(svc.metadata.labels ?? {}),
      [SERVICE_NAME]: name,
      [MANAGED_BY]: 'endpointslice-controller.k8s.io',
    };
    const slices = store.list(R.endpointslices, {
      namespace,
      labelSelector: `${SERVICE_NAME}=${name}`,
    });
    const mine = slices.filter(
      s =>
        s.metadata.labels?.[MANAGED_BY] === 'endpointslice-controller.k8s.io',
    );
    if (mine.length === 0) {
      store.create(R.endpointslices, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${name}-${randomSuffix()}`,
          namespace,
          labels: sliceLabels,
          annotations: {
            'endpoints.kubernetes.io/last-change-trigger-time': now,
          },
          ownerReferences: [controllerRef(svc)],
        },
        addressType: 'IPv4',
        endpoints,
        ports: slicePorts,
      });
    } else {
      const [slice, ...extra] = mine;
      for (const s of extra)
        store.delete(R.endpointslices, namespace, s.metadata.name);
      store.modify(
        R.endpointslices,
        namespace,
        slice.metadata.name,
        current => {
          if (
            jsonEqual(current.endpoints ?? [], endpoints) &&
            jsonEqual(current.ports ?? [], slicePorts) &&
            jsonEqual(current.metadata.labels, sliceLabels)
          )
            return false;
          current.endpoints = endpoints;
          current.ports = slicePorts;
          current.metadata.labels = sliceLabels;
          current.metadata.annotations = {
            ...(current.metadata.annotations ?? {}),
            'endpoints.kubernetes.io/last-change-trigger-time': now,
          };
          return true;
        },
      );
    }
  }

  function enqueueServicesOf(namespace: string | undefined) {
    for (const svc of store.list(R.services, { namespace }))
      queue.add(keyOf(svc));
  }

  return {
    name: 'endpoint-controller',
    onEvent(event) {
      if (isResource(event, R.services)) {
        queue.add(keyOf(event.object));
        if (event.type === 'DELETED' && event.object.spec?.clusterIP)
          usedClusterIps.delete(event.object.spec.clusterIP);
        if (event.type === 'DELETED')
          for (const ingress of event.object.status?.loadBalancer?.ingress ??
            [])
            if (ingress.ip) usedLoadBalancerIps.delete(ingress.ip);
      } else if (isResource(event, R.pods))
        enqueueServicesOf(event.object.metadata.namespace);
      else if (isResource(event, R.endpoints) && event.type === 'DELETED')
        queue.add(keyOf(event.object));
    },
    resyncAll() {
      for (const svc of store.list(R.services)) {
        if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None')
          usedClusterIps.add(svc.spec.clusterIP);
        for (const p of svc.spec?.ports ?? [])
          if (p.nodePort) usedNodePorts.add(p.nodePort);
        for (const ingress of svc.status?.loadBalancer?.ingress ?? [])
          if (ingress.ip) usedLoadBalancerIps.add(ingress.ip);
      }
      enqueueServicesOf(undefined);
    },
    stop() {
      queue.stop();
    },
  };
}

function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}
