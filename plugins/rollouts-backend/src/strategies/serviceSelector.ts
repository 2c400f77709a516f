import { InputError } from '@backstage/errors';
import {
  ANNOTATION_VERSION_LABEL,
  RolloutPhase,
  RolloutVersion,
} from '@kube-rollouts/plugin-rollouts-common';
import { KubeObject, RESOURCES } from '../kubernetes';
import {
  gitOpsWarnings,
  podTemplateLabels,
  versionView,
  trafficWeights,
} from './common';
import { RolloutSnapshot, StrategyContext, StrategyDriver } from './types';

/**
 * How the Service's Endpoints differ from the ready pods of the version it selects (the endpoints
 * controller has not caught up with a selector change yet), or undefined when they match.
 */
function endpointsLag(
  endpoints: KubeObject | undefined,
  serving: RolloutVersion,
): string | undefined {
  const listed = new Set<string>();
  for (const subset of endpoints?.subsets ?? []) {
    for (const address of subset.addresses ?? []) listed.add(address.ip);
  }
  const expected = serving.pods.filter(p => p.ready && p.ip).map(p => p.ip!);
  const missing = expected.filter(ip => !listed.has(ip)).length;
  const others = [...listed].filter(ip => !expected.includes(ip)).length;
  if (missing === 0 && others === 0) return undefined;
  return `list ${expected.length - missing} of its ${
    expected.length
  } ready pods and ${others} other address${others === 1 ? '' : 'es'}`;
}

/**
 * service-selector: a Service selects one version (label `version`, or the
 * `kube-rollouts.io/version-label` annotation) of the pods; the selected version is the stable
 * one and gets all traffic, every other version of the same pods is a canary with none.
 * @public
 */
export class ServiceSelectorStrategy implements StrategyDriver {
  readonly strategy = 'service-selector' as const;

  async read(ctx: StrategyContext): Promise<RolloutSnapshot> {
    const { client, namespace, target } = ctx;
    const versionLabel = target.versionLabel;
    // One round trip: the pods that carry a version label, narrowed to the Service's other
    // labels below (the selector is not known before the Service is read).
    const [service, deployments, versionedPods, endpoints] = await Promise.all([
      client.get(RESOURCES.services, namespace, target.target),
      client.list(RESOURCES.deployments, namespace),
      client.list(RESOURCES.pods, namespace, { labelSelector: versionLabel }),
      // Listed by name: a Service whose Endpoints do not exist yet has none, not a 404
      client.list(RESOURCES.endpoints, namespace, {
        fieldSelector: `metadata.name=${target.target}`,
      }),
    ]);
    const selector: Record<string, string> = service.spec?.selector ?? {};
    const current = selector[versionLabel];
    if (current === undefined) {
      throw new InputError(
        `the selector of Service ${namespace}/${service.metadata.name} (${
          Object.entries(selector)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || 'empty'
        }) has no label '${versionLabel}': set annotation ${ANNOTATION_VERSION_LABEL} to the label that names the version`,
      );
    }
    const base = { ...selector };
    delete base[versionLabel];
    const pods = versionedPods.filter(pod =>
      Object.entries(base).every(([k, v]) => pod.metadata.labels?.[k] === v),
    );

    const deploymentsByVersion = new Map<string, KubeObject>();
    for (const d of deployments) {
      const labels = podTemplateLabels(d) ?? {};
      const version = labels[versionLabel];
      if (version === undefined) continue;
      if (!Object.entries(base).every(([k, v]) => labels[k] === v)) continue;
      if (!deploymentsByVersion.has(version))
        deploymentsByVersion.set(version, d);
    }
    const others = [...deploymentsByVersion.keys()]
      .filter(v => v !== current)
      .sort();

    const version = (
      role: 'stable' | 'canary',
      name: string,
      weight: number,
    ): RolloutVersion =>
      versionView({
        role,
        name,
        deployment: deploymentsByVersion.get(name),
        namespace,
        pods,
        weight,
      });
    const versions = [
      version('stable', current, 100),
      ...others.map(v => version('canary', v, 0)),
    ];

    const serving = versions[0];
    const { ready, updated, desired } = serving.replicas;
    let phase: RolloutPhase = 'Stable';
    let message = `Service ${service.metadata.name} sends all traffic to version ${current}`;
    if (!deploymentsByVersion.has(current)) {
      phase = 'Failed';
      message = `Service ${service.metadata.name} selects version ${current}, but no Deployment has pods with ${versionLabel}=${current}`;
    } else if (ready === 0) {
      phase = 'Failed';
      message += `, which has no ready pod (0/${desired} ready)`;
    } else if (ready < desired || updated < desired) {
      phase = 'Progressing';
      message += ` (${ready}/${desired} ready, ${updated}/${desired} updated)`;
    } else {
      const switching = endpointsLag(endpoints[0], serving);
      if (switching) {
        phase = 'Progressing';
        message = `Service ${service.metadata.name} selects version ${current}, but its Endpoints ${switching}`;
      }
    }

    const routedBy = {
      kind: 'Service',
      name: service.metadata.name,
      namespace,
    };
    return {
      view: {
        cluster: ctx.cluster,
        namespace,
        strategy: this.strategy,
        mode: 'blue-green',
        phase,
        message,
        target: routedBy,
        versions,
        traffic: {
          weights: trafficWeights(versions),
          selector,
          routedBy,
        },
        revision: `svc/${service.metadata.name}@${service.metadata.resourceVersion}`,
        gitOps: gitOpsWarnings([service]),
        observedAt: new Date().toISOString(),
      },
      involved: [
        { kind: 'Service', name: service.metadata.name },
        ...[...deploymentsByVersion.values()].map(d => ({
          kind: 'Deployment',
          name: d.metadata.name,
          prefix: true,
        })),
      ],
    };
  }
}
