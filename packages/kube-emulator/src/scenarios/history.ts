import {
  type CanaryRun,
  canaryEventName,
  canaryEventObject,
  pushBounded,
} from '../controllers/canary/run';
import {
  type CanarySpec,
  LABEL_ACTION,
  parseCanarySpec,
} from '../controllers/canary/spec';
import { R } from '../controllers/resources';
import { goDuration, rfc3339, safeHash } from '../controllers/util';
import { healthOf, sample } from '../traffic/health';
import type { KubeObject, Store } from '../store/types';

/** A finished run to put into a CanaryDelivery's history. @public */
export interface PastRun {
  /** When the run started, in milliseconds before now. */
  startedAgoMs: number;
  fromImage: string;
  toImage: string;
  /** How it ended: promoted, failed checks (automatic rollback) or a manual `action=rollback`. */
  outcome: 'promoted' | 'failed' | 'rolled-back';
  /** For 'rolled-back': after how many successful steps (blue/green: iterations) the person pressed rollback. */
  stepsBeforeRollback?: number;
}

/**
 * Replays a past run with the same messages and measurements the live controller produces, so history and live runs
 * look alike; returns the CanaryEvent to store.
 * @public
 */
export function pastRunEvent(
  cd: KubeObject,
  past: PastRun,
  container = 'http',
): KubeObject {
  const spec: CanarySpec = parseCanarySpec(cd);
  const ns = cd.metadata.namespace!;
  const id = `${spec.targetName}.${ns}`;
  const start = Date.now() - past.startedAgoMs;
  let t = start;
  const run: CanaryRun = {
    namespace: ns,
    cdName: cd.metadata.name,
    creating: false,
    templateHash: safeHash({ image: past.toImage }),
    images: [{ container, image: past.toImage }],
    previousImages: [{ container, image: past.fromImage }],
    startTime: start,
    phase: 'Progressing',
    message: '',
    canaryWeight: 0,
    failedChecks: 0,
    iterations: 0,
    steps: [],
    checks: [],
    logs: [],
    analysisStarted: true,
    sampleIndex: 0,
  };
  const log = (type: 'Normal' | 'Warning', message: string) => {
    pushBounded(run.logs, { time: rfc3339(t), type, message });
    run.message = message;
  };
  const weight = (w: number) => {
    run.canaryWeight = w;
    pushBounded(run.steps, { time: rfc3339(t), weight: w });
  };
  log('Normal', `New revision detected! Scaling up ${id}`);
  t += 15_000;
  log('Normal', `Starting canary analysis for ${id}`);
  // Weighted canary: the first step at once; blue/green (iterations): weight 0 until the iterations passed.
  const steps = spec.steps.length ? spec.steps : [100];
  if (!spec.iterations) {
    weight(steps[0]);
    log('Normal', `Advance ${id} canary weight ${steps[0]}`);
  }
  const health = healthOf({
    metadata: {},
    spec: { containers: [{ name: container, image: past.toImage }] },
  });
  let stepIndex = 0;
  for (;;) {
    t += spec.intervalMs;
    if (
      past.outcome === 'rolled-back' &&
      stepIndex >= (past.stepsBeforeRollback ?? 1)
    ) {
      run.action = {
        name: 'rollback',
        handledAt: rfc3339(t),
        outcome: 'RolledBack',
      };
      log(
        'Warning',
        `Rolling back ${id} manual rollback requested (CanaryEvent ${canaryEventName(
          cd.metadata.name,
          start,
        )} labelled action=rollback)`,
      );
      weight(0);
      log('Warning', `Canary failed! Scaling down ${id}`);
      run.phase = 'Failed';
      run.result = 'RolledBack';
      break;
    }
    const m = sample(
      health,
      `${ns}/history/${past.toImage}`,
      run.sampleIndex++,
    );
    let failure: string | undefined;
    if (m.successRate < spec.minSuccessRate) {
      failure = `Halt ${id} advancement success rate ${m.successRate.toFixed(
        2,
      )}% < ${spec.minSuccessRate}%`;
    } else if (m.latencyP99Ms > spec.maxResponseTime) {
      failure = `Halt ${id} advancement request duration ${goDuration(
        m.latencyP99Ms,
      )} > ${goDuration(spec.maxResponseTime)}`;
    }
    pushBounded(run.checks, {
      time: rfc3339(t),
      weight: run.canaryWeight,
      ...(spec.iterations && run.iterations < spec.iterations
        ? { iteration: run.iterations + 1 }
        : {}),
      successRate: m.successRate,
      responseTimeMs: m.latencyP99Ms,
      passed: !failure,
      message:
        failure ??
        `request-success-rate ${m.successRate.toFixed(2)}% >= ${
          spec.minSuccessRate
        }%, request-duration ${goDuration(m.latencyP99Ms)} <= ${goDuration(
          spec.maxResponseTime,
        )}`,
    });
    if (failure) {
      run.failedChecks++;
      log('Warning', failure);
      if (run.failedChecks >= spec.threshold) {
        log(
          'Warning',
          `Rolling back ${id} failed checks threshold reached ${run.failedChecks}`,
        );
        weight(0);
        log('Warning', `Canary failed! Scaling down ${id}`);
        run.phase = 'Failed';
        run.result = 'Failed';
        break;
      }
      continue;
    }
    stepIndex++;
    if (spec.iterations && run.iterations < spec.iterations) {
      run.iterations++;
      log(
        'Normal',
        `Advance ${id} canary iteration ${run.iterations}/${spec.iterations}`,
      );
      if (run.iterations === spec.iterations) {
        log('Normal', 'Routing all traffic to canary');
        weight(100);
      }
      continue;
    }
    if (!spec.iterations && run.canaryWeight < spec.maxWeight) {
      const next = steps.find(w => w > run.canaryWeight) ?? spec.maxWeight;
      weight(next);
      log('Normal', `Advance ${id} canary weight ${next}`);
      continue;
    }
    log('Normal', `Copying ${id} template spec to ${spec.primaryName}.${ns}`);
    t += 20_000;
    weight(0);
    log('Normal', 'Routing all traffic to primary');
    t += 10_000;
    log('Normal', `Promotion completed! Scaling down ${id}`);
    run.phase = 'Succeeded';
    run.result = 'Succeeded';
    break;
  }
  run.endTime = t;
  const event = canaryEventObject(
    cd,
    spec,
    run,
    canaryEventName(cd.metadata.name, start),
  );
  if (past.outcome === 'rolled-back')
    event.metadata.labels = {
      ...(event.metadata.labels ?? {}),
      [LABEL_ACTION]: 'rollback',
    };
  // The store keeps a creationTimestamp set by an internal writer, so the history shows the runs' true ages.
  event.metadata.creationTimestamp = rfc3339(start);
  return event;
}

/** Stores a CanaryDelivery's past runs (oldest first). @public */
export function loadHistory(
  store: Store,
  cd: KubeObject,
  runs: PastRun[],
  container?: string,
): void {
  for (const past of [...runs].sort(
    (a, b) => b.startedAgoMs - a.startedAgoMs,
  )) {
    const event = pastRunEvent(cd, past, container);
    if (
      !store.get(R.canaryevents, event.metadata.namespace, event.metadata.name)
    )
      store.create(R.canaryevents, event);
  }
}
