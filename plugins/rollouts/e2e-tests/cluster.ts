import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The browser tests read (and, to move traffic outside the portal, patch) the embedded emulator
 * cluster with the real kubectl, through the kubeconfig the portal writes when it starts the
 * emulator. The portal itself only reads.
 */

const repoRoot = path.resolve(__dirname, '../../..');

/** Where the kubeconfig may be: `KUBE_ROLLOUTS_KUBECONFIG`, else `.kube-emulator/kubeconfig`. */
const candidates = [
  process.env.KUBE_ROLLOUTS_KUBECONFIG,
  path.join(repoRoot, '.kube-emulator/kubeconfig'),
].filter((candidate): candidate is string => Boolean(candidate));

export function kubeconfigPath(): string {
  const found = candidates.find(candidate => fs.existsSync(candidate));
  if (!found) {
    throw new Error(
      `No kubeconfig of the embedded cluster found (looked at ${candidates.join(
        ', ',
      )}). Start the portal with \`yarn start\`, or set KUBE_ROLLOUTS_KUBECONFIG to the kubeconfig the emulator wrote.`,
    );
  }
  return found;
}

export function kubectl(...args: string[]): string {
  return execFileSync('kubectl', ['--kubeconfig', kubeconfigPath(), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** One object as JSON. */
export function getObject(kind: string, namespace: string, name: string): any {
  return JSON.parse(kubectl('get', kind, name, '-n', namespace, '-o', 'json'));
}

/** Applies a JSON merge patch (lists are replaced whole) to one object. */
function mergePatch(kind: string, namespace: string, name: string, patch: any) {
  kubectl(
    'patch',
    kind,
    name,
    '-n',
    namespace,
    '--type',
    'merge',
    '-p',
    JSON.stringify(patch),
  );
}

const HTTP_ROUTE = 'httproutes.gateway.networking.k8s.io';
const VIRTUAL_SERVICE = 'virtualservices.networking.istio.io';

/** The selector of a Service (service-selector): its `version` names the version that gets traffic. */
export function serviceSelector(
  namespace: string,
  name: string,
): Record<string, string> {
  return getObject('service', namespace, name).spec.selector;
}

/** Points a Service at another version, as `kubectl patch` by a person would (service-selector). */
export function selectVersion(
  namespace: string,
  name: string,
  version: string,
  label = 'version',
) {
  mergePatch('service', namespace, name, {
    spec: { selector: { [label]: version } },
  });
}

/** Backend Service name → weight of the HTTPRoute's first rule (gateway-api). */
export function httpRouteWeights(
  namespace: string,
  name: string,
): Record<string, number> {
  const route = getObject(HTTP_ROUTE, namespace, name);
  return Object.fromEntries(
    route.spec.rules[0].backendRefs.map((ref: any) => [
      ref.name,
      ref.weight ?? 1,
    ]),
  );
}

/** Sets the weight of each named backend Service in every rule of an HTTPRoute (gateway-api). */
export function setHttpRouteWeights(
  namespace: string,
  name: string,
  weights: Record<string, number>,
) {
  const route = getObject(HTTP_ROUTE, namespace, name);
  const rules = route.spec.rules.map((rule: any) => ({
    ...rule,
    backendRefs: rule.backendRefs.map((ref: any) =>
      ref.name in weights ? { ...ref, weight: weights[ref.name] } : ref,
    ),
  }));
  mergePatch(HTTP_ROUTE, namespace, name, { spec: { rules } });
}

/** The name of a VirtualService destination: `host`, or `host/subset`. */
function destinationKey(destination: { host: string; subset?: string }) {
  return destination.subset
    ? `${destination.host}/${destination.subset}`
    : destination.host;
}

/** Destination → weight, for the first http and the first tcp route (istio). */
export function virtualServiceWeights(
  namespace: string,
  name: string,
): { http: Record<string, number>; tcp: Record<string, number> } {
  const vs = getObject(VIRTUAL_SERVICE, namespace, name);
  const weights = (routes: any[] | undefined) =>
    Object.fromEntries(
      (routes?.[0]?.route ?? []).map((route: any) => [
        destinationKey(route.destination),
        route.weight ?? 100,
      ]),
    );
  return { http: weights(vs.spec.http), tcp: weights(vs.spec.tcp) };
}

/** Sets the weight of each named destination in every http and tcp route of a VirtualService (istio). */
export function setVirtualServiceWeights(
  namespace: string,
  name: string,
  weights: Record<string, number>,
) {
  const vs = getObject(VIRTUAL_SERVICE, namespace, name);
  const reweigh = (routes: any[] | undefined) =>
    routes?.map(route => ({
      ...route,
      route: route.route.map((destination: any) => {
        const key = destinationKey(destination.destination);
        return key in weights
          ? { ...destination, weight: weights[key] }
          : destination;
      }),
    }));
  const spec: Record<string, unknown> = {};
  if (vs.spec.http) spec.http = reweigh(vs.spec.http);
  if (vs.spec.tcp) spec.tcp = reweigh(vs.spec.tcp);
  mergePatch(VIRTUAL_SERVICE, namespace, name, { spec });
}

/** The CanaryDelivery (canary-delivery). */
export function canaryDelivery(namespace: string, name: string): any {
  return getObject('canarydeliveries.asm.alauda.io', namespace, name);
}

/** The CanaryDelivery's status (canary-delivery). */
export function canaryStatus(namespace: string, name: string): any {
  return canaryDelivery(namespace, name).status ?? {};
}

/** The CanaryEvents (one per run) of a CanaryDelivery, newest first. */
export function canaryEvents(namespace: string, name: string): any[] {
  const list = JSON.parse(
    kubectl(
      'get',
      'canaryevents.asm.alauda.io',
      '-n',
      namespace,
      '-l',
      `asm.cpaas.io/msname=${name}`,
      '--sort-by=.metadata.creationTimestamp',
      '-o',
      'json',
    ),
  );
  return [...list.items].reverse();
}

/** The images of all containers of a Deployment's pod template. */
export function deploymentImages(namespace: string, name: string): string[] {
  return getObject(
    'deployment',
    namespace,
    name,
  ).spec.template.spec.containers.map(
    (container: { image: string }) => container.image,
  );
}

/** A Deployment's replica counts, as the versions show them ("ready of desired"). */
export function deploymentReplicas(
  namespace: string,
  name: string,
): { desired: number; ready: number } {
  const deployment = getObject('deployment', namespace, name);
  return {
    desired: deployment.spec.replicas ?? 1,
    ready: deployment.status?.readyReplicas ?? 0,
  };
}
