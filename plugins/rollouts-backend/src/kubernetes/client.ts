import * as k8s from '@kubernetes/client-node';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ServiceUnavailableError } from '@backstage/errors';
import { RolloutClusterConfig } from '../config';
import { RequestDescription, translateKubeError } from './errors';
import { KubeClient, KubeListOptions, KubeObject, KubeResource } from './types';

/** Plain JSON of a client-node model (Dates become RFC 3339 strings). */
function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Per-request options: a timeout through an AbortSignal and a keep-alive agent. */
function requestOptions(
  timeoutMs: number,
  keepAlive: (created: unknown) => unknown,
): k8s.ConfigurationOptions {
  // The object-parameter APIs take observable middleware (client-node's rxjs stub).
  const middleware: k8s.ObservableMiddleware = {
    pre: context => {
      context.setSignal(AbortSignal.timeout(timeoutMs) as any);
      context.setAgent(keepAlive(context.getAgent()) as any);
      return new k8s.Observable(Promise.resolve(context));
    },
    post: response => new k8s.Observable(Promise.resolve(response)),
  };
  // Typed as promise middleware, but the object-parameter APIs pass it on unwrapped.
  return {
    middleware: [middleware],
    middlewareMergeStrategy: 'append',
  } as unknown as k8s.ConfigurationOptions;
}

/** Builds the client-node KubeConfig of one configured cluster. */
export function kubeConfigFor(cluster: RolloutClusterConfig): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const auth = cluster.auth;
  if (!auth) {
    throw new ServiceUnavailableError(
      cluster.unsupportedReason ?? `cluster '${cluster.name}' cannot be used`,
    );
  }
  const user: k8s.User =
    auth.type === 'serviceAccount'
      ? { name: 'kube-rollouts', token: auth.token }
      : {
          name: 'kube-rollouts',
          authProvider: {
            name: 'tokenFile',
            config: { tokenFile: auth.tokenFile },
          },
        };
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url,
        skipTLSVerify: cluster.skipTLSVerify,
        caData: cluster.caData,
        caFile:
          cluster.caFile ??
          (auth.type === 'inCluster' ? auth.caFile : undefined),
      },
    ],
    users: [user],
    contexts: [
      { name: 'kube-rollouts', cluster: cluster.name, user: 'kube-rollouts' },
    ],
    currentContext: 'kube-rollouts',
  });
  return kc;
}

/**
 * {@link KubeClient} over `@kubernetes/client-node`: core resources through CoreV1Api, every
 * other group through CustomObjectsApi (plain JSON, no discovery round-trips).
 * @public
 */
export class ClientNodeKubeClient implements KubeClient {
  readonly cluster: string;
  private readonly core: k8s.CoreV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly timeoutMs: number;
  private agent?: HttpAgent;

  constructor(options: { cluster: RolloutClusterConfig; timeoutMs: number }) {
    this.cluster = options.cluster.name;
    this.timeoutMs = options.timeoutMs;
    const kc = kubeConfigFor(options.cluster);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  /**
   * client-node builds a new agent (a new TLS handshake) for every request; reuse one
   * keep-alive agent per cluster with the same TLS options instead.
   */
  private readonly keepAlive = (created: unknown): unknown => {
    if (this.agent) return this.agent;
    if (created instanceof HttpsAgent) {
      this.agent = new HttpsAgent({
        ...created.options,
        keepAlive: true,
        maxSockets: 50,
      });
    } else if (created instanceof HttpAgent) {
      this.agent = new HttpAgent({
        ...(created as any).options,
        keepAlive: true,
        maxSockets: 50,
      });
    } else {
      return created;
    }
    return this.agent;
  };

  private options() {
    return requestOptions(this.timeoutMs, this.keepAlive);
  }

  private async call<T>(
    d: Omit<RequestDescription, 'cluster' | 'timeoutMs'>,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translateKubeError(error, {
        ...d,
        cluster: this.cluster,
        timeoutMs: this.timeoutMs,
      });
    }
  }

  async get(
    resource: KubeResource,
    namespace: string,
    name: string,
  ): Promise<KubeObject> {
    const options = this.options();
    return this.call({ verb: 'get', resource, namespace, name }, async () => {
      if (resource.group !== '') {
        const { group, version, plural } = resource;
        return plain<KubeObject>(
          await this.custom.getNamespacedCustomObject(
            { group, version, plural, namespace, name },
            options,
          ),
        );
      }
      switch (resource.plural) {
        case 'services':
          return withKind(
            plain(
              await this.core.readNamespacedService(
                { name, namespace },
                options,
              ),
            ),
            resource,
          );
        default:
          throw new Error(`get of core ${resource.plural} is not implemented`);
      }
    });
  }

  async list(
    resource: KubeResource,
    namespace: string,
    listOptions: KubeListOptions = {},
  ): Promise<KubeObject[]> {
    const options = this.options();
    const { labelSelector, fieldSelector } = listOptions;
    return this.call({ verb: 'list', resource, namespace }, async () => {
      let items: unknown[];
      if (resource.group !== '') {
        const { group, version, plural } = resource;
        const list = await this.custom.listNamespacedCustomObject(
          { group, version, plural, namespace, labelSelector, fieldSelector },
          options,
        );
        items = list?.items ?? [];
      } else {
        const params = { namespace, labelSelector, fieldSelector };
        switch (resource.plural) {
          case 'pods':
            items = (await this.core.listNamespacedPod(params, options)).items;
            break;
          case 'services':
            items = (await this.core.listNamespacedService(params, options))
              .items;
            break;
          case 'events':
            items = (await this.core.listNamespacedEvent(params, options))
              .items;
            break;
          case 'endpoints':
            items = (await this.core.listNamespacedEndpoints(params, options))
              .items;
            break;
          default:
            throw new Error(
              `list of core ${resource.plural} is not implemented`,
            );
        }
        items = plain(items);
      }
      return (items as KubeObject[]).map(item => withKind(item, resource));
    });
  }
}

function withKind(object: any, resource: KubeResource): KubeObject {
  return {
    ...object,
    apiVersion:
      object.apiVersion ??
      (resource.group
        ? `${resource.group}/${resource.version}`
        : resource.version),
    kind: object.kind ?? resource.kind,
  };
}
