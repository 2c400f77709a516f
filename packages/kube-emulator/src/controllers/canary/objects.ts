import type { KubeObject } from '../../store/types';
import { controllerRef } from '../util';
import { type CanarySpec, LABEL_BACKSTAGE_ID, selectorLabel } from './spec';

function backstageLabels(target: KubeObject): Record<string, string> {
  const id = target.metadata.labels?.[LABEL_BACKSTAGE_ID];
  return id ? { [LABEL_BACKSTAGE_ID]: id } : {};
}

/** The target's pod template rewritten for the primary (selector label `<value>-primary`). @public */
export function primaryTemplate(
  target: KubeObject,
  template: any = target.spec?.template,
): any {
  const { key, value } = selectorLabel(target);
  const copy = structuredClone(template ?? {});
  copy.metadata = {
    ...(copy.metadata ?? {}),
    labels: { ...(copy.metadata?.labels ?? {}), [key]: `${value}-primary` },
  };
  return copy;
}

/**
 * The `<target>-primary` Deployment Flagger creates: the target's spec with the selector label renamed.
 * `template` lets a caller build the primary of an earlier revision (the demo scenario does).
 * @public
 */
export function primaryDeployment(
  cd: KubeObject,
  target: KubeObject,
  spec: CanarySpec,
  template?: any,
): KubeObject {
  const { key, value } = selectorLabel(target);
  const primaryValue = `${value}-primary`;
  const labels = { ...(target.metadata.labels ?? {}), [key]: primaryValue };
  const replicas = Number(target.spec?.replicas ?? 1) || 1;
  const out: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: spec.primaryName,
      namespace: cd.metadata.namespace,
      labels,
      ownerReferences: [controllerRef(cd)],
    },
    spec: {
      replicas,
      selector: { matchLabels: { [key]: primaryValue } },
      template: primaryTemplate(target, template),
    },
  };
  for (const field of [
    'strategy',
    'minReadySeconds',
    'revisionHistoryLimit',
    'progressDeadlineSeconds',
  ]) {
    if (target.spec?.[field] !== undefined)
      out.spec[field] = structuredClone(target.spec[field]);
  }
  return out;
}

/** Service ports: from spec.service.port, else the existing apex Service, else the target's container ports. @public */
export function servicePorts(
  target: KubeObject,
  spec: CanarySpec,
  apex: KubeObject | undefined,
): any[] {
  if (spec.port !== undefined) {
    return [
      {
        name: spec.portName ?? 'http',
        port: spec.port,
        protocol: 'TCP',
        targetPort: spec.targetPort ?? spec.port,
      },
    ];
  }
  if (apex?.spec?.ports?.length) {
    return apex.spec.ports.map((p: any) => {
      const port: any = {
        port: p.port,
        protocol: p.protocol ?? 'TCP',
        targetPort: p.targetPort ?? p.port,
      };
      if (p.name) port.name = p.name;
      return port;
    });
  }
  const containerPorts = (
    target.spec?.template?.spec?.containers ?? []
  ).flatMap((c: any) => c.ports ?? []);
  if (containerPorts.length === 0)
    return [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }];
  const first = containerPorts[0];
  return [
    {
      name: first.name ?? 'http',
      port: Number(first.containerPort),
      protocol: first.protocol ?? 'TCP',
      targetPort: Number(first.containerPort),
    },
  ];
}

/** One of the ClusterIP Services Flagger creates (`<svc>`, `<svc>-canary`, `<svc>-primary`). @public */
export function canaryService(
  cd: KubeObject,
  target: KubeObject,
  name: string,
  selectorValue: string,
  ports: any[],
): KubeObject {
  const { key } = selectorLabel(target);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: cd.metadata.namespace,
      labels: { [key]: name, ...backstageLabels(target) },
      ownerReferences: [controllerRef(cd)],
    },
    spec: {
      type: 'ClusterIP',
      selector: { [key]: selectorValue },
      ports: structuredClone(ports),
    },
  };
}

/** The VirtualService spec Flagger keeps: primary and canary destinations with the given canary weight. @public */
export function virtualServiceSpec(
  spec: CanarySpec,
  canaryWeight: number,
): any {
  const hosts = [...new Set([...spec.hosts, spec.serviceName])];
  const route = [
    {
      destination: { host: spec.primaryServiceName },
      weight: 100 - canaryWeight,
    },
    { destination: { host: spec.canaryServiceName }, weight: canaryWeight },
  ];
  if (spec.port !== undefined)
    for (const r of route) (r.destination as any).port = { number: spec.port };
  const out: any = { gateways: [...spec.gateways], hosts, http: [{ route }] };
  if (spec.tcp) out.tcp = [{ route: structuredClone(route) }];
  return out;
}

/** The VirtualService `<svc>` Flagger creates over spec.service.hosts and gateways. @public */
export function virtualService(
  cd: KubeObject,
  target: KubeObject,
  spec: CanarySpec,
  canaryWeight: number,
): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: {
      name: spec.serviceName,
      namespace: cd.metadata.namespace,
      labels: { ...backstageLabels(target) },
      ownerReferences: [controllerRef(cd)],
    },
    spec: virtualServiceSpec(spec, canaryWeight),
  };
}
