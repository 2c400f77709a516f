import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  ANNOTATION_CANARY,
  ANNOTATION_CLUSTER,
  ANNOTATION_KUBERNETES_CLUSTER,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_MODE,
  ANNOTATION_NAMESPACE,
  ANNOTATION_STABLE,
  ANNOTATION_STRATEGY,
  ANNOTATION_TARGET,
  ANNOTATION_VERSION_LABEL,
  ROLLOUT_MODES,
  ROLLOUT_STRATEGIES,
  RolloutMode,
  RolloutStrategy,
} from '@kube-rollouts/plugin-rollouts-common';
import { isDnsLabel, isLabelKey, isLabelValue } from '../config';
import { KubeClientProvider } from '../kubernetes';

/** The strategy options, the strategies that use each, and why the others do not. */
const STRATEGY_ANNOTATIONS: Record<
  string,
  { strategies: RolloutStrategy[]; because: string }
> = {
  [ANNOTATION_MODE]: {
    strategies: ['service-selector', 'gateway-api', 'istio'],
    because:
      "the CanaryDelivery's analysis decides: stepWeight = maxWeight = 100 is blue-green",
  },
  [ANNOTATION_VERSION_LABEL]: {
    strategies: ['service-selector'],
    because: "only service-selector switches a Service's selector by a label",
  },
  [ANNOTATION_STABLE]: {
    strategies: ['gateway-api', 'istio'],
    because:
      "the serving version is the one the Service's selector or the CanaryDelivery names",
  },
  [ANNOTATION_CANARY]: {
    strategies: ['gateway-api', 'istio'],
    because:
      'the versions beside the selected one are the canaries, or the CanaryDelivery names them',
  },
};

/**
 * Where and how an entity's rollout lives, read from its annotations and validated: every
 * value that reaches a Kubernetes request has passed a Kubernetes name or label rule.
 * @public
 */
export interface RolloutTarget {
  entityRef: string;
  strategy: RolloutStrategy;
  /** Name of the object that decides the traffic. */
  target: string;
  clusters: string[];
  namespace: string;
  /** Declared by annotation; undefined = the strategy's default. */
  mode?: RolloutMode;
  versionLabel: string;
  stable?: string;
  canary?: string;
}

