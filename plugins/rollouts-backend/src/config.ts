import { Config } from '@backstage/config';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  SERVICEACCOUNT_CA_PATH,
} from '@backstage/plugin-kubernetes-common';

/**
 * How the plugin authenticates to a cluster. Only the Backstage Kubernetes plugin's
 * `serviceAccount` provider is supported: with `serviceAccountToken`, or the backend's own
 * in-cluster service account when no token is configured.
 * @public
 */
export type ClusterAuth =
  | { type: 'serviceAccount'; token: string }
  | { type: 'inCluster'; tokenFile: string; caFile?: string };

/**
 * A cluster from `kubernetes.clusterLocatorMethods[type=config].clusters[]`.
 * @public
 */
export interface RolloutClusterConfig {
  name: string;
  url: string;
  /** Absent when the cluster uses an auth provider Kube Rollouts does not support yet. */
  auth?: ClusterAuth;
  /** Why the cluster cannot be used, when `auth` is absent. */
  unsupportedReason?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
  /** From `kubeRollouts.clusters[].allowedNamespaces`; undefined = every namespace. */
  allowedNamespaces?: string[];
}

/**
 * Everything the plugin reads from configuration, parsed and validated once at start-up.
 * @public
 */
export interface RolloutsConfig {
  clusters: RolloutClusterConfig[];
  /** `clusterLocatorMethods` entries of other types than `config`, reported as unsupported. */
  unsupportedLocatorTypes: string[];
  /** Timeout of one Kubernetes API request, in milliseconds. */
  requestTimeoutMs: number;
  /** canary-delivery: the CanaryEvent label that rolls a run back (`action=rollback`). */
  rollbackLabel: { key: string; value: string };
}

/** In-cluster service account token, beside the CA the Backstage Kubernetes plugin reads. */
const IN_CLUSTER_TOKEN_FILE = SERVICEACCOUNT_CA_PATH.replace(
  /ca\.crt$/,
  'token',
);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Whether `key` is a valid Kubernetes label key (optional DNS prefix, name of at most 63 chars).
 * @public
 */
export function isLabelKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name))
    return false;
  if (parts.length === 2) {
    const prefix = parts[0];
    return (
      prefix.length > 0 && prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)
    );
  }
  return true;
}

/**
 * Whether `value` is a valid Kubernetes label value.
 * @public
 */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

/**
 * Whether `name` is a valid namespace name (an RFC 1123 DNS label).
 * @public
 */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

