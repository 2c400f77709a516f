import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import type { KubeObject } from '../store/types';

/** The package's `crds/` folder: one CustomResourceDefinition manifest per file. */
const crdsDir = join(
  dirname(require.resolve('@kube-rollouts/kube-emulator/package.json')),
  'crds',
);

let loaded: KubeObject[] | undefined;

/**
 * The CustomResourceDefinitions the emulator starts with, kept as manifests in the package's
 * `crds/` folder: Gateway API (GatewayClass, Gateway, HTTPRoute), Istio networking (Gateway,
 * VirtualService, DestinationRule) and Alauda ASM (CanaryDelivery, CanaryEvent). Schemas are loose
 * (unknown fields are kept) but type the fields whose mistakes matter for rollouts (weights,
 * hosts, thresholds), so bad manifests get a 422 naming the field.
 * @public
 */
export function builtinCrds(): KubeObject[] {
  loaded ??= readdirSync(crdsDir)
    .filter(file => file.endsWith('.yaml'))
    .sort()
    .map(
      file =>
        yaml.load(readFileSync(join(crdsDir, file), 'utf8')) as KubeObject,
    );
  // A copy each time: stores change what they are given
  return structuredClone(loaded);
}
