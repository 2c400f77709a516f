import {
  RolloutStrategy,
  RolloutView,
} from '@kube-rollouts/plugin-rollouts-common';
import { RolloutsConfig } from '../config';
import { KubeClient } from '../kubernetes';
import { RolloutTarget } from '../service/entityTarget';

/**
 * What a strategy driver works with on one cluster.
 * @public
 */
export interface StrategyContext {
  client: KubeClient;
  cluster: string;
  namespace: string;
  target: RolloutTarget;
  config: RolloutsConfig;
}

/**
 * The state read from a cluster: the view, and the objects whose history belongs to it.
 * @public
 */
export interface RolloutSnapshot {
  view: RolloutView;
  /** Objects whose Kubernetes Events belong to the rollout's history; `prefix` also matches ReplicaSets and Pods. */
  involved: { kind: string; name: string; prefix?: boolean }[];
}

/**
 * A traffic-switching mechanism: reads the rollout of one cluster, one file per strategy.
 * @public
 */
export interface StrategyDriver {
  readonly strategy: RolloutStrategy;
  read(ctx: StrategyContext): Promise<RolloutSnapshot>;
}