class ConfigError extends Error {
  constructor(key: string, message: string) {
    super(`Invalid configuration at ${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Refuses a key of `config` (found at `at`) that the plugin does not read, e.g. a typo. */
function rejectUnknownKeys(config: Config, at: string, known: string[]) {
  for (const key of config.keys()) {
    if (!known.includes(key)) {
      throw new ConfigError(
        `${at}.${key}`,
        `unknown setting — expected one of: ${known.join(', ')}`,
      );
    }
  }
}

function readPositiveInt(
  config: Config,
  key: string,
  fallback: number,
  max: number,
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value <= 0 || value > max) {
    throw new ConfigError(
      `kubeRollouts.${key}`,
      `${value} — expected a whole number of milliseconds between 1 and ${max}`,
    );
  }
  return value;
}

function readCluster(cluster: Config, key: string): RolloutClusterConfig {
  const name = cluster.getString('name');
  if (!name.trim()) throw new ConfigError(`${key}.name`, 'must not be empty');
  const url = cluster.getString('url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${key}.url`, `'${url}' is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(
      `${key}.url`,
      `'${url}' — expected an http or https URL`,
    );
  }
  const authProvider =
    cluster.getOptionalString('authProvider') ??
    readAuthMetadataProvider(cluster);
  if (!authProvider) {
    throw new ConfigError(
      `${key}.authProvider`,
      `cluster '${name}' has no authProvider (nor authMetadata['${ANNOTATION_KUBERNETES_AUTH_PROVIDER}']) — expected e.g. serviceAccount`,
    );
  }
  const skipTLSVerify = cluster.getOptionalBoolean('skipTLSVerify') ?? false;
  const caData = cluster.getOptionalString('caData');
  const caFile = cluster.getOptionalString('caFile');
  const result: RolloutClusterConfig = {
    name,
    url: url.replace(/\/+$/, ''),
    skipTLSVerify,
    caData,
    caFile,
  };
  if (authProvider === 'serviceAccount') {
    const token = cluster.getOptionalString('serviceAccountToken');
    result.auth = token
      ? { type: 'serviceAccount', token }
      : {
          type: 'inCluster',
          tokenFile: IN_CLUSTER_TOKEN_FILE,
          caFile: caData || caFile ? undefined : SERVICEACCOUNT_CA_PATH,
        };
  } else {
    result.unsupportedReason = `cluster '${name}' uses authProvider '${authProvider}', which Kube Rollouts does not support yet (supported: serviceAccount, with serviceAccountToken or the in-cluster service account)`;
  }
  return result;
}

function readAuthMetadataProvider(cluster: Config): string | undefined {
  // Config keys with dots and slashes cannot be addressed by path: read the object.
  const metadata = cluster.getOptional<Record<string, unknown>>('authMetadata');
  const value = metadata?.[ANNOTATION_KUBERNETES_AUTH_PROVIDER];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads `kubernetes.clusterLocatorMethods` (the Backstage Kubernetes plugin's cluster
 * configuration) and `kubeRollouts`. Throws an error naming the key on invalid configuration.
 * @public
 */
export function readRolloutsConfig(config: Config): RolloutsConfig {
  const clusters: RolloutClusterConfig[] = [];
  const unsupportedLocatorTypes: string[] = [];
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  methods.forEach((method, i) => {
    const type = method.getString('type');
    if (type !== 'config') {
      unsupportedLocatorTypes.push(type);
      return;
    }
    (method.getOptionalConfigArray('clusters') ?? []).forEach((cluster, j) => {
      const key = `kubernetes.clusterLocatorMethods[${i}].clusters[${j}]`;
      const parsed = readCluster(cluster, key);
      if (clusters.some(c => c.name === parsed.name)) {
        throw new ConfigError(
          `${key}.name`,
          `duplicate cluster name '${parsed.name}'`,
        );
      }
      clusters.push(parsed);
    });
  });

  const rollouts = config.getOptionalConfig('kubeRollouts');
  if (rollouts) {
    rejectUnknownKeys(rollouts, 'kubeRollouts', [
      'requestTimeoutMs',
      'clusters',
      'canaryDelivery',
    ]);
  }
  const canaryDelivery = rollouts?.getOptionalConfig('canaryDelivery');
  if (canaryDelivery) {
    rejectUnknownKeys(canaryDelivery, 'kubeRollouts.canaryDelivery', [
      'rollbackLabel',
    ]);
  }
  const rollbackLabelText =
    canaryDelivery?.getOptionalString('rollbackLabel') ?? 'action=rollback';
  const [labelKey, labelValue, ...rest] = rollbackLabelText.split('=');
  if (
    rest.length > 0 ||
    labelValue === undefined ||
    !isLabelKey(labelKey) ||
    !isLabelValue(labelValue) ||
    labelValue === ''
  ) {
    throw new ConfigError(
      'kubeRollouts.canaryDelivery.rollbackLabel',
      `'${rollbackLabelText}' is not a label as key=value (a Kubernetes label key and a non-empty label value), e.g. action=rollback`,
    );
  }
  const rollbackLabel = { key: labelKey, value: labelValue };
  const requestTimeoutMs = rollouts
    ? readPositiveInt(rollouts, 'requestTimeoutMs', 5000, 120_000)
    : 5000;

  (rollouts?.getOptionalConfigArray('clusters') ?? []).forEach((entry, i) => {
    const key = `kubeRollouts.clusters[${i}]`;
    rejectUnknownKeys(entry, key, ['name', 'allowedNamespaces']);
    const name = entry.getString('name');
    const cluster = clusters.find(c => c.name === name);
    if (!cluster) {
      throw new ConfigError(
        `${key}.name`,
        `cluster '${name}' is not configured in kubernetes.clusterLocatorMethods (type: config) — expected one of: ${
          clusters.map(c => c.name).join(', ') || '(none configured)'
        }`,
      );
    }
    const allowed = entry.getOptionalStringArray('allowedNamespaces');
    if (allowed) {
      allowed.forEach((ns, j) => {
        if (!isDnsLabel(ns)) {
          throw new ConfigError(
            `${key}.allowedNamespaces[${j}]`,
            `'${ns}' is not a valid namespace name (lower-case letters, digits and '-', at most 63 characters)`,
          );
        }
      });
      cluster.allowedNamespaces = allowed;
    }
  });

  return { clusters, unsupportedLocatorTypes, requestTimeoutMs, rollbackLabel };
}
