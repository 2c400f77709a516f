import { RESOURCES } from '../kubernetes';
import {
  readRoutingAndWorkloads,
  resolveRoles,
  weightedRollout,
} from './common';
import { RolloutSnapshot, StrategyContext, StrategyDriver } from './types';

interface Destination {
  destination: { host: string; subset?: string; port?: unknown };
  weight?: number;
}

/** The route kinds of a VirtualService that carry weighted destinations. */
const ROUTE_KINDS = ['http', 'tcp', 'tls'] as const;

function backendKey(d: Destination): string {
  return d.destination.subset
    ? `${d.destination.host}/${d.destination.subset}`
    : d.destination.host;
}

function routeWeight(route: Destination[], key: string): number {
  return route
    .filter(d => backendKey(d) === key)
    .reduce(
      (sum, d) => sum + Number(d.weight ?? (route.length === 1 ? 100 : 0)),
      0,
    );
}

/** The Service of a destination host in the VirtualService's namespace, if it is one. */
function serviceName(host: string, namespace: string): string | undefined {
  const parts = host.split('.');
  if (parts.length === 1 || parts[1] === namespace) return parts[0];
  return undefined;
}

/**
 * istio: a VirtualService's destination weights split the traffic between the stable and the
 * canary destination (host or host/subset), over its http, tcp and tls routes.
 * @public
 */
export class IstioStrategy implements StrategyDriver {
  readonly strategy = 'istio' as const;

  async read(ctx: StrategyContext): Promise<RolloutSnapshot> {
    const { client, namespace, target } = ctx;
    const {
      routing: virtualService,
      services,
      deployments,
      pods,
    } = await readRoutingAndWorkloads(ctx, RESOURCES.virtualServices);
    const routedBy = `VirtualService ${namespace}/${virtualService.metadata.name}`;
    const keys: string[] = [];
    const routes: Destination[][] = [];
    for (const kind of ROUTE_KINDS) {
      (virtualService.spec?.[kind] ?? []).forEach(
        (r: { route?: Destination[] }) => {
          const route = r.route ?? [];
          if (route.length === 0) return;
          routes.push(route);
          for (const d of route) {
            const key = backendKey(d);
            if (!keys.includes(key)) keys.push(key);
          }
        },
      );
    }
    const { stable, canary } = resolveRoles({
      backends: keys,
      stable: target.stable,
      canary: target.canary,
      routedBy,
    });
    const shares = routes.map(route => {
      const c = routeWeight(route, canary);
      const total = c + routeWeight(route, stable);
      return total === 0 ? 0 : Math.round((c * 100) / total);
    });

    const subsetsUsed = [stable, canary].some(k => k.includes('/'));
    const destinationRules = subsetsUsed
      ? await client.list(RESOURCES.destinationRules, namespace)
      : [];
    const selectorFor = (key: string): Record<string, string> | undefined => {
      const [host, subset] = key.split('/');
      const name = serviceName(host, namespace);
      const service = name && services.find(s => s.metadata.name === name);
      if (!service) return undefined;
      const selector = { ...(service.spec?.selector ?? {}) };
      if (subset) {
        const rule = destinationRules.find(
          dr => serviceName(String(dr.spec?.host ?? ''), namespace) === name,
        );
        const def = (rule?.spec?.subsets ?? []).find(
          (s: { name: string }) => s.name === subset,
        );
        if (!def) return undefined;
        Object.assign(selector, def.labels ?? {});
      }
      return selector;
    };

    return weightedRollout({
      ctx,
      strategy: this.strategy,
      routing: virtualService,
      kind: 'VirtualService',
      routedBy,
      shares,
      sharesOf: 'routes',
      stable,
      canary,
      selectorOf: selectorFor,
      serviceOf: key => key.split('/')[0].split('.')[0],
      deployments,
      pods,
    });
  }
}
