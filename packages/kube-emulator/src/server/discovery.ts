import { createHash } from 'node:crypto';
import {
  compareKubeVersions,
  type ResourceInfo,
  type ResourceRegistry,
} from '../store/resources';

/** Built-in groups in the order kube-apiserver lists them; custom groups follow sorted. */
const builtinGroupOrder = [
  'apps',
  'events.k8s.io',
  'autoscaling',
  'batch',
  'networking.k8s.io',
  'discovery.k8s.io',
  'apiextensions.k8s.io',
];

/** A served group-version and its resources. */
export interface GroupVersion {
  group: string;
  version: string;
  resources: ResourceInfo[];
}

export interface ServedGroup {
  name: string;
  /** Preferred first. */
  versions: string[];
}

function storageVersionHash(info: ResourceInfo): string {
  return createHash('sha256')
    .update(`${info.group}/${info.storageVersion}/${info.kind}`)
    .digest('base64')
    .slice(0, 11);
}

/** Groups (without core) in discovery order, each with versions preferred first. */
export function servedGroups(registry: ResourceRegistry): ServedGroup[] {
  const versions = new Map<string, Set<string>>();
  for (const info of registry.all()) {
    if (!info.group) continue;
    let set = versions.get(info.group);
    if (!set) versions.set(info.group, (set = new Set()));
    for (const v of info.versions) set.add(v);
  }
  const names = [...versions.keys()].sort((a, b) => {
    const ia = builtinGroupOrder.indexOf(a);
    const ib = builtinGroupOrder.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a.localeCompare(b);
  });
  return names.map(name => ({
    name,
    versions: [...versions.get(name)!].sort((a, b) =>
      compareKubeVersions(b, a),
    ),
  }));
}

/** Every served group-version (core first). */
export function servedGroupVersions(
  registry: ResourceRegistry,
): GroupVersion[] {
  const out: GroupVersion[] = [
    { group: '', version: 'v1', resources: resourcesOf(registry, '', 'v1') },
  ];
  for (const g of servedGroups(registry)) {
    for (const v of g.versions)
      out.push({
        group: g.name,
        version: v,
        resources: resourcesOf(registry, g.name, v),
      });
  }
  return out;
}

export function resourcesOf(
  registry: ResourceRegistry,
  group: string,
  version: string,
): ResourceInfo[] {
  return registry
    .all()
    .filter(i => i.group === group && i.versions.includes(version))
    .sort((a, b) => a.resource.localeCompare(b.resource));
}

const subresourceVerbs = ['get', 'patch', 'update'];

/** GET /api/v1, /apis/<g>/<v>: APIResourceList (main resources before their subresources). */
export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
) {
  const resources: unknown[] = [];
  for (const info of resourcesOf(registry, group, version)) {
    resources.push({
      name: info.resource,
      singularName: info.singular,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: info.verbs,
      ...(info.shortNames.length ? { shortNames: info.shortNames } : {}),
      ...(info.categories.length ? { categories: info.categories } : {}),
      storageVersionHash: storageVersionHash(info),
    });
    if (info.hasStatus) {
      resources.push({
        name: `${info.resource}/status`,
        singularName: '',
        namespaced: info.namespaced,
        kind: info.kind,
        verbs: subresourceVerbs,
      });
    }
    if (info.scale) {
      resources.push({
        name: `${info.resource}/scale`,
        singularName: '',
        namespaced: info.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: subresourceVerbs,
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function groupEntry(g: ServedGroup) {
  const versions = g.versions.map(v => ({
    groupVersion: `${g.name}/${v}`,
    version: v,
  }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

/** GET /apis (legacy): APIGroupList. */
export function apiGroupList(registry: ResourceRegistry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: servedGroups(registry).map(groupEntry),
  };
}

/** GET /apis/<g>: APIGroup. */
export function apiGroup(registry: ResourceRegistry, name: string) {
  const g = servedGroups(registry).find(x => x.name === name);
  return g
    ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) }
    : undefined;
}

/** GET /api (legacy): APIVersions. */
export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function discoveryResource(info: ResourceInfo, version: string) {
  const subresources: unknown[] = [];
  const kind = { group: info.group, version, kind: info.kind };
  if (info.hasStatus)
    subresources.push({
      subresource: 'status',
      responseKind: kind,
      verbs: subresourceVerbs,
    });
  if (info.scale)
    subresources.push({
      subresource: 'scale',
      responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: subresourceVerbs,
    });
  return {
    resource: info.resource,
    responseKind: kind,
    scope: info.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: info.singular,
    verbs: info.verbs,
    ...(info.shortNames.length ? { shortNames: info.shortNames } : {}),
    ...(info.categories.length ? { categories: info.categories } : {}),
    ...(subresources.length ? { subresources } : {}),
  };
}

/** Aggregated discovery (apidiscovery.k8s.io v2 / v2beta1) for /api (`core`) or /apis. */
export function aggregatedDiscovery(
  registry: ResourceRegistry,
  which: 'core' | 'apis',
  apiVersion: 'v2' | 'v2beta1',
) {
  const groups =
    which === 'core'
      ? [{ name: '', versions: ['v1'] }]
      : servedGroups(registry);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items: groups.map(g => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map(v => ({
        version: v,
        resources: resourcesOf(registry, g.name, v).map(info =>
          discoveryResource(info, v),
        ),
        freshness: 'Current',
      })),
    })),
  };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function aggregatedDiscoveryVersion(
  accept: string | undefined,
): 'v2' | 'v2beta1' | undefined {
  if (!accept || !accept.includes('as=APIGroupDiscoveryList')) return undefined;
  for (const part of accept.split(',')) {
    if (
      !part.includes('as=APIGroupDiscoveryList') ||
      !part.includes('g=apidiscovery.k8s.io')
    )
      continue;
    if (/;\s*v=v2(;|$)/.test(part) || /;\s*v=v2\s*(;|$)/.test(part))
      return 'v2';
    if (/;\s*v=v2beta1/.test(part)) return 'v2beta1';
  }
  return undefined;
}
