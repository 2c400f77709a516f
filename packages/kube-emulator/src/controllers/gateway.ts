import type { KubeObject } from '../store/types';
import { R } from './resources';
import {
  type Controller,
  type ControllerContext,
  WorkQueue,
  isResource,
  keyOf,
  splitKey,
} from './runtime';
import { jsonEqual, rfc3339 } from './util';

/** The controllerName the simulated Gateway API implementation reports in HTTPRoute status. @public */
export const GATEWAY_CONTROLLER_NAME = 'kube-emulator.io/gateway-controller';

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
};

function mergeConditions(
  previous: any[] | undefined,
  next: Condition[],
  now: string,
): Condition[] {
  return next.map(cond => {
    const old = (previous ?? []).find((c: any) => c.type === cond.type);
    const same =
      old &&
      old.status === cond.status &&
      old.reason === cond.reason &&
      old.message === cond.message &&
      old.observedGeneration === cond.observedGeneration;
    return { ...cond, lastTransitionTime: same ? old.lastTransitionTime : now };
  });
}

/**
 * Gateway API controller (gateway.networking.k8s.io/v1): gives every Gateway an address (192.168.134.x) and
 * Accepted/Programmed conditions, and every HTTPRoute per-parent Accepted/ResolvedRefs conditions.
 * @public
 */
