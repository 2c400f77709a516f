import { randomUUID } from 'node:crypto';
import { builtinCrds } from '../crds';
import { ClusterIpAllocator, applyDefaults } from './defaults';
import {
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  forbiddenMessage,
  gone,
  invalid,
  notFound,
  resourceNotFound,
} from './errors';
import { parseFieldSelector, type FieldSelector } from './fieldSelector';
import {
  parseLabelSelectorOrBadRequest,
  type LabelSelector,
} from './labelSelector';
import {
  ResourceRegistry,
  grKey,
  resourceInfoFromCrd,
  type ResourceInfo,
} from './resources';
import type {
  GroupResource,
  KubeObject,
  Store,
  StoreEvent,
  WatchEventType,
} from './types';
import { validateAgainstSchema, validateObject } from './validation';

/** One stored object. `object` is never handed out or mutated; `json` caches its serialisation. @public */
export interface StoredEntry {
  readonly object: KubeObject;
  readonly rv: number;
  json?: string;
}

/** A change as kept in the watch history (internal objects: never mutate). @public */
export interface StoredEvent {
  type: WatchEventType;
  rv: number;
  key: string;
  namespace: string;
  entry: StoredEntry;
  /** The previous state for MODIFIED (to translate selector membership changes for filtered watches). */
  previous?: StoredEntry;
}

/** Options of writes coming from API clients. @public */
export interface WriteOptions {
  /** `dryRun=All`: validate and compute the result, persist nothing. */
  dryRun?: boolean;
  /** `Strict` rejects unknown fields of custom resources (400), `Warn` reports them in `warnings`. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Collects warnings for the `Warning` response header. */
  warnings?: string[];
  /** Writes from API clients: create strips .status of resources with a status subresource. */
  fromClient?: boolean;
}

/** @public */
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** @public */
export interface ListOptions {
  namespace?: string;
  labelSelector?: string | LabelSelector;
  fieldSelector?: string | FieldSelector;
  limit?: number;
  continue?: string;
}

/** @public */
export interface ListPage {
  items: StoredEntry[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** @public */
export interface MemoryStoreOptions {
  /** Install the built-in CRDs (Gateway API, Istio, ASM). Default true. */
  builtinCrds?: boolean;
  /** How many changes the watch history keeps before older resourceVersions answer 410 Gone. Default 20000. */
  historySize?: number;
}

/** The store plus what the HTTP layer needs (entries with cached JSON, history, paging). @public */
export interface MemoryStore extends Store {
  readonly registry: ResourceRegistry;
  create(gr: GroupResource, obj: KubeObject, opts?: WriteOptions): KubeObject;
  update(gr: GroupResource, obj: KubeObject, opts?: WriteOptions): KubeObject;
  updateStatus(
    gr: GroupResource,
    obj: KubeObject,
    opts?: WriteOptions,
  ): KubeObject;
  delete(
    gr: GroupResource,
    namespace: string | undefined,
    name: string,
    opts?: DeleteOptions,
  ): KubeObject | undefined;
  /** The resource info, or a 404 Status error for an unknown resource. */
  info(gr: GroupResource): ResourceInfo;
  /** The current global resourceVersion. */
  resourceVersion(): string;
  getEntry(
    gr: GroupResource,
    namespace: string | undefined,
    name: string,
  ): StoredEntry | undefined;
  listPage(gr: GroupResource, opts?: ListOptions): ListPage;
  /** Changes after `rv` for one resource, or throws 410 Gone when the history no longer reaches back. */
  changesSince(gr: GroupResource, rv: number): StoredEvent[];
  /** Subscribes to every change without copies (for watch streams). */
  subscribeRaw(listener: (event: StoredEvent) => void): () => void;
  /** Drops the watch history up to `rv` (default: everything), as etcd compaction does. */
  compact(rv?: number): void;
  /** Number of stored objects of all resources. */
  size(): number;
  /** Serialises an entry (cached). */
  entryJson(entry: StoredEntry): string;
}

type NamespaceMap = Map<string, Map<string, StoredEntry>>;

const clone = <T>(value: T): T => structuredClone(value);

/** RFC3339 with seconds precision, as metav1.Time serialises. */
export function rfc3339(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null
  )
    return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ak = Object.keys(a as object).filter(k => (a as any)[k] !== undefined);
  const bk = Object.keys(b as object).filter(k => (b as any)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every(k => deepEqual((a as any)[k], (b as any)[k]));
}

const randomSuffixChars = 'bcdfghjklmnpqrstvwxz2456789';
/** Five random characters as generateName uses. @public */
export function randomSuffix(length = 5): string {
  let s = '';
  for (let i = 0; i < length; i++)
    s +=
      randomSuffixChars[Math.floor(Math.random() * randomSuffixChars.length)];
  return s;
}

function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: lastKey }),
  ).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed.start !== 'string') throw new Error();
    return parsed;
  } catch {
    throw badRequest(`continue key is not valid: ${token}`);
  }
}

