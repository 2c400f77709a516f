import type {
  Clock,
  GroupResource,
  KubeObject,
  Store,
  StoreEvent,
} from '../store/types';
import { R } from './resources';
import { logControllerError, rfc3339 } from './util';

/**
 * A de-duplicating work queue: keys added while the store delivers events are processed later,
 * outside the store's synchronous listener, one at a time (as a client-go workqueue with one worker).
 * @public
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private stopped = false;
  private rounds = 0;

  constructor(
    private readonly name: string,
    private readonly handler: (key: string) => void,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }

  private drain(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const keys = [...this.pending];
    this.pending.clear();
    this.rounds++;
    for (const key of keys) {
      if (this.stopped) return;
      try {
        this.handler(key);
      } catch (err) {
        logControllerError(this.name, key, err);
      }
    }
  }
}

/** `namespace/name` (or `name` for cluster-scoped objects). @public */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace
    ? `${obj.metadata.namespace}/${obj.metadata.name}`
    : obj.metadata.name;
}

/** Splits a `namespace/name` key. @public */
export function splitKey(key: string): {
  namespace: string | undefined;
  name: string;
} {
  const i = key.indexOf('/');
  return i < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** One simulated controller. @public */
export interface Controller {
  name: string;
  /** Called for every store change, synchronously: only enqueue work here, never write. */
  onEvent(event: StoreEvent): void;
  /** Enqueues every existing object at start-up. */
  resyncAll(): void;
  stop(): void;
}

/** Everything a controller needs. @public */
export interface ControllerContext {
  store: Store;
  clock: Clock;
  recorder: EventRecorder;
  /** Simulated milliseconds from pod creation to Ready. */
  podReadyDelayMs: number;
  /** Registers a cancel function that stop() calls. */
  track(cancel: () => void): () => void;
}

/** The component that reports an Event (source.component / reportingComponent). @public */
export interface EventSource {
  component: string;
  host?: string;
}

/**
 * Writes core/v1 Events the way client-go's recorder does: one object per (object, reason, message),
 * with count/lastTimestamp bumped on repeats.
 * @public
 */
export class EventRecorder {
  private readonly seen = new Map<string, string>();
  private sequence = 0;

  constructor(private readonly store: Store, private readonly clock: Clock) {}

  /**
   * Deletes Events older than `ttlMs` real milliseconds (the API server's default event TTL is one hour) and keeps at
   * most `maxPerNamespace` per namespace, so a long-running demo does not grow without bound.
   */
  prune(ttlMs = 3_600_000, maxPerNamespace = 1000): void {
    const now = this.clock.now();
    const byNamespace = new Map<string, KubeObject[]>();
    for (const ev of this.store.list(R.events)) {
      const last = Date.parse(
        String(
          (ev as any).lastTimestamp ?? ev.metadata.creationTimestamp ?? '',
        ),
      );
      if (Number.isFinite(last) && now - last > ttlMs) {
        this.store.delete(R.events, ev.metadata.namespace, ev.metadata.name);
        continue;
      }
      const ns = ev.metadata.namespace ?? '';
      byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), ev]);
    }
    for (const events of byNamespace.values()) {
      if (events.length <= maxPerNamespace) continue;
      events.sort((a, b) =>
        String((a as any).lastTimestamp).localeCompare(
          String((b as any).lastTimestamp),
        ),
      );
      for (const ev of events.slice(0, events.length - maxPerNamespace))
        this.store.delete(R.events, ev.metadata.namespace, ev.metadata.name);
    }
  }

  normal(
    obj: KubeObject,
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void {
    this.record(obj, 'Normal', reason, message, source, fieldPath);
  }

  warning(
    obj: KubeObject,
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void {
    this.record(obj, 'Warning', reason, message, source, fieldPath);
  }

  record(
    obj: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void {
    const namespace = obj.metadata.namespace || 'default';
    const now = this.clock.now();
    const aggregateKey = [
      namespace,
      obj.kind,
      obj.metadata.name,
      obj.metadata.uid,
      type,
      reason,
      message,
      source.component,
      fieldPath ?? '',
    ].join('\u0000');
    const existingName = this.seen.get(aggregateKey);
    if (existingName) {
      const updated = this.store.modify(
        R.events,
        namespace,
        existingName,
        ev => {
          ev.count = Number(ev.count ?? 1) + 1;
          ev.lastTimestamp = rfc3339(now);
        },
      );
      if (updated) return;
    }
    const name = `${obj.metadata.name}.${(
      BigInt(now) * 1_000_000n +
      BigInt(this.sequence++ % 1_000_000)
    ).toString(16)}`;
    const involvedObject: Record<string, string> = {
      kind: obj.kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name,
      uid: obj.metadata.uid ?? '',
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion ?? '',
    };
    if (!obj.metadata.namespace) delete involvedObject.namespace;
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      source: source.host
        ? { component: source.component, host: source.host }
        : { component: source.component },
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    try {
      this.store.create(R.events, event);
      this.seen.set(aggregateKey, name);
      if (this.seen.size > 5000)
        this.seen.delete(this.seen.keys().next().value as string);
    } catch (err) {
      logControllerError('event-recorder', name, err);
    }
  }
}

/** Whether a store event concerns a resource. @public */
export function isResource(event: StoreEvent, gr: GroupResource): boolean {
  return (
    event.resource.group === gr.group && event.resource.resource === gr.resource
  );
}
