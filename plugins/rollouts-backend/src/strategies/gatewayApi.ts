import { InputError } from '@backstage/errors';
import { RESOURCES } from '../kubernetes';
import {
  readRoutingAndWorkloads,
  resolveRoles,
  weightedRollout,
} from './common';
import { RolloutSnapshot, StrategyContext, StrategyDriver } from './types';

interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  weight?: number;
}

function isServiceRef(ref: BackendRef) {
  return (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';
}

/** The canary's share of a rule, in percent (Gateway API weights default to 1). */
function shareOf(refs: BackendRef[], canary: string, stable: string): number {
  const weight = (name: string) =>
    refs
      .filter(r => r.name === name)
      .reduce((sum, r) => sum + Number(r.weight ?? 1), 0);
  const c = weight(canary);
  const total = c + weight(stable);
  return total === 0 ? 0 : Math.round((c * 100) / total);
}

/**
 * gateway-api: an HTTPRoute's backendRefs weights split the traffic between the stable and
 * the canary Service.
 * @public
 */
export class GatewayApiStrategy implements StrategyDriver {
  readonly strategy = 'gateway-api' as const;

  async read(ctx: StrategyContext): Promise<RolloutSnapshot> {
    const { namespace, target } = ctx;
    const {
      routing: route,
      services,
      deployments,
      pods,
    } = await readRoutingAndWorkloads(ctx, RESOURCES.httpRoutes);
    const routedBy = `HTTPRoute ${namespace}/${route.metadata.name}`;
    const rules: { backendRefs?: BackendRef[] }[] = route.spec?.rules ?? [];
    const names: string[] = [];
    for (const rule of rules) {
      for (const ref of rule.backendRefs ?? []) {
        if (!isServiceRef(ref)) {
          throw new InputError(
            `${routedBy} has a backendRef of kind ${ref.kind} (${ref.name}): Kube Rollouts reads Service backends only`,
          );
        }
        if (ref.namespace && ref.namespace !== namespace) {
          throw new InputError(
            `${routedBy} sends traffic to Service ${ref.namespace}/${ref.name} in another namespace: not supported`,
          );
        }
        if (!names.includes(ref.name)) names.push(ref.name);
      }
    }
    const { stable, canary } = resolveRoles({
      backends: names,
      stable: target.stable,
      canary: target.canary,
      routedBy,
    });
    const routing = rules
      .map(rule => rule.backendRefs ?? [])
      .filter(refs => refs.length > 0);
    const shares = routing.map(refs => shareOf(refs, canary, stable));
    return weightedRollout({
      ctx,
      strategy: this.strategy,
      routing: route,
      kind: 'HTTPRoute',
      routedBy,
      shares,
      sharesOf: 'rules',
      stable,
      canary,
      selectorOf: name =>
        services.find(svc => svc.metadata.name === name)?.spec?.selector,
      serviceOf: name => name,
      deployments,
      pods,
    });
  }
}
