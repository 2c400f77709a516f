/**
 * Server-side Table rendering (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the columns
 * of kube-apiserver's printers for built-in kinds, and the CRD's additionalPrinterColumns otherwise.
 */
import type { PrinterColumn, ResourceInfo } from '../store/resources';
import type { KubeObject } from '../store/types';
import { evaluateJsonPath } from './jsonpath';

/** @public */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean | null;

interface TablePrinter {
  columns: ColumnDefinition[];
  cells(obj: KubeObject, now: number): Cell[];
}

const col = (
  name: string,
  type = 'string',
  description = '',
  priority = 0,
  format = '',
): ColumnDefinition => ({ name, type, format, description, priority });
const nameColumn = col(
  'Name',
  'string',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  0,
  'name',
);
const ageColumn = col(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
);

/** The wide columns of a pod template, as Deployments and ReplicaSets show them. */
const templateColumns = [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col(
    'Images',
    'string',
    'Images referenced by each container in the template.',
    1,
  ),
];

/** apimachinery's duration.HumanDuration. @public */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10)
    return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8)
    return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0
      ? `${Math.floor(hours / 24 / 365)}y`
      : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** A Node's STATUS column from its Ready condition's status. */
function nodeReadiness(readyStatus: string | undefined): string {
  if (readyStatus === undefined) return 'Unknown';
  return readyStatus === 'True' ? 'Ready' : 'NotReady';
}

/** The `object` of a Table row for includeObject=Object|Metadata|None. */
function rowObject(obj: any, include: IncludeObject) {
  if (include === 'Object') return obj;
  if (include === 'None') return undefined;
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: obj.metadata,
  };
}

function age(timestamp: string | undefined | null, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

function selectorString(sel: any): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(
    sel.matchLabels ?? (sel.matchExpressions ? {} : sel),
  ))
    parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'In')
      parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn')
      parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

function containersAndImages(spec: any): [string, string] {
  const cs: any[] = spec?.containers ?? [];
  return [cs.map(c => c.name).join(','), cs.map(c => c.image).join(',')];
}

function podStatus(pod: any): string {
  let reason = pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  const inits: any[] = pod.status?.initContainerStatuses ?? [];
  let initializing = false;
  inits.forEach((c, i) => {
    if (c.state?.terminated?.exitCode === 0) return;
    initializing = true;
    if (c.state?.terminated)
      reason = c.state.terminated.reason
        ? `Init:${c.state.terminated.reason}`
        : `Init:ExitCode:${c.state.terminated.exitCode}`;
    else if (
      c.state?.waiting?.reason &&
      c.state.waiting.reason !== 'PodInitializing'
    )
      reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(pod.spec?.initContainers ?? []).length}`;
  });
  if (!initializing) {
    let hasRunning = false;
    for (const c of [...(pod.status?.containerStatuses ?? [])].reverse()) {
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated)
        reason = c.state.terminated.signal
          ? `Signal:${c.state.terminated.signal}`
          : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata?.deletionTimestamp)
    reason = pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function servicePorts(spec: any): string {
  const ports: any[] = spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports
    .map(p =>
      p.nodePort
        ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}`
        : `${p.port}/${p.protocol ?? 'TCP'}`,
    )
    .join(',');
}

function externalIp(svc: any): string {
  const spec = svc.spec ?? {};
  const external: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'LoadBalancer': {
      const ingress: string[] = (svc.status?.loadBalancer?.ingress ?? [])
        .map((i: any) => i.ip ?? i.hostname)
        .filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '<none>';
    default:
      return external.length ? external.join(',') : '<none>';
  }
}

function endpointsString(ep: any): string {
  const all: string[] = [];
  for (const subset of ep.subsets ?? []) {
    const ports: any[] = subset.ports?.length ? subset.ports : [undefined];
    for (const addr of subset.addresses ?? [])
      for (const p of ports) all.push(p ? `${addr.ip}:${p.port}` : addr.ip);
  }
  if (!all.length) return '<none>';
  return all.length > 3
    ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...`
    : all.join(',');
}

function sliceEndpoints(slice: any): string {
  const all: string[] = (slice.endpoints ?? []).flatMap(
    (e: any) => e.addresses ?? [],
  );
  if (!all.length) return '<none>';
  return all.length > 3
    ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...`
    : all.join(',');
}

