import {
  CanaryAnalysis,
  RolloutEvent,
  RolloutPhase,
} from '@kube-rollouts/plugin-rollouts-common';
import { KubeObject, RESOURCES } from '../kubernetes';
import { gitOpsWarnings, timeOf, versionView, trafficWeights } from './common';
import type { RolloutsConfig } from '../config';
import { RolloutSnapshot, StrategyContext, StrategyDriver } from './types';

/** The product document's rollback label, when the configuration names none. */
const DEFAULT_ROLLBACK_LABEL = { key: 'action', value: 'rollback' };

/** Label on CanaryEvents naming their CanaryDelivery. @public */
export const LABEL_CANARY_DELIVERY = 'asm.cpaas.io/msname';

/** Flagger phases in which a run is in progress. */
const ACTIVE_PHASES = ['Progressing', 'Waiting', 'WaitingPromotion'];

/** `30s`, `1m30s`, `4m`, `1h` (Go durations) in seconds. */
export function durationSeconds(value: unknown, fallback: number): number {
  if (typeof value === 'number') return value;
  const text = String(value ?? '');
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let matched = false;
  const unitSeconds: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
  };
  for (const m of text.matchAll(re)) {
    matched = true;
    total += Number(m[1]) * unitSeconds[m[2]];
  }
  return matched ? total : fallback;
}