/**
 * Creates the in-memory object store: one global resourceVersion counter, objects indexed by
 * resource and namespace, a bounded change history for watches (older RVs answer 410 Gone),
 * defaulting, validation, generation, optimistic concurrency, finalizers and garbage collection.
 * @public
 */
export function createMemoryStore(
  options: MemoryStoreOptions = {},
): MemoryStore {
  const registry = new ResourceRegistry();
  const tables = new Map<string, NamespaceMap>();
  const sortedKeys = new Map<string, string[]>(); // `${grKey}|${ns}` → sorted names (invalidated on create/delete)
  const historySize = options.historySize ?? 20000;
  const history: StoredEvent[] = [];
  let historyStart = 0; // index into history of the oldest kept event (history is trimmed in chunks)
  let compactedRv = 0; // changes with rv <= compactedRv are no longer in history
  let rv = 100;
  const ips = new ClusterIpAllocator();
  const rawListeners = new Set<(event: StoredEvent) => void>();
  const queue: StoredEvent[] = [];
  let draining = false;

  function info(gr: GroupResource): ResourceInfo {
    const found = registry.get(gr);
    if (!found) throw resourceNotFound();
    return found;
  }

  function table(key: string): NamespaceMap {
    let t = tables.get(key);
    if (!t) {
      t = new Map();
      tables.set(key, t);
    }
    return t;
  }

  function nsKey(ri: ResourceInfo, namespace: string | undefined): string {
    return ri.namespaced ? namespace ?? '' : '';
  }

  function emit(event: StoredEvent) {
    history.push(event);
    if (history.length - historyStart > historySize) {
      const drop = history.length - historyStart - historySize;
      compactedRv = history[historyStart + drop - 1].rv;
      historyStart += drop;
      if (historyStart > 4096) {
        history.splice(0, historyStart);
        historyStart = 0;
      }
    }
    queue.push(event);
    if (draining) return;
    draining = true;
    try {
      // Deliver in resourceVersion order even when a listener writes while being notified.
      while (queue.length) {
        const next = queue.shift()!;
        for (const l of [...rawListeners]) {
          try {
            l(next);
          } catch (err) {
            // A failing listener must not break the write that triggered it.
            console.error('kube-emulator: store listener failed', err);
          }
        }
      }
    } finally {
      draining = false;
    }
  }

  function commit(
    ri: ResourceInfo,
    type: WatchEventType,
    object: KubeObject,
    previous?: StoredEntry,
  ): StoredEntry {
    const key = grKey(ri);
    const ns = nsKey(ri, object.metadata.namespace);
    rv++;
    object.metadata.resourceVersion = String(rv);
    const entry: StoredEntry = { object, rv };
    const t = table(key);
    let names = t.get(ns);
    if (type === 'DELETED') {
      names?.delete(object.metadata.name);
      if (names && names.size === 0) t.delete(ns);
      sortedKeys.delete(`${key}|${ns}`);
    } else {
      if (!names) {
        names = new Map();
        t.set(ns, names);
      }
      if (!names.has(object.metadata.name)) sortedKeys.delete(`${key}|${ns}`);
      names.set(object.metadata.name, entry);
    }
    emit({ type, rv, key, namespace: ns, entry, previous });
    return entry;
  }

  function getEntry(
    gr: GroupResource,
    namespace: string | undefined,
    name: string,
  ): StoredEntry | undefined {
    const ri = info(gr);
    if (ri.namespaced && !namespace) return undefined;
    return tables.get(grKey(ri))?.get(nsKey(ri, namespace))?.get(name);
  }

  function checkNamespace(ri: ResourceInfo, namespace: string | undefined) {
    if (!ri.namespaced) return;
    if (!namespace)
      throw badRequest(
        'the server could not find the requested resource: namespace is required',
      );
    const ns = tables.get('/namespaces')?.get('')?.get(namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.object.metadata.deletionTimestamp) {
      throw forbiddenMessage(
        `${ri.resource}${
          ri.group ? `.${ri.group}` : ''
        } is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          name: namespace,
          kind: 'namespaces',
        },
      );
    }
  }

  function validate(
    ri: ResourceInfo,
    obj: KubeObject,
    previous: KubeObject | undefined,
    opts: WriteOptions,
  ) {
    const key = grKey(ri);
    const causes = validateObject(key, obj, previous);
    if (ri.custom) {
      const schema = ri.schemas?.[ri.storageVersion];
      const result = validateAgainstSchema(obj, schema);
      causes.push(...result.causes);
      if (result.unknownFields.length) {
        if (opts.fieldValidation === 'Strict') {
          const list = result.unknownFields.map(f => `unknown field "${f}"`);
          throw badRequest(`strict decoding error: ${list.join(', ')}`);
        }
        if (opts.fieldValidation === 'Warn')
          opts.warnings?.push(
            ...result.unknownFields.map(f => `unknown field "${f}"`),
          );
      }
    }
    if (causes.length)
      throw invalid(ri.kind, ri.group, obj.metadata?.name ?? '', causes);
  }

  function normalise(ri: ResourceInfo, obj: KubeObject) {
    obj.apiVersion = ri.group
      ? `${ri.group}/${ri.storageVersion}`
      : ri.storageVersion;
    obj.kind = ri.kind;
    if (!obj.metadata || typeof obj.metadata !== 'object')
      obj.metadata = { name: '' };
    if (!ri.namespaced) delete obj.metadata.namespace;
  }

  function specChanged(
    ri: ResourceInfo,
    prev: KubeObject,
    next: KubeObject,
  ): boolean {
    if (ri.custom) {
      for (const k of new Set([...Object.keys(prev), ...Object.keys(next)])) {
        if (
          k === 'metadata' ||
          k === 'apiVersion' ||
          k === 'kind' ||
          (k === 'status' && ri.hasStatus)
        )
          continue;
        if (!deepEqual((prev as any)[k], (next as any)[k])) return true;
      }
      return false;
    }
    // Deployments also bump their generation on annotation changes (they are copied to ReplicaSets).
    if (
      grKey(ri) === 'apps/deployments' &&
      !deepEqual(
        prev.metadata.annotations ?? {},
        next.metadata.annotations ?? {},
      )
    )
      return true;
    return !deepEqual(prev.spec, next.spec);
  }

  function create(
    gr: GroupResource,
    input: KubeObject,
    opts: WriteOptions = {},
  ): KubeObject {
    const ri = info(gr);
    const obj = clone(input);
    normalise(ri, obj);
    const meta = obj.metadata;
    checkNamespace(ri, meta.namespace);
    if (!meta.name && meta.generateName)
      meta.name = `${meta.generateName}${randomSuffix()}`;
    if (ri.hasStatus && opts.fromClient && ri.custom) delete obj.status;
    if (
      opts.fromClient &&
      (grKey(ri) === 'apps/deployments' || grKey(ri) === 'apps/replicasets')
    )
      obj.status = {};
    applyDefaults(grKey(ri), obj, undefined, ips);
    validate(ri, obj, undefined, opts);
    if (getEntry(gr, meta.namespace, meta.name))
      throw alreadyExists(gr, meta.name);
    meta.uid = randomUUID();
    // API clients always get the server's time; internal writers (controllers, scenarios that
    // recreate history) may set a past creationTimestamp of their own.
    const given = opts.fromClient ? undefined : meta.creationTimestamp;
    meta.creationTimestamp =
      typeof given === 'string' && !Number.isNaN(Date.parse(given))
        ? given
        : rfc3339();
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.resourceVersion;
    if (opts.dryRun) {
      meta.resourceVersion = undefined as unknown as string;
      delete meta.resourceVersion;
      return obj;
    }
    const entry = commit(ri, 'ADDED', obj);
    afterWrite(ri, entry.object, undefined);
    return clone(entry.object);
  }

  /** Shared by update and updateStatus: `statusOnly` writes only .status. */
  function write(
    gr: GroupResource,
    input: KubeObject,
    statusOnly: boolean,
    opts: WriteOptions,
  ): KubeObject {
    const ri = info(gr);
    const name = input?.metadata?.name;
    if (!name)
      throw invalid(ri.kind, ri.group, '', [
        {
          reason: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name is required',
        },
      ]);
    const current = getEntry(gr, input.metadata.namespace, name);
    if (!current) throw notFound(gr, name);
    const wantedRv = input.metadata.resourceVersion;
    if (wantedRv && wantedRv !== String(current.rv)) throw conflict(gr, name);
    const prev = current.object;
    let next: KubeObject;
    if (statusOnly) {
      next = clone(prev);
      next.status = clone(input.status);
      // As kube-apiserver's Deployment status strategy (which resets only spec and labels): the
      // deployment controller records the revision annotation through the status subresource,
      // so it does not bump the generation.
      if (grKey(ri) === 'apps/deployments' && input.metadata?.annotations)
        next.metadata.annotations = clone(input.metadata.annotations);
    } else {
      next = clone(input);
      normalise(ri, next);
      if (ri.hasStatus) {
        if (prev.status === undefined) delete next.status;
        else next.status = clone(prev.status);
      }
      applyDefaults(grKey(ri), next, prev, ips);
    }
    // Identity fields are immutable; clients re-sending them (possibly reformatted) is fine.
    const meta = next.metadata;
    meta.name = prev.metadata.name;
    if (ri.namespaced) meta.namespace = prev.metadata.namespace;
    meta.uid = prev.metadata.uid;
    meta.creationTimestamp = prev.metadata.creationTimestamp;
    meta.generation = prev.metadata.generation;
    if (prev.metadata.deletionTimestamp)
      meta.deletionTimestamp = prev.metadata.deletionTimestamp;
    else delete meta.deletionTimestamp;
    delete meta.generateName;
    if (prev.metadata.generateName)
      meta.generateName = prev.metadata.generateName;
    meta.resourceVersion = prev.metadata.resourceVersion;
    if (!statusOnly) validate(ri, next, prev, opts);
    if (!statusOnly && specChanged(ri, prev, next))
      meta.generation = (prev.metadata.generation ?? 1) + 1;
    if (deepEqual(prev, next)) return clone(prev); // no-op: no new resourceVersion, no event
    if (opts.dryRun) return next;
    // Removing the last finalizer of an object being deleted completes the deletion.
    if (meta.deletionTimestamp && !(meta as any).finalizers?.length) {
      const entry = commit(ri, 'DELETED', next, current);
      afterDelete(ri, entry.object, 'Background');
      return clone(entry.object);
    }
    const entry = commit(ri, 'MODIFIED', next, current);
    afterWrite(ri, entry.object, prev);
    return clone(entry.object);
  }

  /** Keeps the resource registry in sync with stored CRDs. */
  function afterWrite(
    ri: ResourceInfo,
    obj: KubeObject,
    _prev: KubeObject | undefined,
  ) {
    if (grKey(ri) === 'apiextensions.k8s.io/customresourcedefinitions') {
      const crdInfo = resourceInfoFromCrd(obj);
      if (
        crdInfo.group &&
        crdInfo.resource &&
        crdInfo.kind &&
        !crdInfo.storage
      ) {
        const existing = registry.get(crdInfo);
        if (!existing || existing.custom) registry.set(crdInfo);
        if (
          !obj.status?.conditions?.some((c: any) => c.type === 'Established')
        ) {
          const current = getEntry(ri, undefined, obj.metadata.name)!;
          const next = clone(current.object);
          const now = rfc3339();
          next.status = {
            acceptedNames: clone(obj.spec.names),
            conditions: [
              {
                type: 'NamesAccepted',
                status: 'True',
                reason: 'NoConflicts',
                message: 'no conflicts found',
                lastTransitionTime: now,
              },
              {
                type: 'Established',
                status: 'True',
                reason: 'InitialNamesAccepted',
                message: 'the initial names have been accepted',
                lastTransitionTime: now,
              },
            ],
            storedVersions: [crdInfo.storageVersion],
          };
          commit(ri, 'MODIFIED', next, current);
        }
      }
    }
  }

  function allEntries(): { ri: ResourceInfo; entry: StoredEntry }[] {
    const out: { ri: ResourceInfo; entry: StoredEntry }[] = [];
    for (const [key, t] of tables) {
      const [group, resource] = [
        key.slice(0, key.indexOf('/')),
        key.slice(key.indexOf('/') + 1),
      ];
      const ri = registry.get({ group, resource });
      if (!ri) continue;
      for (const names of t.values())
        for (const entry of names.values()) out.push({ ri, entry });
    }
    return out;
  }

  function afterDelete(
    ri: ResourceInfo,
    obj: KubeObject,
    policy: 'Background' | 'Foreground' | 'Orphan',
  ) {
    const key = grKey(ri);
    if (key === '/services') ips.release(obj.spec?.clusterIP);
    if (key === 'apiextensions.k8s.io/customresourcedefinitions') {
      const crdInfo = resourceInfoFromCrd(obj);
      // Deleting a CRD deletes all its objects.
      const t = tables.get(grKey(crdInfo));
      if (t && registry.get(crdInfo)?.custom) {
        for (const names of [...t.values()])
          for (const entry of [...names.values()])
            remove(crdInfo, entry, 'Background');
      }
      if (registry.get(crdInfo)?.custom) registry.remove(crdInfo);
    }
    if (key === '/namespaces') {
      for (const [tkey, t] of [...tables]) {
        const names = t.get(obj.metadata.name);
        if (!names) continue;
        const r = registry.all().find(i => grKey(i) === tkey);
        if (!r || !r.namespaced) continue;
        for (const entry of [...names.values()]) remove(r, entry, 'Background');
      }
    }
    // Garbage collection of dependents (ownerReferences to this uid).
    const uid = obj.metadata.uid;
    if (!uid) return;
    for (const { ri: dri, entry } of allEntries()) {
      const refs = entry.object.metadata.ownerReferences;
      if (!refs?.some(r => r.uid === uid)) continue;
      const current = getEntry(
        dri,
        entry.object.metadata.namespace,
        entry.object.metadata.name,
      );
      if (!current || current.rv !== entry.rv) continue;
      const remaining = refs.filter(r => r.uid !== uid);
      if (policy === 'Orphan' || remaining.length > 0) {
        const next = clone(current.object);
        if (remaining.length) next.metadata.ownerReferences = remaining;
        else delete next.metadata.ownerReferences;
        commit(dri, 'MODIFIED', next, current);
      } else {
        remove(
          dri,
          current,
          policy === 'Foreground' ? 'Foreground' : 'Background',
        );
      }
    }
  }

  /** Deletes an entry, honouring finalizers; returns the final state. */
  function remove(
    ri: ResourceInfo,
    current: StoredEntry,
    policy: 'Background' | 'Foreground' | 'Orphan',
  ): KubeObject {
    const finalizers: string[] =
      (current.object.metadata as any).finalizers ?? [];
    if (
      grKey(ri) === '/namespaces' &&
      !current.object.metadata.deletionTimestamp
    ) {
      // Namespaces show Terminating while their content goes away.
      const next = clone(current.object);
      next.metadata.deletionTimestamp = rfc3339();
      next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      const terminating = commit(ri, 'MODIFIED', next, current);
      afterDelete(ri, terminating.object, policy);
      const latest = getEntry(ri, undefined, next.metadata.name)!;
      const finalState = clone(latest.object);
      commit(ri, 'DELETED', finalState, latest);
      return finalState;
    }
    if (finalizers.length > 0) {
      if (current.object.metadata.deletionTimestamp) return current.object;
      const next = clone(current.object);
      next.metadata.deletionTimestamp = rfc3339();
      (next.metadata as any).deletionGracePeriodSeconds = 0;
      return commit(ri, 'MODIFIED', next, current).object;
    }
    const finalState = clone(current.object);
    const entry = commit(ri, 'DELETED', finalState, current);
    afterDelete(ri, entry.object, policy);
    return entry.object;
  }

  function del(
    gr: GroupResource,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): KubeObject | undefined {
    const ri = info(gr);
    const current = getEntry(gr, namespace, name);
    if (!current) return undefined;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.object.metadata.uid) {
      throw conflict(
        gr,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.object.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(current.rv)) {
      throw conflict(
        gr,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.rv}`,
      );
    }
    if (opts.dryRun) return clone(current.object);
    return clone(remove(ri, current, opts.propagationPolicy ?? 'Background'));
  }

  function sortedNames(
    key: string,
    ns: string,
    names: Map<string, StoredEntry>,
  ): string[] {
    const cacheKey = `${key}|${ns}`;
    let sorted = sortedKeys.get(cacheKey);
    if (!sorted) {
      sorted = [...names.keys()].sort();
      sortedKeys.set(cacheKey, sorted);
    }
    return sorted;
  }

  function listPage(gr: GroupResource, opts: ListOptions = {}): ListPage {
    const ri = info(gr);
    const key = grKey(ri);
    const label =
      typeof opts.labelSelector === 'object'
        ? opts.labelSelector
        : parseLabelSelectorOrBadRequest(opts.labelSelector);
    const field =
      typeof opts.fieldSelector === 'object'
        ? opts.fieldSelector
        : parseFieldSelector(opts.fieldSelector, ri);
    const t = tables.get(key);
    const namespace = ri.namespaced
      ? opts.namespace || field.namespace
      : undefined;
    let namespaces: string[] = [];
    if (t && namespace === undefined) namespaces = [...t.keys()].sort();
    else if (t?.has(namespace!)) namespaces = [namespace!];
    const start = opts.continue
      ? decodeContinue(opts.continue).start
      : undefined;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: StoredEntry[] = [];
    let next: string | undefined;
    let remaining = 0;
    const labelEmpty = label.empty();
    // Without selectors the scan goes on past the limit to count remainingItemCount.
    const countRemaining = labelEmpty && !field.requirements.length;
    let pageFull = false;
    for (const ns of namespaces) {
      if (pageFull) break;
      const names = t!.get(ns)!;
      let candidates: string[];
      if (field.name === undefined) candidates = sortedNames(key, ns, names);
      else candidates = names.has(field.name) ? [field.name] : [];
      for (const name of candidates) {
        const sortKey = `${ns}/${name}`;
        if (start !== undefined && sortKey <= start) continue;
        const entry = names.get(name)!;
        if (!labelEmpty && !label.matches(entry.object.metadata.labels))
          continue;
        if (field.requirements.length && !field.matches(entry.object)) continue;
        if (items.length >= limit) {
          next = `${items.length ? keyOf(items[items.length - 1]) : sortKey}`;
          if (!countRemaining) {
            pageFull = true;
            break;
          }
          remaining++;
          continue;
        }
        items.push(entry);
      }
    }
    const page: ListPage = { items, resourceVersion: String(rv) };
    if (next !== undefined) {
      page.continue = encodeContinue(rv, next);
      if (labelEmpty && !field.requirements.length)
        page.remainingItemCount = remaining;
    }
    return page;
  }

  function keyOf(entry: StoredEntry): string {
    return `${entry.object.metadata.namespace ?? ''}/${
      entry.object.metadata.name
    }`;
  }

  function changesSince(gr: GroupResource, since: number): StoredEvent[] {
    const key = grKey(info(gr));
    if (since < compactedRv) throw gone(since, compactedRv + 1);
    const out: StoredEvent[] = [];
    // History is ordered by rv: binary search the first event after `since`.
    let lo = historyStart;
    let hi = history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (history[mid].rv <= since) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < history.length; i++)
      if (history[i].key === key) out.push(history[i]);
    return out;
  }

  function modify(
    gr: GroupResource,
    namespace: string | undefined,
    name: string,
    mutate: (obj: KubeObject) => unknown,
  ) {
    const ri = info(gr);
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = getEntry(gr, namespace, name);
      if (!current) return undefined;
      const draft = clone(current.object);
      if (mutate(draft) === false) return clone(current.object);
      try {
        const { status: _status, ...rest } = draft;
        let result: KubeObject = current.object;
        const statusChanged =
          ri.hasStatus && !deepEqual(current.object.status, draft.status);
        const mainChanged = !deepEqual(
          { ...current.object, status: undefined },
          { ...rest, status: undefined },
        );
        if (mainChanged || !ri.hasStatus) result = write(gr, draft, false, {});
        if (statusChanged) {
          result = write(
            gr,
            {
              ...result,
              status: draft.status,
              metadata: {
                ...result.metadata,
                resourceVersion: result.metadata.resourceVersion,
              },
            },
            true,
            {},
          );
        }
        return clone(result);
      } catch (err) {
        if (err instanceof StatusError && err.code === 409) continue;
        throw err;
      }
    }
    throw conflict(gr, name);
  }

  const store: MemoryStore = {
    registry,
    info,
    get(gr, namespace, name) {
      const entry = getEntry(gr, namespace, name);
      return entry ? clone(entry.object) : undefined;
    },
    list(gr, opts) {
      return listPage(gr, {
        namespace: opts?.namespace,
        labelSelector: opts?.labelSelector,
      }).items.map(e => clone(e.object));
    },
    create,
    update: (gr, obj, opts) => write(gr, obj, false, opts ?? {}),
    updateStatus: (gr, obj, opts) => write(gr, obj, true, opts ?? {}),
    modify,
    delete: del,
    subscribe(listener: (event: StoreEvent) => void) {
      const raw = (event: StoredEvent) => {
        const [group, resource] = [
          event.key.slice(0, event.key.indexOf('/')),
          event.key.slice(event.key.indexOf('/') + 1),
        ];
        listener({
          type: event.type,
          resource: { group, resource },
          object: clone(event.entry.object),
        });
      };
      rawListeners.add(raw);
      return () => rawListeners.delete(raw);
    },
    resourceVersion: () => String(rv),
    getEntry,
    listPage,
    changesSince,
    subscribeRaw(listener) {
      rawListeners.add(listener);
      return () => rawListeners.delete(listener);
    },
    compact(upTo) {
      const target = upTo ?? rv;
      while (
        historyStart < history.length &&
        history[historyStart].rv <= target
      )
        historyStart++;
      compactedRv = Math.max(compactedRv, target);
    },
    size() {
      let n = 0;
      for (const t of tables.values())
        for (const names of t.values()) n += names.size;
      return n;
    },
    entryJson(entry) {
      return (entry.json ??= JSON.stringify(entry.object));
    },
  };

  // The cluster a fresh kube-apiserver starts with.
  for (const name of [
    'default',
    'kube-system',
    'kube-public',
    'kube-node-lease',
  ]) {
    create(
      { group: '', resource: 'namespaces' },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    );
  }
  if (options.builtinCrds !== false) {
    for (const crd of builtinCrds())
      create(
        {
          group: 'apiextensions.k8s.io',
          resource: 'customresourcedefinitions',
        },
        crd,
      );
  }
  return store;
}
