import type { KubeObject } from '../store/types';

/** core/v1 Event (storage) → events.k8s.io/v1 Event. */
export function toEventsV1(ev: any): KubeObject {
  const out: any = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: ev.metadata,
    eventTime: ev.eventTime ?? null,
  };
  if (ev.series) out.series = ev.series;
  if (ev.reportingComponent) out.reportingController = ev.reportingComponent;
  if (ev.reportingInstance) out.reportingInstance = ev.reportingInstance;
  if (ev.action) out.action = ev.action;
  if (ev.reason) out.reason = ev.reason;
  if (ev.involvedObject) out.regarding = ev.involvedObject;
  if (ev.related) out.related = ev.related;
  if (ev.message) out.note = ev.message;
  if (ev.type) out.type = ev.type;
  if (ev.source && (ev.source.component || ev.source.host))
    out.deprecatedSource = ev.source;
  if (ev.firstTimestamp) out.deprecatedFirstTimestamp = ev.firstTimestamp;
  if (ev.lastTimestamp) out.deprecatedLastTimestamp = ev.lastTimestamp;
  if (ev.count) out.deprecatedCount = ev.count;
  return out;
}

/** events.k8s.io/v1 Event → core/v1 Event (storage). */
export function fromEventsV1(ev: any): KubeObject {
  const out: any = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: ev.metadata ?? {},
  };
  out.involvedObject = ev.regarding ?? {};
  if (ev.related) out.related = ev.related;
  if (ev.note !== undefined) out.message = ev.note;
  if (ev.reason !== undefined) out.reason = ev.reason;
  if (ev.type !== undefined) out.type = ev.type;
  if (ev.action !== undefined) out.action = ev.action;
  if (ev.eventTime !== undefined) out.eventTime = ev.eventTime;
  if (ev.series) out.series = ev.series;
  if (ev.reportingController) out.reportingComponent = ev.reportingController;
  if (ev.reportingInstance) out.reportingInstance = ev.reportingInstance;
  out.source = ev.deprecatedSource ?? {};
  if (ev.deprecatedFirstTimestamp)
    out.firstTimestamp = ev.deprecatedFirstTimestamp;
  if (ev.deprecatedLastTimestamp)
    out.lastTimestamp = ev.deprecatedLastTimestamp;
  if (ev.deprecatedCount) out.count = ev.deprecatedCount;
  return out;
}

/** Field selector names of events.k8s.io/v1 → core/v1 storage names. */
export function eventsV1FieldSelector(selector: string | null): string | null {
  if (!selector) return selector;
  return selector
    .replace(/regarding\./g, 'involvedObject.')
    .replace(/reportingController/g, 'reportingComponent');
}
