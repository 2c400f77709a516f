import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../store/errors';
import { parseFieldSelector } from '../store/fieldSelector';
import { parseLabelSelectorOrBadRequest } from '../store/labelSelector';
import type {
  MemoryStore,
  StoredEntry,
  StoredEvent,
} from '../store/memoryStore';
import { grKey, type ResourceInfo } from '../store/resources';
import type { GroupResource, KubeObject } from '../store/types';
import { renderTable, type IncludeObject } from './table';

export interface WatchRequest {
  store: MemoryStore;
  info: ResourceInfo;
  version: string;
  storageGr: GroupResource;
  namespace?: string;
  name?: string;
  labelSelector: string | null;
  fieldSelector: string | null;
  resourceVersion: string | null;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  table?: { includeObject: IncludeObject };
  view: (entry: StoredEntry) => string;
  viewObject: (obj: KubeObject) => KubeObject;
  watches: Set<() => void>;
}

/** Real API servers pick a random timeout in [minRequestTimeout, 2*minRequestTimeout] (30-60 min). */
const defaultTimeoutSeconds = 1800;
const bookmarkIntervalMs = 30_000;

/**
 * Serves a watch as newline-delimited JSON events: headers flushed at once, synthetic ADDED events
 * for resourceVersion unset/"0", replay from the change history for a given resourceVersion
 * (an ERROR event with a 410 Expired Status when it was compacted), selector membership changes
 * as ADDED/DELETED, optional BOOKMARKs, and an end after timeoutSeconds.
 */
export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  w: WatchRequest,
) {
  const { store, info } = w;
  // Validate everything that can fail before the 200 goes out.
  const labels = parseLabelSelectorOrBadRequest(w.labelSelector);
  const fields = parseFieldSelector(w.fieldSelector, store.info(w.storageGr));
  const key = grKey(w.storageGr);
  const namespace = info.namespaced ? w.namespace : undefined;
  const onlyName = w.name ?? fields.name;
  const isEvent = !!info.storage;

  const matches = (entry: StoredEntry | undefined): boolean => {
    if (!entry) return false;
    const obj = entry.object;
    if (namespace !== undefined && obj.metadata.namespace !== namespace)
      return false;
    if (onlyName !== undefined && obj.metadata.name !== onlyName) return false;
    if (isEvent && obj.kind !== 'Event') return false;
    if (!labels.empty() && !labels.matches(obj.metadata.labels)) return false;
    if (fields.requirements.length && !fields.matches(obj)) return false;
    return true;
  };

  let startRv: number | undefined;
  const rvParam = w.resourceVersion;
  if (rvParam && rvParam !== '0') {
    startRv = Number(rvParam);
    if (!Number.isInteger(startRv) || startRv < 0)
      throw new StatusError(
        400,
        'BadRequest',
        `invalid resource version: ${rvParam}`,
      );
  }

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  // Without this kubectl rollout status and client-node's Watch wait forever for headers (checklist fact 5).
  res.flushHeaders();
  res.socket?.setNoDelay?.(true);

  let headersSent = false;
  const line = (type: string, entry: StoredEntry) => {
    if (w.table) {
      const table = renderTable(info, w.version, [w.viewObject(entry.object)], {
        resourceVersion: String(entry.rv),
        includeObject: w.table.includeObject,
        noHeaders: headersSent,
      });
      headersSent = true;
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    }
    return `{"type":"${type}","object":${w.view(entry)}}\n`;
  };

  let closed = false;
  const cleanups: (() => void)[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    for (const c of cleanups) c();
    w.watches.delete(close);
    res.end();
  };
  w.watches.add(close);
  res.on('close', close);
  const write = (text: string) => {
    if (!closed) res.write(text);
  };

  let lastRv = 0;
  const deliver = (event: StoredEvent) => {
    if (event.key !== key) return;
    if (startRv !== undefined && event.rv <= startRv) return;
    const now = matches(event.entry);
    let before = false;
    if (event.type === 'MODIFIED') before = matches(event.previous);
    else if (event.type === 'DELETED') before = matches(event.entry);
    lastRv = event.rv;
    if (event.type === 'ADDED') {
      if (now) write(line('ADDED', event.entry));
    } else if (event.type === 'DELETED') {
      if (before) write(line('DELETED', event.entry));
    } else if (now && before) write(line('MODIFIED', event.entry));
    else if (now) write(line('ADDED', event.entry));
    else if (before)
      write(line('DELETED', { ...event.entry, object: event.entry.object }));
  };

  if (startRv === undefined) {
    // Synthetic ADDED events for the current state (kubectl's single-object watch relies on them).
    const page = store.listPage(w.storageGr, {
      namespace,
      labelSelector: labels,
      fieldSelector: fields,
    });
    for (const entry of page.items)
      if (matches(entry)) write(line('ADDED', entry));
    startRv = Number(page.resourceVersion);
    lastRv = startRv;
    if (w.allowBookmarks && w.sendInitialEvents) {
      write(bookmark(String(startRv), true));
    }
  } else {
    let backlog: StoredEvent[];
    try {
      backlog = store.changesSince(w.storageGr, startRv);
    } catch (err) {
      if (err instanceof StatusError) {
        write(`{"type":"ERROR","object":${JSON.stringify(err.status)}}\n`);
        close();
        return;
      }
      throw err;
    }
    lastRv = startRv;
    for (const ev of backlog) deliver(ev);
  }
  cleanups.push(store.subscribeRaw(deliver));

  function bookmark(rv: string, initialEventsEnd = false) {
    const metadata: Record<string, unknown> = { resourceVersion: rv };
    if (initialEventsEnd)
      metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    const apiVersion = info.group ? `${info.group}/${w.version}` : w.version;
    return `{"type":"BOOKMARK","object":${JSON.stringify({
      kind: info.kind,
      apiVersion,
      metadata,
    })}}\n`;
  }
  if (w.allowBookmarks) {
    const timer = setInterval(
      () =>
        write(
          bookmark(String(Math.max(lastRv, Number(store.resourceVersion())))),
        ),
      bookmarkIntervalMs,
    );
    timer.unref();
    cleanups.push(() => clearInterval(timer));
  }
  const timeout =
    w.timeoutSeconds !== undefined && w.timeoutSeconds > 0
      ? w.timeoutSeconds
      : defaultTimeoutSeconds;
  const timer = setTimeout(close, timeout * 1000);
  timer.unref();
  cleanups.push(() => clearTimeout(timer));
  req.on('aborted', close);
}
