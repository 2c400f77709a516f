/**
 * The contract between the emulator's storage layer (src/store/**) and its controllers
 * (src/controllers/**). Controllers talk to storage only through these verbs, as a real
 * controller talks to the API server (get, list, create, update, update status, delete, watch).
 */

/** @public */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** @public */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

/** Any Kubernetes object as stored (plain JSON). @public */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  // Kind-specific top-level fields (subsets, endpoints, data, ...) are untyped, as spec and status.
  [key: string]: any;
}

/** A resource by API group ('' for core) and plural resource name, e.g. { group: 'apps', resource: 'deployments' }. @public */
export interface GroupResource {
  group: string;
  resource: string;
}

/** @public */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** @public */
export interface StoreEvent {
  type: WatchEventType;
  resource: GroupResource;
  /** A copy of the object after the change (before deletion for DELETED). */
  object: KubeObject;
}

/**
 * In-memory object storage shared by the HTTP layer and the controllers.
 * Every method returns deep copies; objects passed in are never retained.
 * Errors are thrown as `StatusError` (src/store/errors.ts) carrying a Kubernetes Status.
 * @public
 */
export interface Store {
  /** The object, or undefined when it does not exist. */
  get(
    gr: GroupResource,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  /** Objects of a resource, optionally in one namespace and matching a label selector string (`app=web,version in (blue)`). */
  list(
    gr: GroupResource,
    opts?: { namespace?: string; labelSelector?: string },
  ): KubeObject[];
  /** Creates (assigns uid, resourceVersion, generation 1, creationTimestamp; honours generateName). Throws AlreadyExists (409). */
  create(gr: GroupResource, obj: KubeObject): KubeObject;
  /**
   * Replaces the object's metadata and spec (status is kept from storage unless the resource has no status
   * subresource). When obj.metadata.resourceVersion is set and stale: throws Conflict (409). Bumps generation
   * when spec changed. Throws NotFound (404) when missing.
   */
  update(gr: GroupResource, obj: KubeObject): KubeObject;
  /** Replaces only .status (the status subresource). Same conflict rule as update. */
  updateStatus(gr: GroupResource, obj: KubeObject): KubeObject;
  /**
   * Read-modify-write with retry on conflict: calls mutate on a fresh copy until the write succeeds;
   * if mutate returns false nothing is written. Writes spec/metadata (update) and status (updateStatus) as changed.
   * Returns the stored object, or undefined when it does not exist.
   */
  modify(
    gr: GroupResource,
    namespace: string | undefined,
    name: string,
    mutate: (obj: KubeObject) => unknown,
  ): KubeObject | undefined;
  /** Deletes, then garbage-collects dependents via ownerReferences (background propagation). Returns the deleted object. */
  delete(
    gr: GroupResource,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  /** Every change to every resource, delivered synchronously in resourceVersion order after it is stored. */
  subscribe(listener: (event: StoreEvent) => void): () => void;
}

/**
 * Simulated time. `timeScale` 60 means one simulated minute passes in one real second:
 * every simulated duration is divided by timeScale before it is waited for.
 * @public
 */
export interface Clock {
  readonly timeScale: number;
  /** Real milliseconds for a simulated duration in milliseconds. */
  real(simulatedMs: number): number;
  /** Runs fn after a simulated delay; returns a cancel function. */
  after(simulatedMs: number, fn: () => void): () => void;
  /** Runs fn every simulated period; returns a cancel function. */
  every(simulatedMs: number, fn: () => void): () => void;
  /** Wall-clock now (Date.now()); timestamps written into objects are real time. */
  now(): number;
}

/**
 * What src/controllers/index.ts exports for src/index.ts (startEmulator) to wire.
 * @public
 */
export interface ControllerHandle {
  /** Prometheus text exposition of the simulated traffic (served at /metrics). */
  metricsText(): string;
  /** Per-host, per-version traffic figures. */
  traffic(): TrafficSnapshot[];
  stop(): void;
}

/** @public */
export interface TrafficSnapshot {
  namespace: string;
  /** The routing object's host or Service name the traffic goes to. */
  host: string;
  /** Backend version (Deployment name) receiving a share of the traffic. */
  version: string;
  /** `http` requests, or `tcp` connections of a VirtualService tcp route (host `<host>:<port>`). */
  protocol: 'http' | 'tcp';
  /** Share of the requests of this host, 0-100. */
  weight: number;
  requestsTotal: number;
  successRate: number; // 0-100
  latencyP99Ms: number;
}
