import type { KubeObject } from '../../store/types';
import { controllerRef, rfc3339 } from '../util';
import { type CanarySpec, LABEL_BACKSTAGE_ID, LABEL_MSNAME } from './spec';

/** One metric check of a run: what was measured at which canary weight, and the verdict. @public */
export interface RunCheck {
  time: string;
  weight: number;
  iteration?: number;
  successRate: number;
  /** The measured p99 request duration in milliseconds. */
  responseTimeMs: number;
  passed: boolean;
  message: string;
}

/** A line of the run's release log (the Flagger event messages). @public */
export interface RunLog {
  time: string;
  type: 'Normal' | 'Warning';
  message: string;
}

/** One canary release (from "New revision detected" to Succeeded/Failed), mirrored into a CanaryEvent. @public */
export interface CanaryRun {
  namespace: string;
  cdName: string;
  /** The CanaryEvent's name once it exists (creation may wait to keep creationTimestamps one second apart). */
  eventName?: string;
  creating: boolean;
  /** The pod-template hash of the canary (the CanaryDelivery's status.lastAppliedSpec when the run started). */
  templateHash: string;
  images: { container: string; image: string }[];
  previousImages: { container: string; image: string }[];
  startTime: number;
  endTime?: number;
  phase: string;
  /** How the run ended; see {@link CanaryRunResult}. */
  result?: CanaryRunResult;
  message: string;
  canaryWeight: number;
  failedChecks: number;
  iterations: number;
  /** The canary weights the run went through, in order (0 at the end when traffic went back to the primary). */
  steps: { time: string; weight: number }[];
  checks: RunCheck[];
  logs: RunLog[];
  analysisStarted: boolean;
  sampleIndex: number;
  action?: { name: string; handledAt: string; outcome: string };
}

/**
 * How a run ended (CanaryEvent `spec.result`): `Succeeded` (promoted), `Failed` (automatic rollback after `threshold`
 * failed checks, or superseded: a newer revision restarted the analysis, said in `spec.message`) or `RolledBack`
 * (someone labelled the CanaryEvent `action=rollback`).
 * @public
 */
export type CanaryRunResult = 'Succeeded' | 'Failed' | 'RolledBack';

/** The message a run superseded by a newer revision ends with (its result is `Failed`). @public */
export const SUPERSEDED_PREFIX = 'Superseded by a newer revision';

const MAX_ENTRIES = 300;

/** Appends to a run list, keeping its size bounded. @public */
export function pushBounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_ENTRIES) list.splice(0, list.length - MAX_ENTRIES);
}

/** `canary-demo-20261126072643`: the CanaryDelivery name plus the run's start second. @public */
export function canaryEventName(cdName: string, ms: number): string {
  const stamp = rfc3339(ms).replace(/[-:TZ]/g, '');
  return `${cdName}-${stamp}`;
}

/** The images of a pod template, per container. @public */
export function imagesOf(
  template: any,
): { container: string; image: string }[] {
  return (template?.spec?.containers ?? []).map((c: any) => ({
    container: String(c.name),
    image: String(c.image),
  }));
}

/**
 * A CanaryEvent's `spec.revision`: the canary's images, comma-separated in container order
 * (`quay.io/codefresh/rollouts-demo:green`, or `app:2.0, sidecar:1.4` for two containers).
 * @public
 */
export function revisionOf(images: { image: string }[]): string {
  return images.map(i => i.image).join(', ');
}

/** The fields of a CanaryEvent's spec that change while the run goes on. @public */
export function canaryEventProgress(run: CanaryRun): any {
  const progress: any = {
    phase: run.phase,
    message: run.message,
    startTime: rfc3339(run.startTime),
    canaryWeight: run.canaryWeight,
    failedChecks: run.failedChecks,
    iterations: run.iterations,
    steps: run.steps,
    checks: run.checks,
    logs: run.logs,
  };
  if (run.result) progress.result = run.result;
  if (run.endTime !== undefined) {
    progress.endTime = rfc3339(run.endTime);
    progress.durationSeconds = Math.max(
      0,
      Math.round((run.endTime - run.startTime) / 1000),
    );
  }
  if (run.action) progress.action = run.action;
  return progress;
}

/**
 * A CanaryEvent (asm.alauda.io/v1alpha1): one per run, labelled `asm.cpaas.io/msname=<CanaryDelivery>`, owned by the
 * CanaryDelivery. A record, not a desired state, so everything is in spec (as the emulator's printer columns
 * `.spec.phase`, `.spec.canaryWeight`, `.spec.message` expect): what is released, and how the run went.
 * @public
 */
export function canaryEventObject(
  cd: KubeObject,
  spec: CanarySpec,
  run: CanaryRun,
  name: string,
): KubeObject {
  const labels: Record<string, string> = { [LABEL_MSNAME]: run.cdName };
  const backstageId = cd.metadata.labels?.[LABEL_BACKSTAGE_ID];
  if (backstageId) labels[LABEL_BACKSTAGE_ID] = backstageId;
  return {
    apiVersion: 'asm.alauda.io/v1alpha1',
    kind: 'CanaryEvent',
    metadata: {
      name,
      namespace: run.namespace,
      labels,
      ownerReferences: [{ ...controllerRef(cd), blockOwnerDeletion: false }],
    },
    spec: {
      canaryDelivery: run.cdName,
      targetRef: { kind: 'Deployment', name: spec.targetName },
      delivertype: cd.spec?.delivertype ?? 'canary',
      revision: revisionOf(run.images),
      ...(run.previousImages.length
        ? { previousRevision: revisionOf(run.previousImages) }
        : {}),
      templateHash: run.templateHash,
      images: run.images,
      previousImages: run.previousImages,
      analysis: {
        interval: spec.interval,
        stepWeight: spec.stepWeight,
        maxWeight: spec.maxWeight,
        threshold: spec.threshold,
        ...(spec.iterations ? { iterations: spec.iterations } : {}),
      },
      thresholds: {
        minSuccessRate: spec.minSuccessRate,
        maxResponseTime: spec.maxResponseTime,
      },
      ...canaryEventProgress(run),
    },
  };
}

/** Rebuilds a run from its CanaryEvent (after a controller restart). @public */
export function runFromCanaryEvent(event: KubeObject): CanaryRun {
  const s = event.spec ?? {};
  const sp = s;
  return {
    namespace: event.metadata.namespace!,
    cdName: event.metadata.labels?.[LABEL_MSNAME] ?? sp.canaryDelivery,
    eventName: event.metadata.name,
    creating: false,
    templateHash: String(sp.templateHash ?? ''),
    images: sp.images ?? [],
    previousImages: sp.previousImages ?? [],
    startTime: Date.parse(
      s.startTime ??
        event.metadata.creationTimestamp ??
        new Date().toISOString(),
    ),
    endTime: s.endTime ? Date.parse(s.endTime) : undefined,
    phase: s.phase ?? 'Progressing',
    result: ['Succeeded', 'Failed', 'RolledBack'].includes(s.result)
      ? s.result
      : undefined,
    message: s.message ?? '',
    canaryWeight: Number(s.canaryWeight ?? 0),
    failedChecks: Number(s.failedChecks ?? 0),
    iterations: Number(s.iterations ?? 0),
    steps: s.steps ?? [],
    checks: s.checks ?? [],
    logs: s.logs ?? [],
    analysisStarted: (s.logs ?? []).some((l: RunLog) =>
      l.message.startsWith('Starting canary analysis'),
    ),
    sampleIndex: (s.checks ?? []).length,
    action: s.action,
  };
}
