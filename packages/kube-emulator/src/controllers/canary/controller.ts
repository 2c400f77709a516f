import type { KubeObject } from '../../store/types';
import { healthOf } from '../../traffic/health';
import type { TrafficSimulator } from '../../traffic/simulator';
import { recordUpdate } from '../../server/apply';
import { isDeploymentComplete } from '../deployment';
import { R } from '../resources';
import {
  type Controller,
  type ControllerContext,
  WorkQueue,
  isResource,
  keyOf,
  splitKey,
} from '../runtime';
import {
  goDuration,
  jsonEqual,
  parseDurationMs,
  podTemplateHash,
  rfc3339,
} from '../util';
import {
  canaryService,
  primaryDeployment,
  primaryTemplate,
  servicePorts,
  virtualService,
  virtualServiceSpec,
} from './objects';
import {
  type CanaryRun,
  type CanaryRunResult,
  SUPERSEDED_PREFIX,
  canaryEventName,
  canaryEventObject,
  canaryEventProgress,
  imagesOf,
  pushBounded,
  runFromCanaryEvent,
} from './run';
import {
  ANNOTATION_AUTO_RELEASE,
  type CanaryActions,
  type CanarySpec,
  canaryActions,
  canarySpecProblem,
  LABEL_MSNAME,
  parseCanarySpec,
  selectorLabel,
} from './spec';

/** The field manager of Flagger's writes (client-go's default: the binary's name). */
const FLAGGER_FIELD_MANAGER = 'flagger';

const flagger = { component: 'flagger' };
const ACTIVE = ['Progressing', 'Waiting', 'WaitingPromotion'];
/** CanaryEvents kept per CanaryDelivery; older runs are deleted when a new one starts. */
const MAX_HISTORY = 50;
/** Colours of quay.io/codefresh/rollouts-demo the demo's automatic releases cycle through. */
const DEMO_COLOURS = ['blue', 'yellow', 'green', 'red', 'purple', 'orange'];

const conditionByPhase: Record<
  string,
  { status: string; reason: string; message: string }
> = {
  Initializing: {
    status: 'Unknown',
    reason: 'Initializing',
    message: 'Deployment initialization in progress.',
  },
  Initialized: {
    status: 'True',
    reason: 'Initialized',
    message: 'Deployment initialization completed.',
  },
  Progressing: {
    status: 'Unknown',
    reason: 'Progressing',
    message: 'New revision detected, progressing canary analysis.',
  },
  Waiting: {
    status: 'Unknown',
    reason: 'Waiting',
    message: 'Waiting for approval.',
  },
  WaitingPromotion: {
    status: 'Unknown',
    reason: 'WaitingPromotion',
    message:
      'Waiting for approval: label the newest CanaryEvent action=promote.',
  },
  Promoting: {
    status: 'Unknown',
    reason: 'Promoting',
    message: 'Canary analysis completed, starting primary rolling update.',
  },
  Finalising: {
    status: 'Unknown',
    reason: 'Finalising',
    message: 'Canary analysis completed, routing all traffic to primary.',
  },
  Succeeded: {
    status: 'True',
    reason: 'Succeeded',
    message: 'Canary analysis completed successfully, promotion finished.',
  },
  Failed: {
    status: 'False',
    reason: 'Failed',
    message: 'Canary analysis failed, Deployment scaled to zero.',
  },
};

/** The simulated Flagger (Alauda ASM CanaryDelivery) controller. @public */
export interface CanaryController extends Controller {
  /** flagger_canary_* Prometheus lines. */
  metricsLines(): string[];
}

/**
 * Simulated Flagger for asm.alauda.io/v1alpha1 CanaryDelivery: creates the primary Deployment, the apex/canary/primary
 * Services and the VirtualService; on a pod-template change of the target runs the analysis (weights by stepWeight
 * every interval, or Flagger's blue/green iterations at weight 0 when stepWeight = maxWeight = 100 or
 * `analysis.iterations` is set; checks against minSuccessRate/maxResponseTime, rollback after `threshold` failed checks, promotion
 * at maxWeight), records one CanaryEvent per run, and obeys `action=rollback|promote` labels on the newest CanaryEvent
 * (label and values configurable with `actions`).
 * @public
 */
