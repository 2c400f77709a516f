import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  rolloutReadPermission,
  RolloutClusterError,
  RolloutEventsResponse,
  RolloutResponse,
  RolloutView,
} from '@kube-rollouts/plugin-rollouts-common';
import { RolloutsConfig } from '../config';
import { KubeClientProvider, RESOURCES } from '../kubernetes';
import {
  createStrategyDrivers,
  runEvent,
  StrategyContext,
  StrategyDriver,
} from '../strategies';
import { LABEL_CANARY_DELIVERY } from '../strategies/canaryDelivery';
import { readRolloutTarget, RolloutTarget } from './entityTarget';
import { ReadCoalescer } from './ReadCoalescer';
import { kubernetesHistory, paginate } from './history';

/**
 * Who asks.
 * @public
 */
export interface CallContext {
  credentials: BackstageCredentials;
}

function statusCodeOf(error: Error): number {
  switch (error.name) {
    case 'InputError':
      return 400;
    case 'NotAllowedError':
      return 403;
    case 'NotFoundError':
      return 404;
    case 'ServiceUnavailableError':
      return 503;
    default:
      return 500;
  }
}

/** `user:default/guest`, `plugin:scaffolder`, … for error messages. */
export function actorOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (p.type === 'user' && p.userEntityRef) return p.userEntityRef;
  if (p.type === 'service' && p.subject) return p.subject;
  return p.type;
}

/**
 * The rollouts logic: state and history of a catalog entity's rollout, read-only, behind the
 * `rollouts.rollout.read` permission.
 * @public
 */
export class RolloutService {
  private readonly drivers: Record<string, StrategyDriver>;
  /** Rollout views are the same for every caller: concurrent page loads share cluster reads. */
  private readonly views = new ReadCoalescer<RolloutView>();

  constructor(
    private readonly deps: {
      config: RolloutsConfig;
      kube: KubeClientProvider;
      catalog: CatalogService;
      permissions: PermissionsService;
    },
  ) {
    this.drivers = createStrategyDrivers();
  }

  /** Loads the entity with the caller's credentials and checks the read permission on it. */
  private async authorizedTarget(
    entityRef: string,
    call: CallContext,
  ): Promise<RolloutTarget> {
    const permission = rolloutReadPermission;
    const entity = await this.deps.catalog.getEntityByRef(entityRef, {
      credentials: call.credentials,
    });
    if (!entity)
      throw new NotFoundError(`entity ${entityRef} not found in the catalog`);
    let decision;
    try {
      [decision] = await this.deps.permissions.authorize(
        [{ permission, resourceRef: stringifyEntityRef(entity) }],
        { credentials: call.credentials },
      );
    } catch (error) {
      // The permission backend (or the catalog resolving a conditional decision) failed.
      throw new ServiceUnavailableError(
        `could not check permission ${permission.name} on ${entityRef}: ${
          (error as Error).message
        }`,
      );
    }
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${actorOf(call.credentials)} may not ${
          permission.name
        } on ${entityRef}`,
      );
    }
    return readRolloutTarget(entity, this.deps.kube);
  }

  private context(target: RolloutTarget, cluster: string): StrategyContext {
    return {
      client: this.deps.kube.forCluster(cluster),
      cluster,
      namespace: target.namespace,
      target,
      config: this.deps.config,
    };
  }

  private chooseCluster(target: RolloutTarget, requested: string | undefined) {
    const field = 'query parameter cluster';
    if (requested === undefined) {
      if (target.clusters.length > 1) {
        throw new InputError(
          `${field} is required: ${
            target.entityRef
          } runs on clusters ${target.clusters.join(', ')}`,
        );
      }
      return target.clusters[0];
    }
    if (!target.clusters.includes(requested)) {
      throw new InputError(
        `${field} has value '${requested}' — expected one of the clusters of ${
          target.entityRef
        }: ${target.clusters.join(', ')}`,
      );
    }
    return requested;
  }

  /** One RolloutView per cluster; clusters that fail are listed in `errors`. */
  async getRollout(
    entityRef: string,
    call: CallContext,
  ): Promise<RolloutResponse> {
    const target = await this.authorizedTarget(entityRef, call);
    const driver = this.drivers[target.strategy];
    const results = await Promise.all(
      target.clusters.map(async cluster => {
        try {
          const key = JSON.stringify([cluster, target]);
          return {
            view: await this.views.run(
              key,
              async () =>
                (
                  await driver.read(this.context(target, cluster))
                ).view,
            ),
          };
        } catch (error) {
          return { cluster, error: error as Error };
        }
      }),
    );
    const rollouts: RolloutView[] = [];
    const errors: RolloutClusterError[] = [];
    for (const r of results) {
      if ('view' in r) rollouts.push(r.view!);
      else
        errors.push({
          cluster: r.cluster!,
          statusCode: statusCodeOf(r.error!),
          message: r.error!.message,
        });
    }
    if (rollouts.length === 0) {
      // Nothing to show: answer with the (first) cluster's error status.
      throw (results[0] as { error: Error }).error;
    }
    return { entityRef: target.entityRef, rollouts, errors };
  }

  /** History, newest first, one page. */
  async getEvents(
    entityRef: string,
    query: { cluster?: string; limit: number; cursor?: string },
    call: CallContext,
  ): Promise<RolloutEventsResponse> {
    const target = await this.authorizedTarget(entityRef, call);
    const cluster = this.chooseCluster(target, query.cluster);
    const ctx = this.context(target, cluster);
    const driver = this.drivers[target.strategy];
    const snapshot = await driver.read(ctx);
    // canary-delivery: one entry per run (CanaryEvent); the others: the Kubernetes Events of
    // the rollout's objects.
    const all =
      target.strategy === 'canary-delivery'
        ? (
            await ctx.client.list(RESOURCES.canaryEvents, ctx.namespace, {
              labelSelector: `${LABEL_CANARY_DELIVERY}=${target.target}`,
            })
          ).map(event => runEvent(event, ctx.config.rollbackLabel))
        : kubernetesHistory(
            await ctx.client.list(RESOURCES.events, ctx.namespace),
            snapshot.involved,
          );
    const page = paginate(all, query.limit, query.cursor);
    return { cluster, ...page };
  }
}
