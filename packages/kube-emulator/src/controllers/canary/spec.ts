import type { KubeObject } from '../../store/types';
import { parseDurationMs } from '../util';

/** Label on CanaryEvents naming their CanaryDelivery (the product document's selector). @public */
export const LABEL_MSNAME = 'asm.cpaas.io/msname';
/** Label that, set on the newest CanaryEvent, rolls back (`rollback`) or promotes (`promote`) the run. @public */
export const LABEL_ACTION = 'action';

/**
 * The label on the newest CanaryEvent that acts on a run, and its values. Default `action=rollback` / `action=promote`
 * (the product document's); an ASM installation may use others.
 * @public
 */
export interface CanaryActions {
  /** Label key; default `action`. */
  label: string;
  /** Value that rolls the run back; default `rollback`. */
  rollback: string;
  /** Value that promotes the run at once; default `promote`. */
  promote: string;
}

/** `action=rollback` / `action=promote`. @public */
export const DEFAULT_CANARY_ACTIONS: CanaryActions = {
  label: LABEL_ACTION,
  rollback: 'rollback',
  promote: 'promote',
};

/** The action labels with defaults for what is not given; throws on an empty or clashing value. @public */
export function canaryActions(
  given: Partial<CanaryActions> = {},
): CanaryActions {
  const actions = { ...DEFAULT_CANARY_ACTIONS };
  for (const key of ['label', 'rollback', 'promote'] as const) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !value.trim())
      throw new Error(`canaryActions.${key} must be a non-empty string`);
    actions[key] = value;
  }
  if (actions.rollback === actions.promote)
    throw new Error(
      'canaryActions.rollback and canaryActions.promote must differ',
    );
  return actions;
}
/** CanaryDelivery annotation: after this idle time (e.g. `2m`) the emulator releases a new image by itself (demo only). @public */
export const ANNOTATION_AUTO_RELEASE = 'kube-emulator.io/auto-release-after';
/** The Backstage Kubernetes plugin's workload label, copied onto every object the controller creates. @public */
export const LABEL_BACKSTAGE_ID = 'backstage.io/kubernetes-id';

/**
 * Iterations of a blue/green CanaryDelivery (`stepWeight = maxWeight = 100`) that gives no `analysis.iterations`:
 * Flagger requires `iterations` for blue/green and its documented example uses 10.
 * @public
 */
export const DEFAULT_BLUE_GREEN_ITERATIONS = 10;

/** A CanaryDelivery's spec with Flagger's defaults applied. @public */
export interface CanarySpec {
  targetName: string;
  primaryName: string;
  serviceName: string;
  canaryServiceName: string;
  primaryServiceName: string;
  hosts: string[];
  gateways: string[];
  intervalMs: number;
  interval: string;
  /** Weights the analysis walks through, e.g. [5, 10, ..., 50]; empty in iterations (blue/green) mode. */
  steps: number[];
  maxWeight: number;
  stepWeight: number;
  /**
   * Checks to pass at canary weight 0 before all traffic goes to the canary (Flagger's blue/green); 0 for a weighted
   * canary. `stepWeight = maxWeight = 100` is blue/green too: `analysis.iterations`, else
   * {@link DEFAULT_BLUE_GREEN_ITERATIONS}.
   */
  iterations: number;
  threshold: number;
  minSuccessRate: number;
  maxResponseTime: number;
  promoteControl: string;
  tcp: boolean;
  port?: number;
  portName?: string;
  targetPort?: number | string;
}

