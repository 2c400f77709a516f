import { NODES } from '../controllers/kubelet';
import { R } from '../controllers/resources';
import { isStatusError } from '../store/errors';
import type { GroupResource, KubeObject, Store } from '../store/types';

/** The namespaces every cluster starts with. @public */
export const SYSTEM_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

/** Creates an object unless one with its name exists; returns the stored object. @public */
export function ensure(
  store: Store,
  gr: GroupResource,
  obj: KubeObject,
): KubeObject {
  const existing = store.get(gr, obj.metadata.namespace, obj.metadata.name);
  if (existing) return existing;
  try {
    return store.create(gr, obj);
  } catch (err) {
    if (isStatusError(err) && err.code === 409)
      return store.get(gr, obj.metadata.namespace, obj.metadata.name)!;
    throw err;
  }
}

/** A Namespace (optionally labelled). @public */
export function namespace(
  name: string,
  labels?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(labels ? { labels } : {}) },
  };
}

/** The simulated worker Nodes (pods are bound to these). @public */
export function nodeObjects(): KubeObject[] {
  return NODES.map(node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
      },
    },
    spec: {
      podCIDR: `10.244.${node.podCidrOctet}.0/24`,
      podCIDRs: [`10.244.${node.podCidrOctet}.0/24`],
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: node.internalIP },
        { type: 'Hostname', address: node.name },
      ],
      capacity: {
        cpu: '8',
        'ephemeral-storage': '102626232Ki',
        memory: '16331068Ki',
        pods: '110',
      },
      allocatable: {
        cpu: '8',
        'ephemeral-storage': '102626232Ki',
        memory: '16331068Ki',
        pods: '110',
      },
      conditions: [
        {
          type: 'MemoryPressure',
          status: 'False',
          reason: 'KubeletHasSufficientMemory',
          message: 'kubelet has sufficient memory available',
        },
        {
          type: 'DiskPressure',
          status: 'False',
          reason: 'KubeletHasNoDiskPressure',
          message: 'kubelet has no disk pressure',
        },
        {
          type: 'PIDPressure',
          status: 'False',
          reason: 'KubeletHasSufficientPID',
          message: 'kubelet has sufficient PID available',
        },
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        },
      ].map(c => ({
        ...c,
        lastHeartbeatTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      })),
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.1.0-emulated',
        kubeProxyVersion: 'v1.32.5',
        kubeletVersion: 'v1.32.5',
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'kube-emulator (simulated node)',
        systemUUID: '',
      },
    },
  }));
}

/** Namespaces and nodes of an empty cluster. @public */
export function loadBase(store: Store): void {
  for (const name of SYSTEM_NAMESPACES)
    ensure(store, R.namespaces, namespace(name));
  for (const node of nodeObjects()) ensure(store, R.nodes, node);
}