/** Newest first: by creationTimestamp, then run start, then name. */
export function sortCanaryEvents(events: KubeObject[]): KubeObject[] {
  const key = (e: KubeObject) => [
    timeOf(e.metadata.creationTimestamp) ?? '',
    timeOf(e.spec?.startTime) ?? '',
    e.metadata.name,
  ];
  return [...events].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const c = kb[i].localeCompare(ka[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/**
 * Whether a CanaryEvent's run was rolled back by a person: `spec.result: RolledBack` (the emulator's schema; its
 * earlier `Cancelled` is read too), or, on an event without a result (as real ASM ones may be), the rollback label.
 */
export function isRolledBack(
  event: KubeObject | undefined,
  rollbackLabel: RolloutsConfig['rollbackLabel'] = DEFAULT_ROLLBACK_LABEL,
): boolean {
  if (!event) return false;
  const result = event.spec?.result;
  if (result === 'RolledBack' || result === 'Cancelled') return true;
  return (
    result === undefined &&
    event.metadata.labels?.[rollbackLabel.key] === rollbackLabel.value
  );
}

/** Flagger's phase in the one vocabulary of all strategies (see the README's phase table). */
export function flaggerPhaseToPhase(
  flaggerPhase: string,
  rolledBack: boolean,
): RolloutPhase {
  switch (flaggerPhase) {
    case 'Initialized':
    case 'Succeeded':
      return 'Stable';
    case 'Initializing':
    case 'Waiting':
    case 'Progressing':
      return 'Progressing';
    case 'WaitingPromotion':
      return 'Paused';
    case 'Promoting':
    case 'Finalising':
      return 'Promoting';
    case 'Failed':
      return rolledBack ? 'RolledBack' : 'Failed';
    default:
      return 'Unknown';
  }
}

function metricThreshold(
  analysis: any,
  name: string,
  bound: 'min' | 'max',
): number | undefined {
  const metric = (analysis?.metrics ?? []).find((m: any) => m?.name === name);
  const value = metric?.thresholdRange?.[bound];
  return value === undefined ? undefined : Number(value);
}

/** A number, or nothing when the field is missing or not numeric. */
function numberOrUndefined(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A CanaryEvent (one run) as a history entry. Reads the schema of the emulator's CanaryEvent CRD (`phase`, `revision`,
 * `startTime`, `endTime`, `steps[]`, `checks[]`, `message`, `result`); every field may be missing, as on real ASM
 * events, and the emulator's earlier names (`weights[]`, `checks[].latencyMs`) are still read.
 */
export function runEvent(
  event: KubeObject,
  rollbackLabel: RolloutsConfig['rollbackLabel'] = DEFAULT_ROLLBACK_LABEL,
): RolloutEvent {
  const s = event.spec ?? {};
  const parsed = Date.parse(
    timeOf(s.startTime) ?? timeOf(event.metadata.creationTimestamp) ?? '',
  );
  const time = Number.isNaN(parsed) ? '' : new Date(parsed).toISOString();
  const images = Array.isArray(s.images)
    ? s.images
        .map((i: { image?: string }) => i?.image)
        .filter(Boolean)
        .join(', ')
    : '';
  const revision =
    typeof s.revision === 'string' && s.revision ? s.revision : images;
  const list = (value: unknown): any[] =>
    Array.isArray(value) ? value.filter(x => x && typeof x === 'object') : [];
  let type = String(s.result ?? s.phase ?? 'Unknown');
  if (isRolledBack(event, rollbackLabel)) type = 'RolledBack';
  return {
    id: event.metadata.name,
    time,
    kind: 'run',
    type,
    reason: s.action?.name
      ? `action=${s.action.name}: ${s.action.outcome ?? ''}`.trim()
      : s.result,
    message: String(s.message ?? (revision ? `release of ${revision}` : '')),
    involvedObject: { kind: 'CanaryEvent', name: event.metadata.name },
    run: {
      ...(revision ? { revision } : {}),
      startTime: timeOf(s.startTime),
      endTime: timeOf(s.endTime),
      steps: list(s.steps ?? s.weights).map(w => ({
        time: String(w.time ?? ''),
        weight: Number(w.weight ?? 0),
      })),
      checks: list(s.checks).map(c => {
        const successRate = numberOrUndefined(c.successRate);
        const responseTimeMs = numberOrUndefined(
          c.responseTimeMs ?? c.latencyMs,
        );
        return {
          time: String(c.time ?? ''),
          weight: Number(c.weight ?? 0),
          ...(successRate !== undefined ? { successRate } : {}),
          ...(responseTimeMs !== undefined ? { responseTimeMs } : {}),
          passed: Boolean(c.passed),
          ...(c.message ? { message: String(c.message) } : {}),
        };
      }),
    },
  };
}

/**
 * canary-delivery: an Alauda ASM CanaryDelivery (Flagger) runs the analysis and moves the
 * traffic; each run is recorded as a CanaryEvent.
 * @public
 */
export class CanaryDeliveryStrategy implements StrategyDriver {
  readonly strategy = 'canary-delivery' as const;

  async read(ctx: StrategyContext): Promise<RolloutSnapshot> {
    const { client, namespace, target } = ctx;
    const [canaryDelivery, events, deployments, pods] = await Promise.all([
      client.get(RESOURCES.canaryDeliveries, namespace, target.target),
      client.list(RESOURCES.canaryEvents, namespace, {
        labelSelector: `${LABEL_CANARY_DELIVERY}=${target.target}`,
      }),
      client.list(RESOURCES.deployments, namespace),
      client.list(RESOURCES.pods, namespace),
    ]);
    const spec = canaryDelivery.spec ?? {};
    const status = canaryDelivery.status ?? {};
    const analysisSpec = spec.analysis ?? {};
    const targetName = String(
      spec.targetRef?.name ?? canaryDelivery.metadata.name,
    );
    const primaryName = `${targetName}-primary`;
    const serviceName = String(spec.service?.name ?? targetName);
    const flaggerPhase = String(status.phase ?? 'Initializing');
    const newestEvent = sortCanaryEvents(events)[0];
    const newestSpec = newestEvent?.spec ?? {};
    const inProgress =
      ACTIVE_PHASES.includes(flaggerPhase) &&
      newestEvent !== undefined &&
      !newestSpec.endTime;

    const stepWeight = Number(analysisSpec.stepWeight ?? 0);
    const iterations = Number(analysisSpec.iterations ?? 0);
    const maxWeight = Number(analysisSpec.maxWeight ?? (stepWeight ? 100 : 0));
    const mode =
      stepWeight >= 100 || (iterations > 0 && stepWeight === 0)
        ? 'blue-green'
        : 'canary';
    const intervalSeconds = durationSeconds(analysisSpec.interval, 60);
    const checks: any[] = Array.isArray(newestSpec.checks)
      ? newestSpec.checks
      : [];
    const lastCheck = checks[checks.length - 1];
    const canaryWeight = Number(status.canaryWeight ?? 0);
    let nextCheckAt: string | undefined;
    if (inProgress) {
      const from = Date.parse(
        timeOf(lastCheck?.time) ??
          timeOf(status.lastTransitionTime) ??
          timeOf(newestSpec.startTime) ??
          '',
      );
      if (!Number.isNaN(from)) {
        nextCheckAt = new Date(from + intervalSeconds * 1000).toISOString();
      }
    }
    const minSuccessRate =
      spec.minSuccessRate !== undefined
        ? Number(spec.minSuccessRate)
        : metricThreshold(analysisSpec, 'request-success-rate', 'min');
    const maxResponseTimeMs =
      spec.maxResponseTime !== undefined
        ? Number(spec.maxResponseTime)
        : metricThreshold(analysisSpec, 'request-duration', 'max');
    const analysis: CanaryAnalysis = {
      interval: String(analysisSpec.interval ?? '1m'),
      intervalSeconds,
      stepWeight,
      maxWeight,
      threshold: Number(analysisSpec.threshold ?? 5),
      failedChecks: Number(status.failedChecks ?? 0),
      iterations: Number(status.iterations ?? 0),
      canaryWeight,
      ...(minSuccessRate !== undefined ? { minSuccessRate } : {}),
      ...(maxResponseTimeMs !== undefined ? { maxResponseTimeMs } : {}),
      ...(lastCheck?.successRate !== undefined
        ? { lastSuccessRate: Number(lastCheck.successRate) }
        : {}),
      ...((lastCheck?.responseTimeMs ?? lastCheck?.latencyMs) !== undefined
        ? {
            lastResponseTimeMs: Number(
              lastCheck.responseTimeMs ?? lastCheck.latencyMs,
            ),
          }
        : {}),
      ...(nextCheckAt ? { nextCheckAt } : {}),
      flaggerPhase,
    };

    const find = (name: string) =>
      deployments.find(d => d.metadata.name === name);
    const versions = [
      versionView({
        role: 'stable',
        name: primaryName,
        deployment: find(primaryName),
        namespace,
        pods,
        weight: 100 - canaryWeight,
      }),
      versionView({
        role: 'canary',
        name: targetName,
        deployment: find(targetName),
        namespace,
        pods,
        weight: canaryWeight,
      }),
    ];
    const cdRef = {
      kind: 'CanaryDelivery',
      name: canaryDelivery.metadata.name,
      namespace,
    };
    const condition = (status.conditions ?? []).find(
      (c: { type: string }) => c.type === 'Promoted',
    );
    return {
      view: {
        cluster: ctx.cluster,
        namespace,
        strategy: this.strategy,
        mode,
        phase: flaggerPhaseToPhase(
          flaggerPhase,
          isRolledBack(newestEvent, ctx.config.rollbackLabel),
        ),
        message: String(
          (inProgress ? newestSpec.message : condition?.message) ??
            newestSpec.message ??
            `CanaryDelivery ${canaryDelivery.metadata.name} is ${flaggerPhase}`,
        ),
        target: cdRef,
        versions,
        traffic: {
          weights: trafficWeights(versions),
          routedBy: { kind: 'VirtualService', name: serviceName, namespace },
        },
        analysis,
        revision: `canarydelivery/${canaryDelivery.metadata.name}@${
          canaryDelivery.metadata.resourceVersion
        },canaryevent/${newestEvent?.metadata.name ?? 'none'}@${
          newestEvent?.metadata.resourceVersion ?? '0'
        }`,
        gitOps: gitOpsWarnings([canaryDelivery]),
        observedAt: new Date().toISOString(),
      },
      involved: [
        { kind: 'CanaryDelivery', name: canaryDelivery.metadata.name },
      ],
    };
  }
}
