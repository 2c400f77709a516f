import { fieldValue } from './fieldSelector';
import type { GroupResource, KubeObject } from './types';

/** A printer column of a Table (CRD additionalPrinterColumns shape). @public */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** What the API server knows about one resource type (built-in or from a CRD). @public */
export interface ResourceInfo {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  /** The version objects are stored (and handed to controllers) as. */
  storageVersion: string;
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  hasStatus: boolean;
  scale?: {
    specReplicasPath: string;
    statusReplicasPath: string;
    labelSelectorPath?: string;
  };
  /** True for resources defined by a CustomResourceDefinition. */
  custom: boolean;
  /** For custom resources: printer columns and schema per version. */
  printerColumns?: Record<string, PrinterColumn[]>;
  schemas?: Record<string, unknown>;
  /** Whether PUT without metadata.resourceVersion is allowed (false for custom resources). */
  allowUnconditionalUpdate: boolean;
  /** Fields usable in fieldSelector besides metadata.name/namespace. */
  selectableFields: string[];
  /** Selectable fields not read at their own path (what the kind's ToSelectableFields computes). */
  selectableFieldValues?: Record<string, (obj: KubeObject) => string>;
  /** How the kind's field label conversion words a refusal, if not `field label not supported: <f>`. */
  fieldLabelRefusal?: (field: string) => string;
  /** A resource served from another resource's storage (events.k8s.io/v1 Events over core/v1 Events). */
  storage?: GroupResource;
}

const allVerbs = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/** The scale subresource of Deployments and ReplicaSets. */
const replicasScale = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};

function builtin(
  p: Partial<ResourceInfo> &
    Pick<ResourceInfo, 'group' | 'resource' | 'kind' | 'namespaced'>,
): ResourceInfo {
  const version = p.versions?.[0] ?? 'v1';
  return {
    versions: [version],
    storageVersion: version,
    singular: p.kind.toLowerCase(),
    listKind: `${p.kind}List`,
    shortNames: [],
    categories: [],
    verbs: allVerbs,
    hasStatus: false,
    custom: false,
    allowUnconditionalUpdate: true,
    selectableFields: [],
    ...p,
  };
}