/** Reads a CanaryDelivery (asm.alauda.io/v1alpha1) spec. @public */
export function parseCanarySpec(cd: KubeObject): CanarySpec {
  const spec = cd.spec ?? {};
  const analysis = spec.analysis ?? {};
  const targetName = String(spec.targetRef?.name ?? cd.metadata.name);
  const serviceName = String(spec.service?.name ?? targetName);
  const intervalMs = Math.max(1000, parseDurationMs(analysis.interval, 60_000));
  let iterations = Number(analysis.iterations ?? 0);
  if (!Number.isFinite(iterations) || iterations < 0) iterations = 0;
  iterations = Math.floor(iterations);
  let stepWeight = Number(analysis.stepWeight ?? 0);
  let maxWeight = Number(analysis.maxWeight ?? (stepWeight ? 100 : 0));
  let steps: number[] = [];
  if (Array.isArray(analysis.stepWeights) && analysis.stepWeights.length) {
    steps = analysis.stepWeights
      .map(Number)
      .filter((w: number) => w > 0 && w <= 100);
    maxWeight = steps[steps.length - 1];
    stepWeight = steps[0];
  } else if (stepWeight >= 100 && (maxWeight || 100) >= 100) {
    // stepWeight = maxWeight = 100 (the product document's blue/green): Flagger's blue/green, i.e. iterations of the
    // analysis with the canary at weight 0 (tested through its -canary Service), then all traffic to it at once.
    stepWeight = 100;
    maxWeight = 100;
    iterations ||= DEFAULT_BLUE_GREEN_ITERATIONS;
  } else if (stepWeight > 0) {
    maxWeight = Math.min(100, maxWeight || 100);
    for (let w = stepWeight; w < maxWeight; w += stepWeight) steps.push(w);
    steps.push(maxWeight);
  } else if (!iterations) {
    // Neither weights nor iterations: behave as Flagger's default canary (stepWeight 10, maxWeight 50).
    stepWeight = 10;
    maxWeight = 50;
    steps = [10, 20, 30, 40, 50];
  }
  return {
    targetName,
    primaryName: `${targetName}-primary`,
    serviceName,
    canaryServiceName: `${serviceName}-canary`,
    primaryServiceName: `${serviceName}-primary`,
    hosts: (spec.service?.hosts ?? []).map(String),
    gateways: (spec.service?.gateways ?? ['mesh']).map(String),
    intervalMs,
    interval: String(analysis.interval ?? '1m'),
    steps,
    maxWeight,
    stepWeight,
    iterations: steps.length ? 0 : iterations,
    threshold: Math.max(1, Number(analysis.threshold ?? 5)),
    minSuccessRate: Number(spec.minSuccessRate ?? 99),
    maxResponseTime: Number(spec.maxResponseTime ?? 500),
    promoteControl: String(spec.promoteControl ?? 'system'),
    tcp: spec.service?.tcp === true || spec.service?.appProtocol === 'tcp',
    port:
      spec.service?.port !== undefined ? Number(spec.service.port) : undefined,
    portName: spec.service?.portName,
    targetPort: spec.service?.targetPort,
  };
}

/**
 * Why a CanaryDelivery's analysis cannot run (the CRD schema rejects the rest, e.g. a threshold below 1), or undefined.
 * @public
 */
export function canarySpecProblem(cd: KubeObject): string | undefined {
  const analysis = cd.spec?.analysis ?? {};
  const stepWeight = Number(analysis.stepWeight ?? 0);
  if (
    analysis.maxWeight !== undefined &&
    stepWeight > 0 &&
    !(Array.isArray(analysis.stepWeights) && analysis.stepWeights.length) &&
    stepWeight > Number(analysis.maxWeight)
  )
    return `spec.analysis.stepWeight (${stepWeight}) is above spec.analysis.maxWeight (${analysis.maxWeight})`;
  if (analysis.threshold !== undefined && Number(analysis.threshold) < 1)
    return `spec.analysis.threshold (${analysis.threshold}) must be at least 1`;
  return undefined;
}

/** The label Flagger rewrites for the primary (`app`, `name` or `app.kubernetes.io/name`) and its value. @public */
export function selectorLabel(target: KubeObject): {
  key: string;
  value: string;
} {
  const labels: Record<string, string> =
    target.spec?.selector?.matchLabels ?? {};
  for (const key of ['app', 'name', 'app.kubernetes.io/name'])
    if (labels[key]) return { key, value: labels[key] };
  const [key, value] = Object.entries(labels)[0] ?? [
    'app',
    target.metadata.name,
  ];
  return { key, value };
}
