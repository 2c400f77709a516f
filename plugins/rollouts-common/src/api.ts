import type { RolloutMode, RolloutStrategy } from './annotations';

/**
 * The HTTP API of the rollouts backend, mounted at `/api/rollouts`:
 *
 * - `GET  /entities/:kind/:namespace/:name/rollout` → {@link RolloutResponse}
 * - `GET  /entities/:kind/:namespace/:name/rollout/events?cluster=&limit=&cursor=` → {@link RolloutEventsResponse}
 *
 * Errors are Backstage error bodies (`{ error: { name, message }, response: { statusCode } }`):
 * 400 InputError, 403 NotAllowedError, 404 NotFoundError, 503 ServiceUnavailableError.
 */

/**
 * One vocabulary of phases for all strategies.
 * - Stable: all traffic on the stable version and nothing in progress.
 * - Progressing: traffic is split, the selected version is not fully ready yet, or an automated
 *   analysis is advancing.
 * - Paused: an automated run waits for promotion approval (Flagger's WaitingPromotion).
 * - Promoting: the new version is being made the primary (Flagger's Promoting, Finalising).
 * - Promoted: all traffic on the new (canary) version.
 * - Failed: the version that gets traffic has no ready pod, or the automated analysis failed.
 * - RolledBack: an automated run was rolled back (a rollback label on its CanaryEvent).
 * - Unknown: the objects exist but their state cannot be read.
 * @public
 */
export type RolloutPhase =
  | 'Stable'
  | 'Progressing'
  | 'Paused'
  | 'Promoting'
  | 'Promoted'
  | 'Failed'
  | 'RolledBack'
  | 'Unknown';

/** @public */
export type VersionRole = 'stable' | 'canary';

/** One version (Deployment) side by side with the other. @public */
export interface RolloutVersion {
  role: VersionRole;
  /** A name for people: the version label value (blue, green), or the Deployment/Service name. */
  name: string;
  /** The Deployment serving this version. */
  workload: { kind: 'Deployment'; name: string; namespace: string };
  images: string[];
  replicas: {
    desired: number;
    ready: number;
    available: number;
    updated: number;
  };
  /** Pods by readiness. */
  pods: { name: string; ready: boolean; phase: string; ip?: string }[];
  /** Share of the traffic this version gets now, 0-100. */
  weight: number;
}

/** The live traffic split. @public */
export interface TrafficSplit {
  /** Weight per version name (sums to 100). */
  weights: { version: string; role: VersionRole; weight: number }[];
  /** service-selector: the selector the Service uses now. */
  selector?: Record<string, string>;
  /** The routing object. */
  routedBy: { kind: string; name: string; namespace: string };
  /**
   * gateway-api and istio: the routing object's rules (routes) give the canary different shares;
   * `weights` are the first one's.
   */
  rulesDiffer?: boolean;
}

/** canary-delivery: the automated analysis. @public */
export interface CanaryAnalysis {
  interval: string;
  /** Interval in seconds, for countdowns. */
  intervalSeconds: number;
  stepWeight: number;
  maxWeight: number;
  threshold: number;
  failedChecks: number;
  iterations: number;
  canaryWeight: number;
  minSuccessRate?: number;
  maxResponseTimeMs?: number;
  /** Latest measured values of the current run. */
  lastSuccessRate?: number;
  lastResponseTimeMs?: number;
  /** ISO time of the next check, when a run is in progress. */
  nextCheckAt?: string;
  /** Flagger's own phase name (Initialized, Progressing, Succeeded, Failed, ...). */
  flaggerPhase?: string;
}

/** A GitOps tool manages an object that decides the traffic. @public */
export interface GitOpsWarning {
  tool: 'Argo CD' | 'Flux';
  object: { kind: string; name: string; namespace: string };
  message: string;
}

/** The rollout of an entity on one cluster. @public */
export interface RolloutView {
  cluster: string;
  namespace: string;
  strategy: RolloutStrategy;
  mode: RolloutMode;
  phase: RolloutPhase;
  /** One sentence explaining the phase. */
  message?: string;
  /** The object that decides the traffic. */
  target: { kind: string; name: string; namespace: string };
  versions: RolloutVersion[];
  traffic: TrafficSplit;
  analysis?: CanaryAnalysis;
  /** Opaque token of the state of the objects that decide the traffic (changes when they change). */
  revision: string;
  gitOps?: GitOpsWarning[];
  /** ISO time this view was read. */
  observedAt: string;
}

/** A cluster that could not be read; the other clusters are still returned. @public */
export interface RolloutClusterError {
  cluster: string;
  /** HTTP-like status: 404 for a missing object, 503 for an unreachable cluster. */
  statusCode: number;
  message: string;
}

/** @public */
export interface RolloutResponse {
  entityRef: string;
  rollouts: RolloutView[];
  errors: RolloutClusterError[];
}

/** One check of an automated analysis. @public */
export interface RolloutCheck {
  time: string;
  weight: number;
  successRate?: number;
  responseTimeMs?: number;
  passed: boolean;
  message?: string;
}

/** One entry of the history, newest first. @public */
export interface RolloutEvent {
  id: string;
  time: string;
  /** canary-delivery: a run; other strategies: a Kubernetes Event. */
  kind: 'run' | 'kubernetes-event';
  /** Phase of a run, or Event type (Normal/Warning). */
  type: string;
  reason?: string;
  message: string;
  involvedObject?: { kind: string; name: string };
  /** A run's details. */
  run?: {
    revision?: string;
    startTime?: string;
    endTime?: string;
    steps: { time: string; weight: number }[];
    checks: RolloutCheck[];
  };
}

/** @public */
export interface RolloutEventsResponse {
  cluster: string;
  events: RolloutEvent[];
  /** Pass as `cursor` to get the next (older) page; absent on the last page. */
  nextCursor?: string;
}