function eventLastSeen(ev: any, now: number): string {
  const t =
    ev.lastTimestamp ??
    ev.series?.lastObservedTime ??
    ev.eventTime ??
    ev.firstTimestamp ??
    ev.metadata?.creationTimestamp;
  return age(t, now);
}

const builtinPrinters: Record<string, TablePrinter> = {
  '/pods': {
    columns: [
      nameColumn,
      col(
        'Ready',
        'string',
        'The aggregate readiness state of this pod for accepting traffic.',
      ),
      col(
        'Status',
        'string',
        'The aggregate status of the containers in this pod.',
      ),
      col(
        'Restarts',
        'string',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      ageColumn,
      col(
        'IP',
        'string',
        'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
        1,
      ),
      col('Node', 'string', 'Name of the Node this pod is scheduled on.', 1),
      col(
        'Nominated Node',
        'string',
        'Name of the node this pod is nominated to.',
        1,
      ),
      col('Readiness Gates', 'string', 'Readiness gates of the pod.', 1),
    ],
    cells(pod, now) {
      const statuses: any[] = pod.status?.containerStatuses ?? [];
      const total = (pod.spec?.containers ?? []).length;
      const ready = statuses.filter(c => c.ready).length;
      const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
      const gates: any[] = pod.spec?.readinessGates ?? [];
      return [
        pod.metadata.name,
        `${ready}/${total}`,
        podStatus(pod),
        String(restarts),
        age(pod.metadata.creationTimestamp, now),
        pod.status?.podIP ?? '<none>',
        pod.spec?.nodeName ?? '<none>',
        pod.status?.nominatedNodeName ?? '<none>',
        gates.length ? `${gates.length}/${gates.length}` : '<none>',
      ];
    },
  },
  'apps/deployments': {
    columns: [
      nameColumn,
      col('Ready', 'string', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'string',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      ),
      col(
        'Available',
        'string',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      ),
      ageColumn,
      ...templateColumns,
      col(
        'Selector',
        'string',
        'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
        1,
      ),
    ],
    cells(d, now) {
      const [containers, images] = containersAndImages(d.spec?.template?.spec);
      return [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d.metadata.creationTimestamp, now),
        containers,
        images,
        selectorString(d.spec?.selector),
      ];
    },
  },
  'apps/replicasets': {
    columns: [
      nameColumn,
      col('Desired', 'integer', 'Number of desired pods.'),
      col('Current', 'integer', 'Number of actual replicas.'),
      col(
        'Ready',
        'integer',
        'The number of ready replicas for this replica set.',
      ),
      ageColumn,
      ...templateColumns,
      col('Selector', 'string', 'Label selector for pods.', 1),
    ],
    cells(rs, now) {
      const [containers, images] = containersAndImages(rs.spec?.template?.spec);
      return [
        rs.metadata.name,
        rs.spec?.replicas ?? 0,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        age(rs.metadata.creationTimestamp, now),
        containers,
        images,
        selectorString(rs.spec?.selector),
      ];
    },
  },
  '/services': {
    columns: [
      nameColumn,
      col('Type', 'string', 'type determines how the Service is exposed.'),
      col(
        'Cluster-IP',
        'string',
        'clusterIP is the IP address of the service.',
      ),
      col(
        'External-IP',
        'string',
        'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
      ),
      col(
        'Port(s)',
        'string',
        'The list of ports that are exposed by this service.',
      ),
      ageColumn,
      col(
        'Selector',
        'string',
        'Route service traffic to pods with label keys and values matching this selector.',
        1,
      ),
    ],
    cells(svc, now) {
      return [
        svc.metadata.name,
        svc.spec?.type ?? 'ClusterIP',
        svc.spec?.clusterIP || '<none>',
        externalIp(svc),
        servicePorts(svc.spec),
        age(svc.metadata.creationTimestamp, now),
        selectorString(
          svc.spec?.selector && Object.keys(svc.spec.selector).length
            ? svc.spec.selector
            : undefined,
        ),
      ];
    },
  },
  '/endpoints': {
    columns: [
      nameColumn,
      col('Endpoints', 'string', 'Endpoints of the service'),
      ageColumn,
    ],
    cells: (ep, now) => [
      ep.metadata.name,
      endpointsString(ep),
      age(ep.metadata.creationTimestamp, now),
    ],
  },
  'discovery.k8s.io/endpointslices': {
    columns: [
      nameColumn,
      col(
        'AddressType',
        'string',
        'The type of address held by the EndpointSlice',
      ),
      col('Ports', 'string', 'The ports of the EndpointSlice'),
      col('Endpoints', 'string', 'The endpoints of the EndpointSlice'),
      ageColumn,
    ],
    cells(s, now) {
      const ports: any[] = (s as any).ports ?? [];
      return [
        s.metadata.name,
        (s as any).addressType ?? '',
        ports.length
          ? ports
              .map(p =>
                p.port === undefined || p.port === null
                  ? '<unset>'
                  : String(p.port),
              )
              .join(',')
          : '<unset>',
        sliceEndpoints(s),
        age(s.metadata.creationTimestamp, now),
      ];
    },
  },
  '/events': {
    columns: [
      col(
        'Last Seen',
        'string',
        'Time when last event from this source was observed',
      ),
      col(
        'Type',
        'string',
        'Type of this event (Normal, Warning), new types could be added in the future.',
      ),
      col(
        'Reason',
        'string',
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      ),
      col('Object', 'string', 'The object this Event is about.'),
      col(
        'Subobject',
        'string',
        'The subobject (container) this Event is about.',
        1,
      ),
      col('Source', 'string', 'The component reporting this event.', 1),
      col(
        'Message',
        'string',
        'A human-readable description of the status of this operation.',
      ),
      col(
        'First Seen',
        'string',
        'The time at which the event was first recorded.',
        1,
      ),
      col('Count', 'string', 'The number of times this event has occurred.', 1),
      { ...nameColumn, priority: 1 },
    ],
    cells(ev: any, now) {
      const involved = ev.involvedObject ?? {};
      return [
        eventLastSeen(ev, now),
        ev.type ?? '',
        ev.reason ?? '',
        `${String(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`,
        involved.fieldPath ?? '',
        [ev.source?.component ?? ev.reportingComponent, ev.source?.host]
          .filter(Boolean)
          .join(', '),
        String(ev.message ?? '').trim(),
        age(
          ev.firstTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp,
          now,
        ),
        String(ev.count ?? 1),
        ev.metadata.name,
      ];
    },
  },
  '/namespaces': {
    columns: [
      nameColumn,
      col('Status', 'string', 'The status of the namespace'),
      ageColumn,
    ],
    cells: (ns, now) => [
      ns.metadata.name,
      ns.status?.phase ?? 'Active',
      age(ns.metadata.creationTimestamp, now),
    ],
  },
  '/nodes': {
    columns: [
      nameColumn,
      col('Status', 'string', 'The status of the node'),
      col('Roles', 'string', 'The roles of the node'),
      ageColumn,
      col('Version', 'string', 'Kubelet Version reported by the node.'),
    ],
    cells(node, now) {
      const ready = (node.status?.conditions ?? []).find(
        (c: any) => c.type === 'Ready',
      );
      const roles = Object.keys(node.metadata.labels ?? {})
        .filter(l => l.startsWith('node-role.kubernetes.io/'))
        .map(l => l.slice('node-role.kubernetes.io/'.length));
      return [
        node.metadata.name,
        nodeReadiness(ready?.status),
        roles.length ? roles.join(',') : '<none>',
        age(node.metadata.creationTimestamp, now),
        node.status?.nodeInfo?.kubeletVersion ?? '',
      ];
    },
  },
  '/configmaps': {
    columns: [
      nameColumn,
      col('Data', 'string', 'Data contains the configuration data.'),
      ageColumn,
    ],
    cells: (cm: any, now) => [
      cm.metadata.name,
      Object.keys(cm.data ?? {}).length +
        Object.keys(cm.binaryData ?? {}).length,
      age(cm.metadata.creationTimestamp, now),
    ],
  },
  '/secrets': {
    columns: [
      nameColumn,
      col('Type', 'string', 'The type of the secret'),
      col('Data', 'string', 'The number of entries in the secret'),
      ageColumn,
    ],
    cells: (s: any, now) => [
      s.metadata.name,
      s.type ?? 'Opaque',
      Object.keys(s.data ?? {}).length,
      age(s.metadata.creationTimestamp, now),
    ],
  },
  '/serviceaccounts': {
    columns: [
      nameColumn,
      col(
        'Secrets',
        'string',
        'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      ),
      ageColumn,
    ],
    cells: (sa: any, now) => [
      sa.metadata.name,
      (sa.secrets ?? []).length,
      age(sa.metadata.creationTimestamp, now),
    ],
  },
  'apiextensions.k8s.io/customresourcedefinitions': {
    columns: [
      nameColumn,
      col(
        'Created At',
        'date',
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      ),
    ],
    cells: crd => [crd.metadata.name, crd.metadata.creationTimestamp ?? null],
  },
};

function formatCustomCell(
  column: PrinterColumn,
  obj: KubeObject,
  now: number,
): Cell {
  let results: unknown[];
  try {
    results = evaluateJsonPath(column.jsonPath, obj);
  } catch {
    return null;
  }
  if (!results.length) return null;
  if (results.length > 1)
    return results
      .map(r => (typeof r === 'object' ? JSON.stringify(r) : String(r)))
      .join(',');
  const value = results[0];
  if (column.type === 'date' && typeof value === 'string')
    return age(value, now);
  if (value === null) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  if (column.type === 'integer' || column.type === 'number')
    return typeof value === 'number' ? value : Number(value);
  if (column.type === 'boolean')
    return typeof value === 'boolean' ? value : value === 'true';
  return String(value);
}

function customPrinter(info: ResourceInfo, version: string): TablePrinter {
  const columns = info.printerColumns?.[version] ?? [];
  const effective: PrinterColumn[] = columns.length
    ? columns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return {
    columns: [
      nameColumn,
      ...effective.map(c => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    cells: (obj, now) => [
      obj.metadata.name,
      ...effective.map(c => formatCustomCell(c, obj, now)),
    ],
  };
}

function genericPrinter(): TablePrinter {
  return {
    columns: [nameColumn, ageColumn],
    cells: (obj, now) => [
      obj.metadata.name,
      age(obj.metadata.creationTimestamp, now),
    ],
  };
}

/** How a row carries its object: `None`, `Metadata` (PartialObjectMetadata, default) or `Object`. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Renders objects as a meta.k8s.io/v1 Table. @public */
export function renderTable(
  info: ResourceInfo,
  version: string,
  objects: KubeObject[],
  opts: {
    resourceVersion?: string;
    continue?: string;
    includeObject?: IncludeObject;
    now?: number;
    noHeaders?: boolean;
  },
) {
  const key = `${info.storage?.group ?? info.group}/${
    info.storage?.resource ?? info.resource
  }`;
  const printer = info.custom
    ? customPrinter(info, version)
    : builtinPrinters[key] ?? genericPrinter();
  const now = opts.now ?? Date.now();
  const include = opts.includeObject ?? 'Metadata';
  const rows = objects.map(obj => ({
    cells: printer.cells(obj, now),
    object: rowObject(obj, include),
  }));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      resourceVersion: opts.resourceVersion ?? '',
      ...(opts.continue ? { continue: opts.continue } : {}),
    },
    ...(opts.noHeaders ? {} : { columnDefinitions: printer.columns }),
    rows,
  };
}