export function createCanaryController(
  ctx: ControllerContext,
  traffic: TrafficSimulator,
  actions: Partial<CanaryActions> = {},
): CanaryController {
  const { store, clock, recorder } = ctx;
  const act = canaryActions(actions);
  const promoteLabel = `${act.label}=${act.promote}`;
  const rollbackLabel = `${act.label}=${act.rollback}`;
  const conditions: typeof conditionByPhase = {
    ...conditionByPhase,
    WaitingPromotion: {
      ...conditionByPhase.WaitingPromotion,
      message: `Waiting for approval: label the newest CanaryEvent ${promoteLabel}.`,
    },
  };
  const queue = new WorkQueue('flagger', handle);
  const runs = new Map<string, CanaryRun>();
  const timers = new Map<string, () => void>();
  const eventTimers = new Map<string, () => void>();

  function handle(item: string) {
    const i = item.indexOf('|');
    const kind = item.slice(0, i);
    const key = item.slice(i + 1);
    if (kind === 'cd') reconcile(key, false);
    else if (kind === 'tick') reconcile(key, true);
    else if (kind === 'event') createPendingEvent(key);
    else if (kind === 'action') handleAction(key);
  }

  // ---- timers ------------------------------------------------------------------------------------

  function setTimer(key: string, simulatedMs: number) {
    timers.get(key)?.();
    const cancel = clock.after(simulatedMs, () => {
      timers.delete(key);
      queue.add(`tick|${key}`);
    });
    timers.set(key, cancel);
  }

  function ensureTimer(key: string, simulatedMs: number) {
    if (!timers.has(key)) setTimer(key, simulatedMs);
  }

  function cancelTimer(key: string) {
    timers.get(key)?.();
    timers.delete(key);
  }

  // ---- object helpers ----------------------------------------------------------------------------

  const id = (cd: KubeObject, spec: CanarySpec) =>
    `${spec.targetName}.${cd.metadata.namespace}`;

  function setStatus(
    cd: KubeObject,
    patch: Record<string, unknown>,
    condition?: { status: string; reason: string; message: string },
  ): KubeObject | undefined {
    const now = rfc3339(clock.now());
    return store.modify(
      R.canarydeliveries,
      cd.metadata.namespace,
      cd.metadata.name,
      current => {
        const previous = current.status ?? {};
        const status: any = {
          canaryWeight: 0,
          failedChecks: 0,
          iterations: 0,
          ...previous,
          ...patch,
        };
        for (const k of Object.keys(status))
          if (status[k] === undefined) delete status[k];
        if (status.phase !== previous.phase) status.lastTransitionTime = now;
        status.lastTransitionTime ??= now;
        const cond = condition ?? conditions[status.phase];
        if (cond) {
          const old = (previous.conditions ?? []).find(
            (c: any) => c.type === 'Promoted',
          );
          const same =
            old &&
            old.status === cond.status &&
            old.reason === cond.reason &&
            old.message === cond.message;
          status.conditions = [
            {
              type: 'Promoted',
              ...cond,
              lastUpdateTime: same ? old.lastUpdateTime : now,
              lastTransitionTime:
                old && old.status === cond.status
                  ? old.lastTransitionTime
                  : now,
            },
          ];
        }
        if (jsonEqual(previous, status)) return false;
        current.status = status;
        return true;
      },
    );
  }

  function scaleTarget(target: KubeObject, replicas: number) {
    store.modify(
      R.deployments,
      target.metadata.namespace,
      target.metadata.name,
      d => {
        if (Number(d.spec?.replicas ?? 1) === replicas) return false;
        d.spec = { ...d.spec, replicas };
        // Flagger scales with an Update: spec.replicas moves to its field manager, so a later
        // server-side apply of the Deployment by someone else conflicts on it, as on a cluster.
        d.metadata.managedFields = recordUpdate(
          d,
          { spec: { replicas } },
          FLAGGER_FIELD_MANAGER,
          'apps/v1',
          'apps/deployments',
        );
        return true;
      },
    );
  }

  function ensureObjects(cd: KubeObject, target: KubeObject, spec: CanarySpec) {
    const namespace = cd.metadata.namespace;
    if (!store.get(R.deployments, namespace, spec.primaryName)) {
      store.create(R.deployments, primaryDeployment(cd, target, spec));
    }
    const { key, value } = selectorLabel(target);
    const apex = store.get(R.services, namespace, spec.serviceName);
    const ports = servicePorts(target, spec, apex);
    if (!apex)
      store.create(
        R.services,
        canaryService(cd, target, spec.serviceName, `${value}-primary`, ports),
      );
    else if (
      !jsonEqual(apex.spec?.selector ?? {}, { [key]: `${value}-primary` })
    ) {
      // Flagger takes over the existing Service: it now selects the primary pods.
      store.modify(R.services, namespace, spec.serviceName, svc => {
        svc.spec = { ...svc.spec, selector: { [key]: `${value}-primary` } };
      });
    }
    if (!store.get(R.services, namespace, spec.canaryServiceName)) {
      store.create(
        R.services,
        canaryService(cd, target, spec.canaryServiceName, value, ports),
      );
    }
    if (!store.get(R.services, namespace, spec.primaryServiceName)) {
      store.create(
        R.services,
        canaryService(
          cd,
          target,
          spec.primaryServiceName,
          `${value}-primary`,
          ports,
        ),
      );
    }
  }

  function routeTraffic(
    cd: KubeObject,
    target: KubeObject,
    spec: CanarySpec,
    canaryWeight: number,
  ) {
    const vs = store.get(
      R.virtualservices,
      cd.metadata.namespace,
      spec.serviceName,
    );
    if (!vs) {
      store.create(
        R.virtualservices,
        virtualService(cd, target, spec, canaryWeight),
      );
      return;
    }
    const desired = virtualServiceSpec(spec, canaryWeight);
    if (jsonEqual(vs.spec ?? {}, desired)) return;
    store.modify(
      R.virtualservices,
      cd.metadata.namespace,
      spec.serviceName,
      current => {
        if (jsonEqual(current.spec ?? {}, desired)) return false;
        current.spec = desired;
        return true;
      },
    );
  }

  // ---- runs and CanaryEvents ---------------------------------------------------------------------

  function flushRun(run: CanaryRun) {
    if (!run.eventName) return;
    const progress = canaryEventProgress(run);
    store.modify(R.canaryevents, run.namespace, run.eventName, ev => {
      const spec = { ...(ev.spec ?? {}), ...progress };
      if (jsonEqual(ev.spec ?? {}, spec)) return false;
      ev.spec = spec;
      return true;
    });
  }

  function log(
    cd: KubeObject,
    run: CanaryRun | undefined,
    type: 'Normal' | 'Warning',
    message: string,
  ) {
    recorder.record(cd, type, 'Synced', message, flagger);
    if (!run) return;
    pushBounded(run.logs, { time: rfc3339(clock.now()), type, message });
    run.message = message;
    flushRun(run);
  }

  function createEventFor(key: string, cd: KubeObject, run: CanaryRun) {
    if (run.eventName || run.creating) return;
    const existing = store.list(R.canaryevents, {
      namespace: run.namespace,
      labelSelector: `${LABEL_MSNAME}=${run.cdName}`,
    });
    const lastSecond = Math.max(
      -1,
      ...existing
        .map(ev =>
          Math.floor(Date.parse(ev.metadata.creationTimestamp ?? '') / 1000),
        )
        .filter(Number.isFinite),
    );
    const now = clock.now();
    if (Math.floor(now / 1000) <= lastSecond) {
      // kubectl --sort-by compares creationTimestamps with one-second resolution: the newest run must be a second later.
      run.creating = true;
      const realDelay = (lastSecond + 1) * 1000 - now + 20;
      eventTimers.get(key)?.();
      eventTimers.set(
        key,
        clock.after(realDelay * clock.timeScale, () => {
          eventTimers.delete(key);
          queue.add(`event|${key}`);
        }),
      );
      return;
    }
    const spec = parseCanarySpec(cd);
    let name = canaryEventName(run.cdName, now);
    if (store.get(R.canaryevents, run.namespace, name))
      name = `${name}-${existing.length}`;
    store.create(R.canaryevents, canaryEventObject(cd, spec, run, name));
    run.eventName = name;
    // Keep the newest runs only (a demo releasing on its own would otherwise grow the history forever).
    const history = [...existing].sort(
      (a, b) =>
        String(a.metadata.creationTimestamp).localeCompare(
          String(b.metadata.creationTimestamp),
        ) || a.metadata.name.localeCompare(b.metadata.name),
    );
    for (const old of history.slice(
      0,
      Math.max(0, history.length + 1 - MAX_HISTORY),
    ))
      store.delete(R.canaryevents, old.metadata.namespace, old.metadata.name);
  }

  function createPendingEvent(key: string) {
    const run = runs.get(key);
    const { namespace, name } = splitKey(key);
    const cd = store.get(R.canarydeliveries, namespace, name);
    if (!run || run.eventName || !cd) return;
    run.creating = false;
    createEventFor(key, cd, run);
  }

  /** The in-memory run of an active CanaryDelivery, recovered from its newest CanaryEvent after a restart. */
  function activeRun(
    key: string,
    cd: KubeObject,
    target: KubeObject,
  ): CanaryRun {
    let run = runs.get(key);
    if (run) return run;
    const revision = cd.status?.lastAppliedSpec;
    const newest = store
      .list(R.canaryevents, {
        namespace: cd.metadata.namespace,
        labelSelector: `${LABEL_MSNAME}=${cd.metadata.name}`,
      })
      .sort((a, b) =>
        String(a.metadata.creationTimestamp).localeCompare(
          String(b.metadata.creationTimestamp),
        ),
      )
      .pop();
    if (
      newest &&
      newest.spec?.templateHash === revision &&
      !newest.spec?.endTime
    ) {
      run = runFromCanaryEvent(newest);
    } else {
      run = newRun(
        cd,
        target,
        revision ?? podTemplateHash(target.spec?.template),
        '',
      );
      createEventFor(key, cd, run);
    }
    run.canaryWeight = Number(cd.status?.canaryWeight ?? run.canaryWeight);
    run.failedChecks = Number(cd.status?.failedChecks ?? run.failedChecks);
    run.iterations = Number(cd.status?.iterations ?? run.iterations);
    runs.set(key, run);
    return run;
  }

  function newRun(
    cd: KubeObject,
    target: KubeObject,
    revision: string,
    message: string,
  ): CanaryRun {
    const primary = store.get(
      R.deployments,
      cd.metadata.namespace,
      parseCanarySpec(cd).primaryName,
    );
    return {
      namespace: cd.metadata.namespace!,
      cdName: cd.metadata.name,
      creating: false,
      templateHash: revision,
      images: imagesOf(target.spec?.template),
      previousImages: imagesOf(primary?.spec?.template),
      startTime: clock.now(),
      phase: 'Progressing',
      message,
      canaryWeight: 0,
      failedChecks: 0,
      iterations: 0,
      steps: [],
      checks: [],
      logs: [],
      analysisStarted: false,
      sampleIndex: 0,
    };
  }

  function endRun(run: CanaryRun, phase: string, result: CanaryRunResult) {
    run.phase = phase;
    run.result = result;
    run.endTime = clock.now();
    flushRun(run);
  }

  // ---- the state machine -------------------------------------------------------------------------

  /**
   * An invalid CanaryDelivery (a spec the analysis cannot follow, or a missing target): phase Failed with a condition
   * that says why, and nothing created. Once fixed, it initializes from the start.
   */
  function markInvalid(
    key: string,
    cd: KubeObject,
    reason: string,
    message: string,
  ) {
    cancelTimer(key);
    runs.delete(key);
    const old = (cd.status?.conditions ?? []).find(
      (c: any) => c.type === 'Promoted',
    );
    if (cd.status?.phase !== 'Failed' || old?.message !== message)
      recorder.warning(cd, 'Synced', message, flagger);
    setStatus(
      cd,
      {
        phase: 'Failed',
        canaryWeight: 0,
        failedChecks: 0,
        iterations: 0,
        lastAppliedSpec: undefined,
        lastPromotedSpec: undefined,
      },
      { status: 'False', reason, message },
    );
  }

  function startRun(
    key: string,
    cd: KubeObject,
    target: KubeObject,
    spec: CanarySpec,
    hash: string,
    restart: boolean,
  ) {
    cancelTimer(key);
    const previous = runs.get(key);
    if (restart && previous) {
      // Flagger just restarts; the superseded run ends as Failed, its message says why.
      previous.message = `${SUPERSEDED_PREFIX}: New revision detected! Restarting analysis for ${id(
        cd,
        spec,
      )}`;
      endRun(previous, 'Failed', 'Failed');
    }
    const primary = store.get(
      R.deployments,
      cd.metadata.namespace,
      spec.primaryName,
    );
    const message = restart
      ? `New revision detected! Restarting analysis for ${id(cd, spec)}`
      : `New revision detected! Scaling up ${id(cd, spec)}`;
    const run = newRun(cd, target, hash, message);
    runs.set(key, run);
    scaleTarget(
      target,
      Number(primary?.spec?.replicas ?? target.spec?.replicas ?? 1) || 1,
    );
    routeTraffic(cd, target, spec, 0);
    setStatus(cd, {
      phase: 'Progressing',
      canaryWeight: 0,
      failedChecks: 0,
      iterations: 0,
      lastAppliedSpec: hash,
    });
    createEventFor(key, cd, run);
    log(cd, run, 'Normal', message);
    queue.add(`cd|${key}`);
  }

  function setWeight(
    cd: KubeObject,
    target: KubeObject,
    spec: CanarySpec,
    run: CanaryRun,
    weight: number,
  ) {
    run.canaryWeight = weight;
    pushBounded(run.steps, { time: rfc3339(clock.now()), weight });
    routeTraffic(cd, target, spec, weight);
    setStatus(cd, { canaryWeight: weight });
  }

  function startAnalysis(
    key: string,
    cd: KubeObject,
    target: KubeObject,
    spec: CanarySpec,
    run: CanaryRun,
  ) {
    run.analysisStarted = true;
    log(cd, run, 'Normal', `Starting canary analysis for ${id(cd, spec)}`);
    if (spec.steps.length) {
      setWeight(cd, target, spec, run, spec.steps[0]);
      log(
        cd,
        run,
        'Normal',
        `Advance ${id(cd, spec)} canary weight ${spec.steps[0]}`,
      );
    }
    setTimer(key, spec.intervalMs);
  }

  function analysisStep(
    key: string,
    cd: KubeObject,
    target: KubeObject,
    spec: CanarySpec,
    run: CanaryRun,
  ) {
    if (!canaryReady(target)) {
      const message = `${id(
        cd,
        spec,
      )} not ready: waiting for rollout to finish: ${
        target.status?.updatedReplicas ?? 0
      } of ${target.spec?.replicas ?? 1} updated replicas are available`;
      if (run.message !== message) log(cd, run, 'Warning', message);
      setTimer(key, spec.intervalMs);
      return;
    }
    // The canary is measured as Flagger's metric checks see it through the <svc>-canary Service: from its pods'
    // health, whatever its weight, so blue/green iterations (weight 0, no user traffic) test it too.
    const measured = traffic.measure(
      cd.metadata.namespace!,
      spec.targetName,
      healthOf(target.spec?.template),
      run.sampleIndex++,
    );
    let failure: string | undefined;
    if (measured.successRate < spec.minSuccessRate) {
      failure = `Halt ${id(
        cd,
        spec,
      )} advancement success rate ${measured.successRate.toFixed(2)}% < ${
        spec.minSuccessRate
      }%`;
    } else if (measured.latencyP99Ms > spec.maxResponseTime) {
      failure = `Halt ${id(cd, spec)} advancement request duration ${goDuration(
        measured.latencyP99Ms,
      )} > ${goDuration(spec.maxResponseTime)}`;
    }
    pushBounded(run.checks, {
      time: rfc3339(clock.now()),
      weight: run.canaryWeight,
      ...(spec.iterations && run.iterations < spec.iterations
        ? { iteration: run.iterations + 1 }
        : {}),
      successRate: measured.successRate,
      responseTimeMs: measured.latencyP99Ms,
      passed: !failure,
      message:
        failure ??
        `request-success-rate ${measured.successRate.toFixed(2)}% >= ${
          spec.minSuccessRate
        }%, request-duration ${goDuration(
          measured.latencyP99Ms,
        )} <= ${goDuration(spec.maxResponseTime)}`,
    });
    if (failure) {
      run.failedChecks++;
      setStatus(cd, { failedChecks: run.failedChecks });
      log(cd, run, 'Warning', failure);
      if (run.failedChecks >= spec.threshold) {
        rollback(
          key,
          cd,
          target,
          spec,
          run,
          `Rolling back ${id(cd, spec)} failed checks threshold reached ${
            run.failedChecks
          }`,
          'Failed',
        );
      } else {
        setTimer(key, spec.intervalMs);
      }
      return;
    }
    if (spec.iterations && run.iterations < spec.iterations) {
      // Blue/green: the canary keeps weight 0 (the checks test it through its -canary Service) for N iterations.
      run.iterations++;
      setStatus(cd, { iterations: run.iterations });
      log(
        cd,
        run,
        'Normal',
        `Advance ${id(cd, spec)} canary iteration ${run.iterations}/${
          spec.iterations
        }`,
      );
      if (run.iterations === spec.iterations) {
        // As Flagger: after the last iteration all traffic goes to the canary for one more interval (and check).
        log(cd, run, 'Normal', `Routing all traffic to canary`);
        setWeight(cd, target, spec, run, 100);
      }
      setTimer(key, spec.intervalMs);
      return;
    } else if (!spec.iterations && run.canaryWeight < spec.maxWeight) {
      const next = spec.steps.find(w => w > run.canaryWeight) ?? spec.maxWeight;
      setWeight(cd, target, spec, run, next);
      log(cd, run, 'Normal', `Advance ${id(cd, spec)} canary weight ${next}`);
      setTimer(key, spec.intervalMs);
      return;
    }
    if (spec.promoteControl !== 'system') {
      run.phase = 'WaitingPromotion';
      setStatus(cd, { phase: 'WaitingPromotion' });
      log(
        cd,
        run,
        'Normal',
        `Halt ${id(
          cd,
          spec,
        )} advancement waiting for promotion approval (label the newest CanaryEvent ${promoteLabel})`,
      );
      return;
    }
    promote(key, cd, target, spec, run);
  }

  function promote(
    key: string,
    cd: KubeObject,
    target: KubeObject,
    spec: CanarySpec,
    run: CanaryRun,
  ) {
    cancelTimer(key);
    log(
      cd,
      run,
      'Normal',
      `Copying ${id(cd, spec)} template spec to ${spec.primaryName}.${
        cd.metadata.namespace
      }`,
    );
    store.modify(
      R.deployments,
      cd.metadata.namespace,
      spec.primaryName,
      primary => {
        const template = primaryTemplate(target);
        if (jsonEqual(primary.spec?.template, template)) return false;
        primary.spec = { ...primary.spec, template };
        return true;
      },
    );
    run.phase = 'Promoting';
    flushRun(run);
    setStatus(cd, { phase: 'Promoting' });
    queue.add(`cd|${key}`);
  }

  function rollback(
    key: string,
    cd: KubeObject,
    target: KubeObject,
    spec: CanarySpec,
    run: CanaryRun,
    reason: string,
    result: CanaryRunResult,
  ) {
    cancelTimer(key);
    log(cd, run, 'Warning', reason);
    setWeight(cd, target, spec, run, 0);
    scaleTarget(target, 0);
    log(cd, run, 'Warning', `Canary failed! Scaling down ${id(cd, spec)}`);
    endRun(run, 'Failed', result);
    const updated = setStatus(cd, { phase: 'Failed', canaryWeight: 0 });
    scheduleIdle(key, updated ?? cd);
  }

  function canaryReady(target: KubeObject): boolean {
    return (
      Number(target.spec?.replicas ?? 1) > 0 && isDeploymentComplete(target)
    );
  }

  function scheduleIdle(key: string, cd: KubeObject) {
    const after = cd.metadata.annotations?.[ANNOTATION_AUTO_RELEASE];
    if (!after) return;
    const idleMs = parseDurationMs(after, 120_000);
    const since =
      Date.parse(cd.status?.lastTransitionTime ?? '') || clock.now();
    const elapsedSimulated = (clock.now() - since) * clock.timeScale;
    setTimer(key, Math.max(0, idleMs - elapsedSimulated));
  }

  function autoRelease(cd: KubeObject, target: KubeObject) {
    const after = cd.metadata.annotations?.[ANNOTATION_AUTO_RELEASE];
    if (!after) return;
    const since =
      Date.parse(cd.status?.lastTransitionTime ?? '') || clock.now();
    if (
      (clock.now() - since) * clock.timeScale <
      parseDurationMs(after, 120_000) - 1
    ) {
      scheduleIdle(keyOf(cd), cd);
      return;
    }
    store.modify(
      R.deployments,
      target.metadata.namespace,
      target.metadata.name,
      d => {
        const container = d.spec?.template?.spec?.containers?.[0];
        if (!container) return false;
        const [repo, tag = ''] = String(container.image).split(/:(?=[^:/]*$)/);
        const i = DEMO_COLOURS.indexOf(tag);
        container.image = `${repo}:${
          DEMO_COLOURS[(i + 1) % DEMO_COLOURS.length]
        }`;
        return true;
      },
    );
  }

  function reconcile(key: string, due: boolean) {
    const { namespace, name } = splitKey(key);
    const cd = store.get(R.canarydeliveries, namespace, name);
    if (!cd || cd.metadata.deletionTimestamp) {
      cancelTimer(key);
      eventTimers.get(key)?.();
      eventTimers.delete(key);
      runs.delete(key);
      return;
    }
    const problem = canarySpecProblem(cd);
    if (problem) {
      markInvalid(key, cd, 'InvalidSpec', `Invalid CanaryDelivery: ${problem}`);
      return;
    }
    const spec = parseCanarySpec(cd);
    const target = store.get(R.deployments, namespace, spec.targetName);
    if (!target) {
      markInvalid(
        key,
        cd,
        'TargetNotFound',
        `target Deployment ${spec.targetName}.${namespace} not found: deployments.apps "${spec.targetName}" not found`,
      );
      return;
    }
    let phase: string = cd.status?.phase ?? '';
    // Failed without an applied spec: it was invalid (see markInvalid) and is valid now.
    if (phase === 'Failed' && !cd.status?.lastAppliedSpec) phase = '';
    ensureObjects(cd, target, spec);
    const routedWeight =
      ACTIVE.includes(phase) || phase === 'Promoting'
        ? Number(cd.status?.canaryWeight ?? 0)
        : 0;
    routeTraffic(cd, target, spec, routedWeight);
    const primary = store.get(R.deployments, namespace, spec.primaryName);
    const hash = podTemplateHash(target.spec?.template);

    if (phase === '' || phase === 'Initializing') {
      if (!primary || !isDeploymentComplete(primary)) {
        if (phase !== 'Initializing')
          setStatus(cd, {
            phase: 'Initializing',
            canaryWeight: 0,
            failedChecks: 0,
            iterations: 0,
          });
        return;
      }
      scaleTarget(target, 0);
      const updated = setStatus(cd, {
        phase: 'Initialized',
        canaryWeight: 0,
        failedChecks: 0,
        iterations: 0,
        lastAppliedSpec: hash,
        lastPromotedSpec: hash,
      });
      log(cd, undefined, 'Normal', `Initialization done! ${id(cd, spec)}`);
      scheduleIdle(key, updated ?? cd);
      return;
    }
    if (
      phase === 'Initialized' ||
      phase === 'Succeeded' ||
      phase === 'Failed' ||
      phase === 'Terminated'
    ) {
      if (hash !== cd.status?.lastAppliedSpec) {
        startRun(key, cd, target, spec, hash, false);
        return;
      }
      if (due) autoRelease(cd, target);
      else if (!timers.has(key)) scheduleIdle(key, cd);
      return;
    }
    const run = activeRun(key, cd, target);
    if (ACTIVE.includes(phase)) {
      if (hash !== cd.status?.lastAppliedSpec) {
        startRun(key, cd, target, spec, hash, true);
        return;
      }
      if (phase === 'WaitingPromotion') return;
      if (!run.analysisStarted) {
        if (canaryReady(target)) startAnalysis(key, cd, target, spec, run);
        return;
      }
      if (due) analysisStep(key, cd, target, spec, run);
      else ensureTimer(key, spec.intervalMs);
      return;
    }
    if (phase === 'Promoting') {
      if (primary && isDeploymentComplete(primary)) {
        setWeight(cd, target, spec, run, 0);
        run.phase = 'Finalising';
        setStatus(cd, { phase: 'Finalising', canaryWeight: 0 });
        log(cd, run, 'Normal', 'Routing all traffic to primary');
        setTimer(key, Math.min(spec.intervalMs, 10_000));
      }
      return;
    }
    if (phase === 'Finalising') {
      if (!due) {
        ensureTimer(key, Math.min(spec.intervalMs, 10_000));
        return;
      }
      scaleTarget(target, 0);
      log(
        cd,
        run,
        'Normal',
        `Promotion completed! Scaling down ${id(cd, spec)}`,
      );
      endRun(run, 'Succeeded', 'Succeeded');
      const updated = setStatus(cd, {
        phase: 'Succeeded',
        canaryWeight: 0,
        lastPromotedSpec: cd.status?.lastAppliedSpec,
      });
      scheduleIdle(key, updated ?? cd);
    }
  }

  function handleAction(eventKey: string) {
    const { namespace, name } = splitKey(eventKey);
    const ev = store.get(R.canaryevents, namespace, name);
    const action = ev?.metadata.labels?.[act.label];
    if (!ev || !action || ev.spec?.action?.name === action) return;
    const cdName =
      ev.metadata.labels?.[LABEL_MSNAME] ?? ev.spec?.canaryDelivery;
    const key = `${namespace}/${cdName}`;
    const cd = store.get(R.canarydeliveries, namespace, cdName);
    const target =
      cd && store.get(R.deployments, namespace, parseCanarySpec(cd).targetName);
    const phase = cd?.status?.phase ?? '';
    const run =
      cd &&
      target &&
      (ACTIVE.includes(phase) ||
        phase === 'Promoting' ||
        phase === 'Finalising')
        ? activeRun(key, cd, target)
        : runs.get(key);
    const ignore = (outcome: string) => {
      store.modify(R.canaryevents, namespace, name, current => {
        current.spec = {
          ...(current.spec ?? {}),
          action: { name: action, handledAt: rfc3339(clock.now()), outcome },
        };
      });
      if (cd)
        recorder.warning(
          cd,
          'Synced',
          `Ignored ${act.label}=${action} on CanaryEvent ${name}: ${outcome}`,
          flagger,
        );
    };
    if (!cd || !target || !run || run.eventName !== name) {
      ignore('Ignored: this CanaryEvent is not the active run');
      return;
    }
    if (!ACTIVE.includes(phase)) {
      ignore(`Ignored: the run is already ${phase}`);
      return;
    }
    const spec = parseCanarySpec(cd);
    if (action === act.rollback) {
      run.action = {
        name: action,
        handledAt: rfc3339(clock.now()),
        outcome: 'RolledBack',
      };
      rollback(
        key,
        cd,
        target,
        spec,
        run,
        `Rolling back ${id(
          cd,
          spec,
        )} manual rollback requested (CanaryEvent ${name} labelled ${rollbackLabel})`,
        'RolledBack',
      );
    } else if (action === act.promote) {
      run.action = {
        name: action,
        handledAt: rfc3339(clock.now()),
        outcome: 'Promoted',
      };
      log(
        cd,
        run,
        'Normal',
        `Promotion requested for ${id(
          cd,
          spec,
        )} (CanaryEvent ${name} labelled ${promoteLabel})`,
      );
      promote(key, cd, target, spec, run);
    } else {
      ignore(
        `Ignored: unknown action "${action}", expected ${act.rollback} or ${act.promote}`,
      );
    }
  }

  function enqueueFor(namespace: string | undefined, deploymentName: string) {
    for (const cd of store.list(R.canarydeliveries, { namespace })) {
      const spec = parseCanarySpec(cd);
      if (
        spec.targetName === deploymentName ||
        spec.primaryName === deploymentName
      )
        queue.add(`cd|${keyOf(cd)}`);
    }
  }

  return {
    name: 'flagger',
    onEvent(event) {
      if (isResource(event, R.canarydeliveries))
        queue.add(`cd|${keyOf(event.object)}`);
      else if (isResource(event, R.deployments))
        enqueueFor(event.object.metadata.namespace, event.object.metadata.name);
      else if (
        isResource(event, R.canaryevents) &&
        event.type !== 'DELETED' &&
        event.object.metadata.labels?.[act.label]
      ) {
        queue.add(`action|${keyOf(event.object)}`);
      }
    },
    resyncAll() {
      for (const cd of store.list(R.canarydeliveries))
        queue.add(`cd|${keyOf(cd)}`);
      for (const ev of store.list(R.canaryevents))
        if (ev.metadata.labels?.[act.label]) queue.add(`action|${keyOf(ev)}`);
    },
    stop() {
      queue.stop();
      for (const cancel of [...timers.values(), ...eventTimers.values()])
        cancel();
      timers.clear();
      eventTimers.clear();
    },
    metricsLines() {
      const lines = [
        '# HELP flagger_canary_status Last canary analysis result (0 running, 1 successful, 2 failed).',
        '# TYPE flagger_canary_status gauge',
      ];
      const weights = [
        '# HELP flagger_canary_weight The virtual service destination weight.',
        '# TYPE flagger_canary_weight gauge',
      ];
      for (const cd of store.list(R.canarydeliveries)) {
        const spec = parseCanarySpec(cd);
        const ns = cd.metadata.namespace;
        const phase = cd.status?.phase;
        let value = 0;
        if (phase === 'Succeeded' || phase === 'Initialized') value = 1;
        else if (phase === 'Failed') value = 2;
        lines.push(
          `flagger_canary_status{name="${cd.metadata.name}",namespace="${ns}"} ${value}`,
        );
        const weight = Number(cd.status?.canaryWeight ?? 0);
        weights.push(
          `flagger_canary_weight{workload="${
            spec.primaryName
          }",namespace="${ns}"} ${100 - weight}`,
        );
        weights.push(
          `flagger_canary_weight{workload="${spec.targetName}",namespace="${ns}"} ${weight}`,
        );
      }
      return [...lines, ...weights];
    },
  };
}
