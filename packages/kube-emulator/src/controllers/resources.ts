import type { GroupResource } from '../store/types';

/** The resources the simulated controllers read and write. @public */
export const R = {
  namespaces: { group: '', resource: 'namespaces' },
  nodes: { group: '', resource: 'nodes' },
  pods: { group: '', resource: 'pods' },
  services: { group: '', resource: 'services' },
  endpoints: { group: '', resource: 'endpoints' },
  events: { group: '', resource: 'events' },
  deployments: { group: 'apps', resource: 'deployments' },
  replicasets: { group: 'apps', resource: 'replicasets' },
  endpointslices: { group: 'discovery.k8s.io', resource: 'endpointslices' },
  gateways: { group: 'gateway.networking.k8s.io', resource: 'gateways' },
  httproutes: { group: 'gateway.networking.k8s.io', resource: 'httproutes' },
  istioGateways: { group: 'networking.istio.io', resource: 'gateways' },
  virtualservices: {
    group: 'networking.istio.io',
    resource: 'virtualservices',
  },
  canarydeliveries: { group: 'asm.alauda.io', resource: 'canarydeliveries' },
  canaryevents: { group: 'asm.alauda.io', resource: 'canaryevents' },
} satisfies Record<string, GroupResource>;

/** Whether two GroupResources name the same resource. @public */
export function sameResource(a: GroupResource, b: GroupResource): boolean {
  return a.group === b.group && a.resource === b.resource;
}
