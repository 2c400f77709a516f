import type { KubeObject } from '../store/types';
import type { PrinterColumn } from '../store/resources';

interface CrdDefinition {
  group: string;
  kind: string;
  plural: string;
  singular?: string;
  shortNames?: string[];
  categories?: string[];
  namespaced?: boolean;
  /** Served versions; the first is the storage version. */
  versions: string[];
  columns?: PrinterColumn[];
  spec?: Record<string, unknown>;
  status?: boolean;
}

const anyObject = {
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
};
const stringList = { type: 'array', items: { type: 'string' } };

/** Builds a CustomResourceDefinition object as `kubectl get crd x -o yaml` would show it. */
function crd(def: CrdDefinition): KubeObject {
  const singular = def.singular ?? def.kind.toLowerCase();
  const schema = {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: def.spec
        ? {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            ...def.spec,
          }
        : anyObject,
      ...(def.status === false ? {} : { status: anyObject }),
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${def.group}`,
      annotations: { 'kube-emulator.kube-rollouts.io/builtin': 'true' },
    },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular,
        ...(def.shortNames ? { shortNames: def.shortNames } : {}),
        ...(def.categories ? { categories: def.categories } : {}),
      },
      scope: def.namespaced === false ? 'Cluster' : 'Namespaced',
      versions: def.versions.map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: schema },
        ...(def.status === false ? {} : { subresources: { status: {} } }),
        ...(def.columns ? { additionalPrinterColumns: def.columns } : {}),
      })),
    },
  };
}

const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

/**
 * The CustomResourceDefinitions the emulator starts with: Gateway API, Istio networking and
 * Alauda ASM (CanaryDelivery, CanaryEvent). Schemas are loose (unknown fields are kept) but type the
 * fields whose mistakes matter for rollouts (weights, hosts), so bad manifests get a 422 naming the field.
 * @public
 */
export function builtinCrds(): KubeObject[] {
  return [
    crd({
      group: 'gateway.networking.k8s.io',
      kind: 'GatewayClass',
      plural: 'gatewayclasses',
      shortNames: ['gc'],
      categories: ['gateway-api'],
      namespaced: false,
      versions: ['v1', 'v1beta1'],
      columns: [
        {
          name: 'Controller',
          type: 'string',
          jsonPath: '.spec.controllerName',
        },
        {
          name: 'Accepted',
          type: 'string',
          jsonPath: '.status.conditions[?(@.type=="Accepted")].status',
        },
        age,
        {
          name: 'Description',
          type: 'string',
          jsonPath: '.spec.description',
          priority: 1,
        },
      ],
    }),
    crd({
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      plural: 'gateways',
      shortNames: ['gtw'],
      categories: ['gateway-api'],
      versions: ['v1', 'v1beta1'],
      columns: [
        { name: 'Class', type: 'string', jsonPath: '.spec.gatewayClassName' },
        {
          name: 'Address',
          type: 'string',
          jsonPath: '.status.addresses[*].value',
        },
        {
          name: 'Programmed',
          type: 'string',
          jsonPath: '.status.conditions[?(@.type=="Programmed")].status',
        },
        age,
      ],
      spec: {
        required: ['gatewayClassName', 'listeners'],
        properties: {
          gatewayClassName: { type: 'string', minLength: 1 },
          listeners: {
            type: 'array',
            items: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
              required: ['name', 'port', 'protocol'],
              properties: {
                name: { type: 'string' },
                hostname: { type: 'string' },
                port: { type: 'integer', minimum: 1, maximum: 65535 },
                protocol: { type: 'string' },
              },
            },
          },
        },
      },
    }),
    crd({
      group: 'gateway.networking.k8s.io',
      kind: 'HTTPRoute',
      plural: 'httproutes',
      categories: ['gateway-api'],
      versions: ['v1', 'v1beta1'],
      columns: [
        { name: 'Hostnames', type: 'string', jsonPath: '.spec.hostnames' },
        age,
      ],
      spec: {
        properties: {
          hostnames: stringList,
          parentRefs: { type: 'array', items: anyObject },
          rules: {
            type: 'array',
            items: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
              properties: {
                backendRefs: {
                  type: 'array',
                  items: {
                    type: 'object',
                    'x-kubernetes-preserve-unknown-fields': true,
                    required: ['name'],
                    properties: {
                      name: { type: 'string' },
                      port: { type: 'integer', minimum: 1, maximum: 65535 },
                      weight: { type: 'integer', minimum: 0, maximum: 1000000 },
                    },
                  },
                },
              },
            },
          },
        },
      },
    }),
    crd({
      group: 'networking.istio.io',
      kind: 'Gateway',
      plural: 'gateways',
      shortNames: ['gw'],
      categories: ['istio-io', 'networking-istio-io'],
      versions: ['v1', 'v1beta1', 'v1alpha3'],
      spec: {
        properties: {
          selector: {
            type: 'object',
            additionalProperties: { type: 'string' },
          },
          servers: { type: 'array', items: anyObject },
        },
      },
    }),
    crd({
      group: 'networking.istio.io',
      kind: 'VirtualService',
      plural: 'virtualservices',
      shortNames: ['vs'],
      categories: ['istio-io', 'networking-istio-io'],
      versions: ['v1', 'v1beta1', 'v1alpha3'],
      columns: [
        {
          name: 'Gateways',
          type: 'string',
          jsonPath: '.spec.gateways',
          description:
            'The names of gateways and sidecars that should apply these routes',
        },
        {
          name: 'Hosts',
          type: 'string',
          jsonPath: '.spec.hosts',
          description: 'The destination hosts to which traffic is being sent',
        },
        age,
      ],
      spec: {
        properties: {
          gateways: stringList,
          hosts: stringList,
          http: {
            type: 'array',
            items: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
              properties: {
                route: {
                  type: 'array',
                  items: {
                    type: 'object',
                    'x-kubernetes-preserve-unknown-fields': true,
                    properties: {
                      destination: {
                        type: 'object',
                        'x-kubernetes-preserve-unknown-fields': true,
                        required: ['host'],
                        properties: {
                          host: { type: 'string' },
                          subset: { type: 'string' },
                        },
                      },
                      weight: {
                        type: 'integer',
                        format: 'int32',
                        minimum: 0,
                        maximum: 100,
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    }),
    crd({
      group: 'networking.istio.io',
      kind: 'DestinationRule',
      plural: 'destinationrules',
      shortNames: ['dr'],
      categories: ['istio-io', 'networking-istio-io'],
      versions: ['v1', 'v1beta1', 'v1alpha3'],
      columns: [
        {
          name: 'Host',
          type: 'string',
          jsonPath: '.spec.host',
          description: 'The name of a service from the service registry',
        },
        age,
      ],
      spec: {
        properties: {
          host: { type: 'string' },
          subsets: { type: 'array', items: anyObject },
        },
      },
    }),
    crd({
      group: 'asm.alauda.io',
      kind: 'CanaryDelivery',
      plural: 'canarydeliveries',
      shortNames: ['cd'],
      categories: ['all', 'asm'],
      versions: ['v1alpha1'],
      columns: [
        { name: 'Status', type: 'string', jsonPath: '.status.phase' },
        { name: 'Weight', type: 'string', jsonPath: '.status.canaryWeight' },
        {
          name: 'FailedChecks',
          type: 'string',
          jsonPath: '.status.failedChecks',
          priority: 1,
        },
        {
          name: 'Interval',
          type: 'string',
          jsonPath: '.spec.analysis.interval',
          priority: 1,
        },
        {
          name: 'StepWeight',
          type: 'string',
          jsonPath: '.spec.analysis.stepWeight',
          priority: 1,
        },
        {
          name: 'MaxWeight',
          type: 'string',
          jsonPath: '.spec.analysis.maxWeight',
          priority: 1,
        },
        {
          name: 'LastTransitionTime',
          type: 'string',
          jsonPath: '.status.lastTransitionTime',
        },
      ],
      spec: {
        required: ['targetRef'],
        properties: {
          targetRef: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            required: ['name'],
            properties: { name: { type: 'string' } },
          },
          delivertype: { type: 'string', enum: ['canary', 'bluegreen', 'ab'] },
          analysis: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            properties: {
              interval: { type: 'string' },
              maxWeight: { type: 'integer', minimum: 0, maximum: 100 },
              stepWeight: { type: 'integer', minimum: 0, maximum: 100 },
              threshold: { type: 'integer', minimum: 1 },
              iterations: { type: 'integer', minimum: 0 },
            },
          },
          maxResponseTime: { type: 'integer', minimum: 0 },
          minSuccessRate: { type: 'number', minimum: 0, maximum: 100 },
          service: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            properties: { gateways: stringList, hosts: stringList },
          },
        },
      },
    }),
    crd({
      group: 'asm.alauda.io',
      kind: 'CanaryEvent',
      plural: 'canaryevents',
      shortNames: ['ce'],
      categories: ['asm'],
      versions: ['v1alpha1'],
      columns: [
        { name: 'Phase', type: 'string', jsonPath: '.spec.phase' },
        { name: 'Weight', type: 'string', jsonPath: '.spec.canaryWeight' },
        { name: 'Action', type: 'string', jsonPath: '.metadata.labels.action' },
        age,
        {
          name: 'Revision',
          type: 'string',
          jsonPath: '.spec.revision',
          priority: 1,
        },
        {
          name: 'Result',
          type: 'string',
          jsonPath: '.spec.result',
          priority: 1,
        },
        {
          name: 'Message',
          type: 'string',
          jsonPath: '.spec.message',
          priority: 1,
        },
      ],
      // The emulator's run record (ASM documents none); every field optional, other fields kept.
      spec: {
        properties: {
          phase: { type: 'string' },
          revision: { type: 'string' },
          startTime: { type: 'string', format: 'date-time' },
          endTime: { type: 'string', format: 'date-time' },
          steps: {
            type: 'array',
            items: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
              properties: {
                time: { type: 'string', format: 'date-time' },
                weight: { type: 'integer', minimum: 0, maximum: 100 },
              },
            },
          },
          checks: {
            type: 'array',
            items: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
              properties: {
                time: { type: 'string', format: 'date-time' },
                weight: { type: 'integer', minimum: 0, maximum: 100 },
                successRate: { type: 'number', minimum: 0, maximum: 100 },
                responseTimeMs: { type: 'number', minimum: 0 },
                passed: { type: 'boolean' },
                message: { type: 'string' },
              },
            },
          },
          message: { type: 'string' },
          result: {
            type: 'string',
            enum: ['Succeeded', 'Failed', 'RolledBack'],
          },
        },
      },
    }),
  ];
}
