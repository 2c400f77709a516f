import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { RolloutClusterConfig, RolloutsConfig } from '../config';
import { ClientNodeKubeClient } from './client';
import { KubeClient } from './types';

export * from './types';
export { ClientNodeKubeClient } from './client';

/**
 * Hands out one {@link KubeClient} per configured cluster.
 * @public
 */
export interface KubeClientProvider {
  /** The configured clusters' names. */
  clusterNames(): string[];
  /** The cluster's settings; an InputError naming the known clusters when unknown. */
  clusterConfig(name: string): RolloutClusterConfig;
  forCluster(name: string): KubeClient;
}

/**
 * {@link KubeClientProvider} from the parsed configuration; clients are built lazily and kept.
 * @public
 */
export class ConfiguredKubeClientProvider implements KubeClientProvider {
  private readonly clients = new Map<string, KubeClient>();

  constructor(private readonly config: RolloutsConfig) {}

  clusterNames(): string[] {
    return this.config.clusters.map(c => c.name);
  }

  clusterConfig(name: string): RolloutClusterConfig {
    const cluster = this.config.clusters.find(c => c.name === name);
    if (!cluster) {
      const known = this.clusterNames();
      const others = this.config.unsupportedLocatorTypes.length
        ? ` (clusterLocatorMethods of type ${this.config.unsupportedLocatorTypes.join(
            ', ',
          )} are not supported by Kube Rollouts yet; only type: config)`
        : '';
      throw new InputError(
        `cluster '${name}' is not configured — expected one of: ${
          known.join(', ') ||
          '(no clusters in kubernetes.clusterLocatorMethods)'
        }${others}`,
      );
    }
    return cluster;
  }

  forCluster(name: string): KubeClient {
    const existing = this.clients.get(name);
    if (existing) return existing;
    const cluster = this.clusterConfig(name);
    if (!cluster.auth) {
      throw new ServiceUnavailableError(
        cluster.unsupportedReason ?? `cluster '${name}' cannot be used`,
      );
    }
    const client = new ClientNodeKubeClient({
      cluster,
      timeoutMs: this.config.requestTimeoutMs,
    });
    this.clients.set(name, client);
    return client;
  }
}