/** The built-in (non-CRD) resources the emulator serves. @public */
export const builtinResources: ResourceInfo[] = [
  builtin({
    group: '',
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    hasStatus: true,
    selectableFields: ['status.phase'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  builtin({
    group: '',
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    hasStatus: true,
    selectableFields: ['spec.unschedulable'],
  }),
  builtin({
    group: '',
    resource: 'pods',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    hasStatus: true,
    selectableFields: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  }),
  builtin({
    group: '',
    resource: 'services',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    hasStatus: true,
    selectableFields: ['spec.clusterIP', 'spec.type'],
    verbs: [
      'create',
      'delete',
      'deletecollection',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ],
  }),
  builtin({
    group: '',
    resource: 'endpoints',
    kind: 'Endpoints',
    singular: 'endpoints',
    listKind: 'EndpointsList',
    namespaced: true,
    shortNames: ['ep'],
  }),
  builtin({
    group: '',
    resource: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    selectableFields: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
    selectableFieldValues: {
      source: event => fieldValue(event, 'source.component'),
    },
  }),
  builtin({
    group: '',
    resource: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  }),
  builtin({
    group: '',
    resource: 'secrets',
    kind: 'Secret',
    namespaced: true,
    selectableFields: ['type'],
  }),
  builtin({
    group: '',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
  }),
  // Stored and served but not reconciled: what dashboards such as Backstage's Kubernetes plugin list
  builtin({
    group: '',
    resource: 'limitranges',
    kind: 'LimitRange',
    namespaced: true,
    shortNames: ['limits'],
  }),
  builtin({
    group: '',
    resource: 'resourcequotas',
    kind: 'ResourceQuota',
    namespaced: true,
    shortNames: ['quota'],
    hasStatus: true,
  }),
  builtin({
    group: 'apps',
    resource: 'statefulsets',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    hasStatus: true,
  }),
  builtin({
    group: 'apps',
    resource: 'daemonsets',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    hasStatus: true,
  }),
  builtin({
    group: 'batch',
    resource: 'jobs',
    kind: 'Job',
    namespaced: true,
    categories: ['all'],
    hasStatus: true,
    // As pkg/registry/batch/job's JobToSelectableFields: status.successful is status.succeeded, 0 unset.
    selectableFields: ['status.successful'],
    selectableFieldValues: {
      'status.successful': job => String(job.status?.succeeded ?? 0),
    },
    // pkg/apis/batch/v1/conversion.go words it with Go's %q, which JSON quoting matches for names.
    fieldLabelRefusal: field =>
      `field label ${JSON.stringify(field)} not supported for batchv1.Job`,
  }),
  builtin({
    group: 'batch',
    resource: 'cronjobs',
    kind: 'CronJob',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    hasStatus: true,
  }),
  builtin({
    group: 'autoscaling',
    versions: ['v2'],
    resource: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
    hasStatus: true,
  }),
  builtin({
    group: 'networking.k8s.io',
    resource: 'ingresses',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
    hasStatus: true,
  }),
  builtin({
    group: 'apps',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    hasStatus: true,
    scale: replicasScale,
  }),
  builtin({
    group: 'apps',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    hasStatus: true,
    scale: replicasScale,
  }),
  builtin({
    group: 'discovery.k8s.io',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
    selectableFields: ['addressType'],
  }),
  builtin({
    group: 'events.k8s.io',
    resource: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    storage: { group: '', resource: 'events' },
    selectableFields: [
      'regarding.kind',
      'regarding.namespace',
      'regarding.name',
      'regarding.uid',
      'reason',
      'type',
      'reportingController',
    ],
  }),
  builtin({
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    hasStatus: true,
  }),
];

/** `apps/deployments` — the map key of a GroupResource. @public */
export function grKey(gr: GroupResource): string {
  return `${gr.group}/${gr.resource}`;
}

/** Derives ResourceInfo from a CustomResourceDefinition object. @public */
export function resourceInfoFromCrd(crd: KubeObject): ResourceInfo {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const versions: any[] = (spec.versions ?? []).filter(
    (v: any) => v.served !== false,
  );
  // Preferred order as the API server computes it: kube-aware version priority (GA > beta > alpha, higher first).
  const ordered = [...versions].sort((a, b) =>
    compareKubeVersions(b.name, a.name),
  );
  const storage = versions.find((v: any) => v.storage) ?? ordered[0];
  const printerColumns: Record<string, PrinterColumn[]> = {};
  const schemas: Record<string, unknown> = {};
  let hasStatus = false;
  let scale: ResourceInfo['scale'];
  for (const v of versions) {
    printerColumns[v.name] = v.additionalPrinterColumns ?? [];
    schemas[v.name] = v.schema?.openAPIV3Schema;
    if (v.subresources?.status) hasStatus = true;
    if (v.subresources?.scale) scale = v.subresources.scale;
  }
  return {
    group: spec.group,
    versions: ordered.map((v: any) => v.name),
    storageVersion: storage?.name ?? 'v1',
    resource: names.plural,
    singular: names.singular ?? String(names.kind ?? '').toLowerCase(),
    kind: names.kind,
    listKind: names.listKind ?? `${names.kind}List`,
    namespaced: spec.scope !== 'Cluster',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    verbs: allVerbs,
    hasStatus,
    scale,
    custom: true,
    printerColumns,
    schemas,
    allowUnconditionalUpdate: false,
    selectableFields: (storage?.selectableFields ?? []).map((f: any) =>
      String(f.jsonPath).replace(/^\./, ''),
    ),
  };
}

/** Kubernetes version priority: v1 > v1beta2 > v1beta1 > v1alpha1 > non-kube versions. @public */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stages: Record<string, number> = { alpha: 1, beta: 2 };
    const stage = m[2] === undefined ? 3 : stages[m[2]];
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  if (sa !== sb) return sa - sb;
  if (ma !== mb) return ma - mb;
  if (na !== nb) return na - nb;
  // Non-kube versions: the alphabetically earlier name has the higher priority.
  if (a === b) return 0;
  return a < b ? 1 : -1;
}

/**
 * The set of served resources: built-ins plus one entry per established CRD.
 * The memory store keeps it in sync with the customresourcedefinitions it stores.
 * @public
 */
export class ResourceRegistry {
  private readonly byKey = new Map<string, ResourceInfo>();
  private changeListeners: (() => void)[] = [];
  private generationCounter = 0;

  constructor(infos: ResourceInfo[] = builtinResources) {
    for (const info of infos) this.byKey.set(grKey(info), info);
  }

  /** Increases on every change; lets discovery/OpenAPI caches know when to rebuild. */
  get generation(): number {
    return this.generationCounter;
  }

  get(gr: GroupResource): ResourceInfo | undefined {
    return this.byKey.get(grKey(gr));
  }

  all(): ResourceInfo[] {
    return [...this.byKey.values()];
  }

  /** The resource served at group/version with this plural name. */
  lookup(
    group: string,
    version: string,
    resource: string,
  ): ResourceInfo | undefined {
    const info = this.byKey.get(`${group}/${resource}`);
    return info && info.versions.includes(version) ? info : undefined;
  }

  /** The resource of a kind in a group (for apiVersion+kind → resource). */
  byKind(group: string, kind: string): ResourceInfo | undefined {
    for (const info of this.byKey.values())
      if (info.group === group && info.kind === kind && !info.storage)
        return info;
    return undefined;
  }

  set(info: ResourceInfo): void {
    this.byKey.set(grKey(info), info);
    this.changed();
  }

  remove(gr: GroupResource): void {
    if (this.byKey.delete(grKey(gr))) this.changed();
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  private changed() {
    this.generationCounter++;
    for (const l of this.changeListeners) l();
  }
}
