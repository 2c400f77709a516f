import type { Clock, ControllerHandle, Store } from '../store/types';
import { createTrafficSimulator } from '../traffic/simulator';
import { createCanaryController } from './canary/controller';
import type { CanaryActions } from './canary/spec';
import { createDeploymentController } from './deployment';
import { createEndpointsController } from './endpoints';
import { createGatewayController } from './gateway';
import { createKubelet } from './kubelet';
import { createReplicaSetController } from './replicaset';
import {
  type Controller,
  type ControllerContext,
  EventRecorder,
} from './runtime';

/** Options of the simulated controllers. @public */
export interface ControllerOptions {
  /** Simulated milliseconds from pod creation to Ready (default 2000). */
  podReadyDelayMs?: number;
  /** The CanaryEvent label and values that roll back or promote a run (default `action=rollback` / `action=promote`). */
  canaryActions?: Partial<CanaryActions>;
}

/**
 * Starts every simulated controller (kubelet, ReplicaSet, Deployment, Service/Endpoints, Gateway API, Flagger) and the
 * simulated traffic, subscribes them to the store, and reconciles the objects already stored.
 * stop() cancels every timer and the subscription.
 * @public
 */
export function startControllers(
  store: Store,
  clock: Clock,
  opts: ControllerOptions = {},
): ControllerHandle {
  const cancels: (() => void)[] = [];
  const ctx: ControllerContext = {
    store,
    clock,
    recorder: new EventRecorder(store, clock),
    podReadyDelayMs: opts.podReadyDelayMs ?? 2000,
    track(cancel) {
      cancels.push(cancel);
      return cancel;
    },
  };
  const traffic = createTrafficSimulator(store, clock);
  const canary = createCanaryController(ctx, traffic, opts.canaryActions);
  const controllers: Controller[] = [
    createKubelet(ctx),
    createReplicaSetController(ctx),
    createDeploymentController(ctx),
    createEndpointsController(ctx),
    createGatewayController(ctx),
    canary,
  ];
  // Once a real minute: expire Events like the API server's one-hour TTL.
  cancels.push(
    clock.every(60_000 * clock.timeScale, () => ctx.recorder.prune()),
  );
  let stopped = false;
  const unsubscribe = store.subscribe(event => {
    if (stopped) return;
    for (const controller of controllers) controller.onEvent(event);
  });
  for (const controller of controllers) controller.resyncAll();
  return {
    metricsText: () =>
      `${traffic.metricsText()}${canary.metricsLines().join('\n')}\n`,
    traffic: () => traffic.snapshot(),
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      for (const controller of controllers) controller.stop();
      traffic.stop();
      for (const cancel of cancels) cancel();
    },
  };
}
