import { InputError } from '@backstage/errors';
import {
  ANNOTATION_CANARY,
  ANNOTATION_STABLE,
  GitOpsWarning,
  RolloutMode,
  RolloutPhase,
  RolloutVersion,
  RolloutView,
  VersionRole,
} from '@kube-rollouts/plugin-rollouts-common';
import { KubeObject, KubeResource, RESOURCES } from '../kubernetes';
import { RolloutSnapshot, StrategyContext } from './types';

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether labels satisfy a Kubernetes LabelSelector (matchLabels and matchExpressions). */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelector | undefined,
): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (l[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether labels contain every key/value of a map selector (a Service's selector). */
export function matchesMap(
  labels: Record<string, string> | undefined,
  selector: Record<string, string> | undefined,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

export function podTemplateLabels(deployment: KubeObject) {
  return deployment.spec?.template?.metadata?.labels as
    | Record<string, string>
    | undefined;
}

/** Deployments whose pods a map selector (Service selector) would select. */
export function deploymentsSelectedBy(
  deployments: KubeObject[],
  selector: Record<string, string> | undefined,
): KubeObject[] {
  return deployments.filter(d => matchesMap(podTemplateLabels(d), selector));
}

export function podsOf(deployment: KubeObject, pods: KubeObject[]) {
  return pods.filter(
    p =>
      !p.metadata.deletionTimestamp &&
      matchesLabelSelector(p.metadata.labels, deployment.spec?.selector),
  );
}

export function isPodReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some(
    (c: { type: string; status: string }) =>
      c.type === 'Ready' && c.status === 'True',
  );
}

export interface Availability {
  desired: number;
  ready: number;
  available: number;
  updated: number;
}

export function availabilityOf(deployment: KubeObject): Availability {
  const desired = Number(deployment.spec?.replicas ?? 1);
  const status = deployment.status ?? {};
  return {
    desired,
    ready: Number(status.readyReplicas ?? 0),
    available: Number(status.availableReplicas ?? 0),
    updated: Number(status.updatedReplicas ?? 0),
  };
}

/** One side of the rollout, from its Deployment and pods. */
export function versionView(options: {
  role: VersionRole;
  name: string;
  deployment?: KubeObject;
  namespace: string;
  pods: KubeObject[];
  weight: number;
}): RolloutVersion {
  const { deployment } = options;
  const replicas = deployment
    ? availabilityOf(deployment)
    : { desired: 0, ready: 0, available: 0, updated: 0 };
  const pods = deployment ? podsOf(deployment, options.pods) : [];
  return {
    role: options.role,
    name: options.name,
    workload: {
      kind: 'Deployment',
      name: deployment?.metadata.name ?? '',
      namespace: options.namespace,
    },
    images: (deployment?.spec?.template?.spec?.containers ?? []).map(
      (c: { image: string }) => String(c.image),
    ),
    replicas,
    pods: pods
      .map(p => ({
        name: p.metadata.name,
        ready: isPodReady(p),
        phase: String(p.status?.phase ?? 'Unknown'),
        ...(p.status?.podIP ? { ip: String(p.status.podIP) } : {}),
      }))
      .sort((x, y) => x.name.localeCompare(y.name)),
    weight: options.weight,
  };
}

const ARGO_TRACKING_LABEL = 'app.kubernetes.io/instance';

/** Warnings when Argo CD or Flux tracking labels/annotations are on the objects that decide the traffic. */
export function gitOpsWarnings(objects: KubeObject[]): GitOpsWarning[] {
  const warnings: GitOpsWarning[] = [];
  for (const o of objects) {
    const meta = {
      ...(o.metadata.labels ?? {}),
      ...(o.metadata.annotations ?? {}),
    };
    const keys = Object.keys(meta);
    const ref = {
      kind: String(o.kind ?? ''),
      name: o.metadata.name,
      namespace: String(o.metadata.namespace ?? ''),
    };
    // Helm sets app.kubernetes.io/instance too: only Argo CD's own keys count then
    const helm = o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'Helm';
    const argo = keys.filter(
      k =>
        k.startsWith('argocd.argoproj.io/') ||
        (k === ARGO_TRACKING_LABEL && !helm),
    );
    if (argo.length) {
      warnings.push({
        tool: 'Argo CD',
        object: ref,
        message: `${ref.kind} ${ref.name} is tracked by Argo CD (${argo.join(
          ', ',
        )}): its desired state is in Git — a traffic change made directly in the cluster may be reverted by the next sync`,
      });
    }
    const flux = keys.filter(
      k =>
        k.startsWith('kustomize.toolkit.fluxcd.io/') ||
        k.startsWith('helm.toolkit.fluxcd.io/'),
    );
    if (flux.length) {
      warnings.push({
        tool: 'Flux',
        object: ref,
        message: `${ref.kind} ${ref.name} is managed by Flux (${flux.join(
          ', ',
        )}): its desired state is in Git — a traffic change made directly in the cluster may be reverted by the next reconciliation`,
      });
    }
  }
  return warnings;
}

const STABLE_NAME = /(^|[-.])(stable|primary)($|[-./])/;
const CANARY_NAME = /(^|[-.])(canary|preview)($|[-./])/;

/**
 * Decides which of two backends is stable and which canary: from the annotations, else from
 * the names (…-stable/-primary vs …-canary/-preview). Ambiguity is an InputError naming the
 * annotation to add.
 */
export function resolveRoles(options: {
  backends: string[];
  stable?: string;
  canary?: string;
  routedBy: string;
}): { stable: string; canary: string } {
  const { backends, routedBy } = options;
  const list = backends.join(', ');
  for (const [annotation, value] of [
    [ANNOTATION_STABLE, options.stable],
    [ANNOTATION_CANARY, options.canary],
  ] as const) {
    if (value !== undefined && !backends.includes(value)) {
      throw new InputError(
        `annotation ${annotation} has value '${value}' — expected one of the backends of ${routedBy}: ${list}`,
      );
    }
  }
  if (backends.length !== 2) {
    throw new InputError(
      `${routedBy} has ${backends.length} backend${
        backends.length === 1 ? '' : 's'
      } (${
        list || 'none'
      }) — Kube Rollouts shows traffic split between exactly two (stable and canary)`,
    );
  }
  const other = (b: string) => backends.find(x => x !== b)!;
  if (options.stable !== undefined) {
    return {
      stable: options.stable,
      canary: options.canary ?? other(options.stable),
    };
  }
  if (options.canary !== undefined) {
    return { stable: other(options.canary), canary: options.canary };
  }
  const stableByName = backends.filter(
    b => STABLE_NAME.test(b) && !CANARY_NAME.test(b),
  );
  const canaryByName = backends.filter(
    b => CANARY_NAME.test(b) && !STABLE_NAME.test(b),
  );
  if (stableByName.length === 1 && canaryByName.length !== 2) {
    return { stable: stableByName[0], canary: other(stableByName[0]) };
  }
  if (canaryByName.length === 1 && stableByName.length !== 2) {
    return { stable: other(canaryByName[0]), canary: canaryByName[0] };
  }
  throw new InputError(
    `cannot tell which backend of ${routedBy} serves the stable version (${list}): add annotation ${ANNOTATION_STABLE} (or ${ANNOTATION_CANARY}) naming it`,
  );
}

/** The traffic weight of each version, as `traffic.weights` lists them. */
export function trafficWeights(versions: RolloutVersion[]) {
  return versions.map(v => ({
    version: v.name,
    role: v.role,
    weight: v.weight,
  }));
}

/** Reads the object that routes the traffic and the namespace's Services, Deployments and Pods. */
export async function readRoutingAndWorkloads(
  ctx: StrategyContext,
  resource: KubeResource,
) {
  const { client, namespace, target } = ctx;
  const [routing, services, deployments, pods] = await Promise.all([
    client.get(resource, namespace, target.target),
    client.list(RESOURCES.services, namespace),
    client.list(RESOURCES.deployments, namespace),
    client.list(RESOURCES.pods, namespace),
  ]);
  return { routing, services, deployments, pods };
}

/** RFC 3339 timestamps as strings. */
export function timeOf(value: unknown): string | undefined {
  if (!value) return undefined;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * The phase of a weighted-traffic rollout (gateway-api, istio) from its versions: Failed when a
 * version that gets traffic, or one that should run pods, has no ready pod, else Stable (canary 0), Promoted (canary 100) or
 * Progressing (split); Stable and Promoted become Progressing while the version that gets the
 * traffic is not fully ready.
 */
export function phaseOfWeights(versions: RolloutVersion[]): {
  phase: RolloutPhase;
  message: string;
} {
  const serving = versions.filter(v => v.weight > 0);
  const down = serving.find(v => v.replicas.ready === 0);
  if (down) {
    return {
      phase: 'Failed',
      message: `${down.name} gets ${down.weight}% of the traffic but has no ready pod`,
    };
  }
  // A backend without traffic is broken too when it should run pods and none is ready
  // (one scaled to zero on purpose is not)
  const broken = versions.find(
    v => v.weight === 0 && v.replicas.desired > 0 && v.replicas.ready === 0,
  );
  if (broken) {
    return {
      phase: 'Failed',
      message: `${broken.name} has no ready pod (0/${broken.replicas.desired} ready)`,
    };
  }
  const canary = versions.find(v => v.role === 'canary');
  const canaryWeight = canary?.weight ?? 0;
  let phase: RolloutPhase;
  let message: string;
  if (canaryWeight >= 100) {
    phase = 'Promoted';
    message = `all traffic goes to the canary version ${canary?.name}`;
  } else if (canaryWeight <= 0) {
    phase = 'Stable';
    message = `all traffic goes to the stable version ${
      versions.find(v => v.role === 'stable')?.name
    }`;
  } else {
    return {
      phase: 'Progressing',
      message: `traffic is split: ${canaryWeight}% to the canary version ${canary?.name}`,
    };
  }
  const unready = serving.find(
    v =>
      v.replicas.ready < v.replicas.desired ||
      v.replicas.updated < v.replicas.desired,
  );
  if (unready) {
    const { ready, updated, desired } = unready.replicas;
    return {
      phase: 'Progressing',
      message: `${message} (${unready.name}: ${ready}/${desired} ready, ${updated}/${desired} updated)`,
    };
  }
  return { phase, message };
}

/**
 * The view of a weighted-traffic rollout (gateway-api, istio): phase from the versions, the
 * traffic split over the two versions, and the routing object's resourceVersion as the revision.
 */
export function weightedRolloutView(options: {
  cluster: string;
  namespace: string;
  strategy: 'gateway-api' | 'istio';
  mode: RolloutMode;
  /** The routing object and its kind. */
  routing: KubeObject;
  kind: 'HTTPRoute' | 'VirtualService';
  /** `HTTPRoute ns/name`, for messages. */
  routedBy: string;
  /** The canary share of each rule or route; the first one is the rollout's weight. */
  shares: number[];
  /** What the shares are of, for the message when they differ: `rules` or `routes`. */
  sharesOf: string;
  versions: RolloutVersion[];
}): RolloutView {
  const { routing, shares, versions } = options;
  const canaryWeight = shares[0] ?? 0;
  const { phase, message } = phaseOfWeights(versions);
  const rulesDiffer = shares.some(s => s !== canaryWeight);
  const routingRef = {
    kind: options.kind,
    name: routing.metadata.name,
    namespace: options.namespace,
  };
  return {
    cluster: options.cluster,
    namespace: options.namespace,
    strategy: options.strategy,
    mode: options.mode,
    phase,
    message: rulesDiffer
      ? `${message} (the ${options.sharesOf} of ${
          options.routedBy
        } have different weights: ${shares.join(', ')}% canary)`
      : message,
    target: routingRef,
    versions,
    traffic: {
      weights: trafficWeights(versions),
      routedBy: routingRef,
      rulesDiffer,
    },
    revision: `${options.kind.toLowerCase()}/${routing.metadata.name}@${
      routing.metadata.resourceVersion
    }`,
    gitOps: gitOpsWarnings([routing]),
    observedAt: new Date().toISOString(),
  };
}

/**
 * The snapshot of a weighted-traffic rollout (gateway-api, istio): the stable and the canary
 * backend side by side (each with the first Deployment its pod selector picks), the view, and the
 * objects whose Kubernetes Events are its history.
 */
export function weightedRollout(options: {
  ctx: StrategyContext;
  strategy: 'gateway-api' | 'istio';
  routing: KubeObject;
  kind: 'HTTPRoute' | 'VirtualService';
  routedBy: string;
  shares: number[];
  sharesOf: string;
  stable: string;
  canary: string;
  /** The pod selector behind a backend (its Service's, narrowed by a subset), if known. */
  selectorOf: (backend: string) => Record<string, string> | undefined;
  /** The Service a backend stands for. */
  serviceOf: (backend: string) => string;
  deployments: KubeObject[];
  pods: KubeObject[];
}): RolloutSnapshot {
  const { ctx, shares } = options;
  const canaryWeight = shares[0] ?? 0;
  const versions = [
    {
      role: 'stable' as const,
      name: options.stable,
      weight: 100 - canaryWeight,
    },
    { role: 'canary' as const, name: options.canary, weight: canaryWeight },
  ].map(v => {
    const selector = options.selectorOf(v.name);
    const deployment = selector
      ? deploymentsSelectedBy(options.deployments, selector)[0]
      : undefined;
    return versionView({
      ...v,
      deployment,
      namespace: ctx.namespace,
      pods: options.pods,
    });
  });
  return {
    view: weightedRolloutView({
      cluster: ctx.cluster,
      namespace: ctx.namespace,
      strategy: options.strategy,
      mode: ctx.target.mode ?? 'canary',
      routing: options.routing,
      kind: options.kind,
      routedBy: options.routedBy,
      shares,
      sharesOf: options.sharesOf,
      versions,
    }),
    involved: [
      { kind: options.kind, name: options.routing.metadata.name },
      ...versions.flatMap(v => [
        { kind: 'Service', name: options.serviceOf(v.name) },
        ...(v.workload.name
          ? [{ kind: 'Deployment', name: v.workload.name, prefix: true }]
          : []),
      ]),
    ],
  };
}
