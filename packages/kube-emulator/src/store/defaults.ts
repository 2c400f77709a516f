import type { KubeObject } from './types';

/** Allocates ClusterIPs from 10.96.0.0/12 as the default service CIDR does. */
export class ClusterIpAllocator {
  private next = 10;
  private readonly used = new Set<string>();
  allocate(): string {
    for (;;) {
      const n = this.next++;
      const ip = `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
  }
  reserve(ip: string) {
    this.used.add(ip);
  }
  release(ip: string | undefined) {
    if (ip) this.used.delete(ip);
  }
}

function defaultContainer(c: any) {
  if (!c || typeof c !== 'object') return;
  if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
    // Always for an image without a digest or tag, or tagged :latest; IfNotPresent otherwise.
    const pinned =
      c.image.includes('@') ||
      (/:[^/]+$/.test(c.image) && !c.image.endsWith(':latest'));
    c.imagePullPolicy = pinned ? 'IfNotPresent' : 'Always';
  }
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of Array.isArray(c.ports) ? c.ports : [])
    if (p && typeof p === 'object') p.protocol ??= 'TCP';
}

/** Defaults of a PodSpec (pkg/apis/core/v1/defaults.go). */
export function defaultPodSpec(spec: any) {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of Array.isArray(spec.containers) ? spec.containers : [])
    defaultContainer(c);
  for (const c of Array.isArray(spec.initContainers) ? spec.initContainers : [])
    defaultContainer(c);
}

function defaultWorkload(obj: KubeObject, deployment: boolean) {
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  if (deployment) {
    spec.strategy ??= {};
    spec.strategy.type ??= 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
  }
  if (spec.template && typeof spec.template === 'object') {
    spec.template.metadata ??= {};
    spec.template.metadata.creationTimestamp ??= null;
    defaultPodSpec(spec.template.spec);
  }
}

/**
 * Applies the API server's defaulting for built-in kinds (what `kubectl get -o yaml` shows
 * beyond the manifest). `previous` is the stored object on update (keeps allocated fields).
 */
export function applyDefaults(
  resourceKey: string,
  obj: KubeObject,
  previous: KubeObject | undefined,
  ips: ClusterIpAllocator,
) {
  switch (resourceKey) {
    case 'apps/deployments':
      defaultWorkload(obj, true);
      break;
    case 'apps/replicasets':
      defaultWorkload(obj, false);
      break;
    case '/pods':
      defaultPodSpec((obj.spec ??= {}));
      obj.spec.enableServiceLinks ??= true;
      obj.spec.serviceAccountName ??= 'default';
      obj.spec.priority ??= 0;
      obj.status ??= {};
      obj.status.phase ??= 'Pending';
      obj.status.qosClass ??= 'BestEffort';
      break;
    case '/secrets':
      if (!obj.type) obj.type = 'Opaque';
      break;
    case '/services': {
      const spec = (obj.spec ??= {});
      spec.type ??= 'ClusterIP';
      if (spec.type !== 'ExternalName') {
        const prevIp = previous?.spec?.clusterIP;
        if (!spec.clusterIP && prevIp) spec.clusterIP = prevIp;
        if (!spec.clusterIP) spec.clusterIP = ips.allocate();
        else if (spec.clusterIP !== 'None') ips.reserve(spec.clusterIP);
        spec.clusterIPs ??= [spec.clusterIP];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
        spec.internalTrafficPolicy ??= 'Cluster';
      }
      spec.sessionAffinity ??= 'None';
      const prevPorts: any[] = Array.isArray(previous?.spec?.ports)
        ? previous!.spec.ports
        : [];
      let nextNodePort = 30000 + Math.floor(Math.random() * 2000);
      for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
        if (!p || typeof p !== 'object') continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
        if (
          (spec.type === 'NodePort' || spec.type === 'LoadBalancer') &&
          p.nodePort === undefined
        ) {
          p.nodePort =
            prevPorts.find(q => q?.port === p.port)?.nodePort ?? nextNodePort++;
        }
      }
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
        spec.externalTrafficPolicy ??= 'Cluster';
      if (spec.type === 'LoadBalancer')
        spec.allocateLoadBalancerNodePorts ??= true;
      obj.status ??= previous?.status ?? { loadBalancer: {} };
      break;
    }
    case '/namespaces':
      obj.metadata.labels = {
        ...(obj.metadata.labels ?? {}),
        'kubernetes.io/metadata.name': obj.metadata.name,
      };
      obj.spec ??= {};
      obj.spec.finalizers ??= ['kubernetes'];
      obj.status ??= {};
      obj.status.phase ??= 'Active';
      break;
    case 'discovery.k8s.io/endpointslices':
      // kubectl describe dereferences every port name: an unnamed port must carry "" (see the checklist, fact 7).
      for (const p of Array.isArray(obj.ports) ? (obj.ports as any[]) : [])
        if (p && typeof p === 'object') p.name ??= '';
      for (const e of Array.isArray(obj.endpoints)
        ? (obj.endpoints as any[])
        : [])
        if (e && typeof e === 'object') e.conditions ??= {};
      break;
    case 'apiextensions.k8s.io/customresourcedefinitions':
      for (const v of Array.isArray(obj.spec?.versions)
        ? obj.spec.versions
        : [])
        v.served ??= true;
      if (obj.spec) obj.spec.scope ??= 'Namespaced';
      if (obj.spec?.names) {
        obj.spec.names.singular ??= String(
          obj.spec.names.kind ?? '',
        ).toLowerCase();
        obj.spec.names.listKind ??= `${obj.spec.names.kind}List`;
      }
      break;
    default:
      // Other resources have no defaults beyond the generic metadata ones.
      break;
  }
}
