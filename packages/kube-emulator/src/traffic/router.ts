import { matchesMapSelector } from '../store/labelSelector';
import type { KubeObject, Store } from '../store/types';
import { isPodReady } from '../controllers/kubelet';
import { R } from '../controllers/resources';
import { controllerOf } from '../controllers/util';
import { type VersionHealth, healthOf } from './health';

/** One version behind a host, with its share of the host's requests. @public */
export interface RoutedVersion {
  /** Deployment name (or the Service name when it has no ready endpoints). */
  version: string;
  /** Share of the host's requests, 0-100. */
  weight: number;
  health: VersionHealth;
  readyPods: number;
  /** The Service the version is reached through (and its port), named in the mesh metrics. */
  service?: { namespace: string; name: string; port?: number };
}

/** A host receiving simulated traffic and how its requests are split. @public */
export interface HostRoute {
  namespace: string;
  host: string;
  /** The object that decides the split: `Service/web`, `HTTPRoute/web`, `VirtualService/web`. */
  via: string;
  /**
   * `http` for requests (a Service, an HTTPRoute, a VirtualService's first http route), `tcp` for a
   * VirtualService tcp route: a stream of connections on `<host>:<port>` beside the host's http stream.
   */
  protocol: 'http' | 'tcp';
  versions: RoutedVersion[];
}

function serviceName(
  host: string,
  namespace: string,
): { namespace: string; name: string } {
  const parts = host.split('.');
  if (
    parts.length >= 2 &&
    (parts.length === 2 || host.endsWith('.svc') || host.includes('.svc.'))
  ) {
    return { name: parts[0], namespace: parts[1] };
  }
  return { name: parts[0], namespace };
}

/** The versions (Deployments) behind a Service, weighted by their ready pods. @public */
export function serviceVersions(
  store: Store,
  namespace: string,
  name: string,
): RoutedVersion[] {
  const svc = store.get(R.services, namespace, name);
  const port = svc?.spec?.ports?.[0]?.port;
  const service = {
    namespace,
    name,
    ...(typeof port === 'number' ? { port } : {}),
  };
  const unavailable: RoutedVersion = {
    version: name,
    weight: 100,
    health: { successRate: 0, latencyP99Ms: 3, source: 'no endpoints' },
    readyPods: 0,
    service,
  };
  const selector = svc?.spec?.selector;
  if (!svc || !selector || Object.keys(selector).length === 0)
    return [unavailable];
  const groups = new Map<string, KubeObject[]>();
  for (const pod of store.list(R.pods, { namespace })) {
    if (!isPodReady(pod) || !matchesMapSelector(selector, pod.metadata.labels))
      continue;
    const version = workloadOf(store, pod);
    groups.set(version, [...(groups.get(version) ?? []), pod]);
  }
  const total = [...groups.values()].reduce((n, pods) => n + pods.length, 0);
  if (total === 0) return [unavailable];
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([version, pods]) => ({
      version,
      weight: (100 * pods.length) / total,
      health: healthOf(pods[0]),
      readyPods: pods.length,
      service,
    }));
}

/** The Deployment a pod belongs to (through its ReplicaSet), else its ReplicaSet or its own name. @public */
export function workloadOf(store: Store, pod: KubeObject): string {
  const owner = controllerOf(pod);
  if (owner?.kind === 'ReplicaSet') {
    const rs = store.get(R.replicasets, pod.metadata.namespace, owner.name);
    const deployment = rs && controllerOf(rs);
    if (deployment?.kind === 'Deployment') return deployment.name;
    return owner.name;
  }
  return owner?.name ?? pod.metadata.name;
}

function split(
  store: Store,
  backends: {
    namespace: string;
    name: string;
    weight: number;
    port?: number;
  }[],
): RoutedVersion[] {
  const total = backends.reduce((n, b) => n + Math.max(0, b.weight), 0);
  const out = new Map<string, RoutedVersion>();
  if (total <= 0) return [];
  for (const backend of backends) {
    if (backend.weight <= 0) continue;
    for (const v of serviceVersions(store, backend.namespace, backend.name)) {
      const share = (backend.weight / total) * v.weight;
      const existing = out.get(v.version);
      if (existing) existing.weight += share;
      else
        out.set(v.version, {
          ...v,
          weight: share,
          ...(v.service && backend.port !== undefined
            ? { service: { ...v.service, port: backend.port } }
            : {}),
        });
    }
  }
  return [...out.values()];
}