export function createGatewayController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  const gateways = new WorkQueue('gateway-controller', reconcileGateway);
  const routes = new WorkQueue('httproute-controller', reconcileRoute);
  const usedAddresses = new Set<string>();

  // Addresses are handed out in order from 192.168.134.30 to .99, as a load-balancer pool would
  // (LoadBalancer Services get .100-.199).
  function allocateAddress(): string | undefined {
    for (let host = 30; host < 100; host++) {
      const ip = `192.168.134.${host}`;
      if (!usedAddresses.has(ip)) {
        usedAddresses.add(ip);
        return ip;
      }
    }
    return undefined;
  }

  function attachedRoutes(gw: KubeObject, listenerName: string): number {
    return store
      .list(R.httproutes)
      .filter(route =>
        (route.spec?.parentRefs ?? []).some(
          (ref: any) =>
            (ref.kind ?? 'Gateway') === 'Gateway' &&
            ref.name === gw.metadata.name &&
            (ref.namespace ?? route.metadata.namespace) ===
              gw.metadata.namespace &&
            (!ref.sectionName || ref.sectionName === listenerName),
        ),
      ).length;
  }

  function reconcileGateway(key: string) {
    const { namespace, name } = splitKey(key);
    const gw = store.get(R.gateways, namespace, name);
    if (!gw) return;
    const now = rfc3339(clock.now());
    const generation = gw.metadata.generation ?? 1;
    const address = gw.status?.addresses?.[0]?.value ?? allocateAddress();
    store.modify(R.gateways, namespace, name, current => {
      const listeners = (current.spec?.listeners ?? []).map((l: any) => {
        const previous = (current.status?.listeners ?? []).find(
          (s: any) => s.name === l.name,
        );
        const kinds =
          l.protocol === 'TCP'
            ? [{ group: 'gateway.networking.k8s.io', kind: 'TCPRoute' }]
            : [
                { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
                { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' },
              ];
        return {
          name: l.name,
          attachedRoutes: attachedRoutes(current, l.name),
          supportedKinds: kinds,
          conditions: mergeConditions(
            previous?.conditions,
            [
              {
                type: 'Accepted',
                status: 'True',
                reason: 'Accepted',
                message: 'Listener accepted',
                observedGeneration: generation,
              },
              {
                type: 'Programmed',
                status: 'True',
                reason: 'Programmed',
                message: 'Listener programmed',
                observedGeneration: generation,
              },
              {
                type: 'ResolvedRefs',
                status: 'True',
                reason: 'ResolvedRefs',
                message: 'Listener references resolved',
                observedGeneration: generation,
              },
              {
                type: 'Conflicted',
                status: 'False',
                reason: 'NoConflicts',
                message: 'No conflicts',
                observedGeneration: generation,
              },
            ],
            now,
          ),
        };
      });
      const status = {
        addresses: address ? [{ type: 'IPAddress', value: address }] : [],
        conditions: mergeConditions(
          current.status?.conditions,
          [
            {
              type: 'Accepted',
              status: 'True',
              reason: 'Accepted',
              message: 'Resource accepted',
              observedGeneration: generation,
            },
            address
              ? {
                  type: 'Programmed',
                  status: 'True',
                  reason: 'Programmed',
                  message: `Address assigned to the Gateway: ${address}`,
                  observedGeneration: generation,
                }
              : {
                  type: 'Programmed',
                  status: 'False',
                  reason: 'AddressNotAssigned',
                  message:
                    'No address is free in the Gateway pool 192.168.134.30-99',
                  observedGeneration: generation,
                },
          ],
          now,
        ),
        listeners,
      };
      if (jsonEqual(current.status ?? {}, status)) return false;
      current.status = status;
      return true;
    });
  }

  function reconcileRoute(key: string) {
    const { namespace, name } = splitKey(key);
    const route = store.get(R.httproutes, namespace, name);
    if (!route) return;
    const now = rfc3339(clock.now());
    const generation = route.metadata.generation ?? 1;
    const missing: string[] = [];
    for (const rule of route.spec?.rules ?? []) {
      for (const ref of rule.backendRefs ?? []) {
        if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '')
          continue;
        const ns = ref.namespace ?? namespace;
        if (!store.get(R.services, ns, ref.name))
          missing.push(`${ns}/${ref.name}`);
      }
    }
    store.modify(R.httproutes, namespace, name, current => {
      const parents = (current.spec?.parentRefs ?? []).map((ref: any) => {
        const gwNamespace = ref.namespace ?? namespace;
        const gw =
          (ref.kind ?? 'Gateway') === 'Gateway'
            ? store.get(R.gateways, gwNamespace, ref.name)
            : undefined;
        const listener =
          gw && ref.sectionName
            ? (gw.spec?.listeners ?? []).find(
                (l: any) => l.name === ref.sectionName,
              )
            : undefined;
        let notAccepted: string | undefined;
        if (!gw) notAccepted = `Gateway ${gwNamespace}/${ref.name} not found`;
        else if (ref.sectionName && !listener)
          notAccepted = `Gateway ${gwNamespace}/${ref.name} has no listener named ${ref.sectionName}`;
        const accepted: Condition = notAccepted
          ? {
              type: 'Accepted',
              status: 'False',
              reason: 'NoMatchingParent',
              message: notAccepted,
              observedGeneration: generation,
            }
          : {
              type: 'Accepted',
              status: 'True',
              reason: 'Accepted',
              message: 'Route is accepted',
              observedGeneration: generation,
            };
        const resolved: Condition = missing.length
          ? {
              type: 'ResolvedRefs',
              status: 'False',
              reason: 'BackendNotFound',
              message: `Service(s) ${missing.join(', ')} not found`,
              observedGeneration: generation,
            }
          : {
              type: 'ResolvedRefs',
              status: 'True',
              reason: 'ResolvedRefs',
              message: 'Resolved all the Object references for the Route',
              observedGeneration: generation,
            };
        const previous = (current.status?.parents ?? []).find((p: any) =>
          jsonEqual(p.parentRef, ref),
        );
        return {
          parentRef: ref,
          controllerName: GATEWAY_CONTROLLER_NAME,
          conditions: mergeConditions(
            previous?.conditions,
            [accepted, resolved],
            now,
          ),
        };
      });
      const status = { parents };
      if (jsonEqual(current.status ?? {}, status)) return false;
      current.status = status;
      return true;
    });
  }

  return {
    name: 'gateway-controller',
    onEvent(event) {
      if (isResource(event, R.gateways)) {
        const address = event.object.status?.addresses?.[0]?.value;
        if (address && event.type !== 'DELETED') usedAddresses.add(address);
        if (address && event.type === 'DELETED') usedAddresses.delete(address);
        if (event.type !== 'DELETED') gateways.add(keyOf(event.object));
        for (const route of store.list(R.httproutes)) routes.add(keyOf(route));
      } else if (isResource(event, R.httproutes)) {
        routes.add(keyOf(event.object));
        // Attached-route counts of the parents change with the route.
        for (const ref of event.object.spec?.parentRefs ?? [])
          gateways.add(
            `${ref.namespace ?? event.object.metadata.namespace}/${ref.name}`,
          );
      } else if (isResource(event, R.services) && event.type !== 'MODIFIED') {
        for (const route of store.list(R.httproutes)) routes.add(keyOf(route));
      }
    },
    resyncAll() {
      for (const gw of store.list(R.gateways)) {
        const address = gw.status?.addresses?.[0]?.value;
        if (address) usedAddresses.add(address);
      }
      for (const gw of store.list(R.gateways)) gateways.add(keyOf(gw));
      for (const route of store.list(R.httproutes)) routes.add(keyOf(route));
    },
    stop() {
      gateways.stop();
      routes.stop();
    },
  };
}