const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes object names (DNS subdomain, at most 253 characters). */
export function isObjectName(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

function invalid(annotation: string, value: string, expected: string) {
  return new InputError(
    `annotation ${annotation} has value '${value}' — expected ${expected}`,
  );
}

/** The first of the annotations that the entity has. */
function firstPresent(
  annotations: Record<string, string>,
  keys: string[],
): string | undefined {
  return keys.find(k => annotations[k] !== undefined);
}

/** An istio destination: `host` or `host/subset`. */
function isIstioBackend(value: string): boolean {
  const [host, subset, ...rest] = value.split('/');
  return (
    rest.length === 0 &&
    isObjectName(host) &&
    (subset === undefined || isDnsLabel(subset))
  );
}

/**
 * Reads and validates the rollout annotations of an entity.
 * @public
 */
export function readRolloutTarget(
  entity: Entity,
  clusters: KubeClientProvider,
): RolloutTarget {
  const annotations = entity.metadata.annotations ?? {};
  const entityRef = stringifyEntityRef(entity);

  const strategy = annotations[ANNOTATION_STRATEGY];
  if (strategy === undefined) {
    throw new InputError(
      `entity ${entityRef} has no annotation ${ANNOTATION_STRATEGY} — expected one of ${ROLLOUT_STRATEGIES.join(
        ', ',
      )}`,
    );
  }
  if (!(ROLLOUT_STRATEGIES as readonly string[]).includes(strategy)) {
    throw invalid(
      ANNOTATION_STRATEGY,
      strategy,
      `one of ${ROLLOUT_STRATEGIES.join(', ')}`,
    );
  }

  for (const [annotation, usedBy] of Object.entries(STRATEGY_ANNOTATIONS)) {
    if (
      annotations[annotation] !== undefined &&
      !usedBy.strategies.includes(strategy as RolloutStrategy)
    ) {
      throw new InputError(
        `annotation ${annotation} is not used by the ${strategy} strategy (${usedBy.because}): remove it`,
      );
    }
  }

  let target: string;
  if (annotations[ANNOTATION_TARGET] !== undefined) {
    target = annotations[ANNOTATION_TARGET];
    if (!isObjectName(target)) {
      throw invalid(
        ANNOTATION_TARGET,
        target,
        'a Kubernetes object name (lower-case letters, digits, - and ., at most 253 characters)',
      );
    }
  } else if (annotations[ANNOTATION_KUBERNETES_ID] !== undefined) {
    target = annotations[ANNOTATION_KUBERNETES_ID];
    if (!isObjectName(target)) {
      throw invalid(
        ANNOTATION_KUBERNETES_ID,
        target,
        `a Kubernetes object name to use as the rollout target, or set annotation ${ANNOTATION_TARGET}`,
      );
    }
  } else {
    target = entity.metadata.name;
    if (!isObjectName(target)) {
      throw new InputError(
        `entity name '${target}' is not a Kubernetes object name — set annotation ${ANNOTATION_TARGET}`,
      );
    }
  }
  if (strategy === 'canary-delivery' && !isLabelValue(target)) {
    // CanaryEvents are found by the label asm.cpaas.io/msname=<target>.
    throw invalid(
      ANNOTATION_TARGET,
      target,
      'a CanaryDelivery name of at most 63 characters (it is used as a label value)',
    );
  }

  const configured = clusters.clusterNames();
  let clusterNames: string[];
  const clusterAnnotation = firstPresent(annotations, [
    ANNOTATION_CLUSTER,
    ANNOTATION_KUBERNETES_CLUSTER,
  ]);
  if (clusterAnnotation) {
    const raw = annotations[clusterAnnotation];
    clusterNames = [
      ...new Set(
        raw
          .split(',')
          .map(c => c.trim())
          .filter(Boolean),
      ),
    ];
    if (clusterNames.length === 0) {
      throw invalid(
        clusterAnnotation,
        raw,
        `one or more cluster names separated by commas, from: ${
          configured.join(', ') || '(none configured)'
        }`,
      );
    }
    for (const name of clusterNames) {
      try {
        clusters.clusterConfig(name);
      } catch (error) {
        // names the configured clusters, and locator types that are not supported
        throw new InputError(
          `annotation ${clusterAnnotation} has value '${raw}' — ${
            (error as Error).message
          }`,
        );
      }
    }
  } else if (configured.length === 1) {
    clusterNames = configured;
  } else if (configured.length === 0) {
    throw new ServiceUnavailableError(
      'no Kubernetes cluster is configured: add one under kubernetes.clusterLocatorMethods (type: config)',
    );
  } else {
    throw new InputError(
      `several clusters are configured (${configured.join(
        ', ',
      )}): add annotation ${ANNOTATION_CLUSTER} to ${entityRef} naming the cluster(s) the rollout runs on`,
    );
  }

  const namespaceAnnotation = firstPresent(annotations, [
    ANNOTATION_NAMESPACE,
    ANNOTATION_KUBERNETES_NAMESPACE,
  ]);
  const namespace = namespaceAnnotation
    ? annotations[namespaceAnnotation]
    : 'default';
  if (namespaceAnnotation && !isDnsLabel(namespace)) {
    throw invalid(
      namespaceAnnotation,
      namespace,
      'a namespace name (lower-case letters, digits and -, at most 63 characters)',
    );
  }
  for (const name of clusterNames) {
    const allowed = clusters.clusterConfig(name).allowedNamespaces;
    if (allowed && !allowed.includes(namespace)) {
      throw new NotAllowedError(
        `namespace '${namespace}' of ${entityRef} is not allowed on cluster '${name}' (kubeRollouts.clusters allowedNamespaces: ${allowed.join(
          ', ',
        )})`,
      );
    }
  }

  let mode: RolloutMode | undefined;
  const rawMode = annotations[ANNOTATION_MODE];
  if (rawMode !== undefined) {
    if (!(ROLLOUT_MODES as readonly string[]).includes(rawMode)) {
      throw invalid(
        ANNOTATION_MODE,
        rawMode,
        `one of ${ROLLOUT_MODES.join(', ')}`,
      );
    }
    mode = rawMode as RolloutMode;
    if (strategy === 'service-selector' && mode !== 'blue-green') {
      throw invalid(
        ANNOTATION_MODE,
        rawMode,
        'blue-green or no annotation: service-selector switches all traffic at once',
      );
    }
  }

  const versionLabel = annotations[ANNOTATION_VERSION_LABEL] ?? 'version';
  if (!isLabelKey(versionLabel)) {
    throw invalid(
      ANNOTATION_VERSION_LABEL,
      versionLabel,
      'a Kubernetes label key',
    );
  }

  // Only gateway-api and istio get here with these annotations (the others are refused above).
  const [isBackend, backendExpected]: [(v: string) => boolean, string] =
    strategy === 'istio'
      ? [
          isIstioBackend,
          'a destination host of the VirtualService, optionally with /subset',
        ]
      : [isDnsLabel, 'a Service name of the HTTPRoute'];
  const stable = annotations[ANNOTATION_STABLE];
  const canary = annotations[ANNOTATION_CANARY];
  for (const [annotation, value] of [
    [ANNOTATION_STABLE, stable],
    [ANNOTATION_CANARY, canary],
  ] as const) {
    if (value === undefined) continue;
    if (!isBackend(value)) throw invalid(annotation, value, backendExpected);
  }
  if (stable !== undefined && stable === canary) {
    throw new InputError(
      `annotations ${ANNOTATION_STABLE} and ${ANNOTATION_CANARY} both have value '${stable}' — expected two different backends`,
    );
  }

  return {
    entityRef,
    strategy: strategy as RolloutStrategy,
    target,
    clusters: clusterNames,
    namespace,
    mode,
    versionLabel,
    stable,
    canary,
  };
}