/** Every host with traffic and its current split, read from the live routing objects. @public */
export function computeRoutes(store: Store): HostRoute[] {
  const routes: HostRoute[] = [];
  const routedServices = new Set<string>();
  for (const vs of store.list(R.virtualservices)) {
    const namespace = vs.metadata.namespace!;
    const hosts: string[] = vs.spec?.hosts ?? [];
    for (const host of hosts) {
      const svc = serviceName(host, namespace);
      routedServices.add(`${svc.namespace}/${svc.name}`);
    }
    const host = hosts[0] ?? vs.metadata.name;
    const backendsOf = (route: any[]) =>
      route.map((r: any) => {
        const svc = serviceName(String(r.destination?.host ?? ''), namespace);
        routedServices.add(`${svc.namespace}/${svc.name}`);
        const port = Number(r.destination?.port?.number);
        return {
          ...svc,
          weight: r.weight ?? (route.length === 1 ? 100 : 0),
          ...(Number.isInteger(port) && port > 0 ? { port } : {}),
        };
      });
    const http: any[] | undefined = vs.spec?.http?.[0]?.route;
    const tcp: any[] = (vs.spec?.tcp ?? []).filter((t: any) =>
      Array.isArray(t?.route),
    );
    // Requests follow the first http route (or a tls route when there is neither http nor tcp).
    const requestRoute =
      http ?? (tcp.length === 0 ? vs.spec?.tls?.[0]?.route : undefined);
    if (requestRoute) {
      routes.push({
        namespace,
        host,
        via: `VirtualService/${vs.metadata.name}`,
        protocol: 'http',
        versions: split(store, backendsOf(requestRoute)),
      });
    }
    // Every tcp route is a stream of its own on <host>:<port>.
    const seenPorts = new Set<string>();
    for (const [i, t] of tcp.entries()) {
      const backends = backendsOf(t.route);
      const port = String(
        t.match?.find((m: any) => m?.port)?.port ??
          backends.find(b => b.port !== undefined)?.port ??
          (backends[0] &&
            store.get(R.services, backends[0].namespace, backends[0].name)?.spec
              ?.ports?.[0]?.port) ??
          `tcp${i}`,
      );
      if (seenPorts.has(port)) continue; // a later route for the same port only sees what the first leaves over
      seenPorts.add(port);
      routes.push({
        namespace,
        host: `${host}:${port}`,
        via: `VirtualService/${vs.metadata.name}`,
        protocol: 'tcp',
        versions: split(store, backends),
      });
    }
  }
  for (const httpRoute of store.list(R.httproutes)) {
    const namespace = httpRoute.metadata.namespace!;
    const refs: any[] = httpRoute.spec?.rules?.[0]?.backendRefs ?? [];
    const backends = refs
      .filter(ref => (ref.kind ?? 'Service') === 'Service')
      .map(ref => {
        // A backendRef to another namespace only counts when it exists (the document's refs say `namespace: default`).
        const ns =
          ref.namespace && store.get(R.services, ref.namespace, ref.name)
            ? ref.namespace
            : namespace;
        routedServices.add(`${ns}/${ref.name}`);
        return {
          namespace: ns,
          name: ref.name,
          weight: ref.weight ?? 1,
          ...(typeof ref.port === 'number' ? { port: ref.port } : {}),
        };
      });
    routes.push({
      namespace,
      host: httpRoute.spec?.hostnames?.[0] ?? httpRoute.metadata.name,
      via: `HTTPRoute/${httpRoute.metadata.name}`,
      protocol: 'http',
      versions: split(store, backends),
    });
  }
  for (const svc of store.list(R.services)) {
    const namespace = svc.metadata.namespace!;
    if (routedServices.has(`${namespace}/${svc.metadata.name}`)) continue;
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0)
      continue;
    const versions = serviceVersions(store, namespace, svc.metadata.name);
    if (versions.every(v => v.readyPods === 0)) continue; // nothing behind it: no simulated clients either
    routes.push({
      namespace,
      host: svc.metadata.name,
      via: `Service/${svc.metadata.name}`,
      protocol: 'http',
      versions,
    });
  }
  return routes;
}
