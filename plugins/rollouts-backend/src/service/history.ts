import { InputError } from '@backstage/errors';
import { RolloutEvent } from '@kube-rollouts/plugin-rollouts-common';
import { KubeObject } from '../kubernetes';
import { timeOf } from '../strategies/common';
import { RolloutSnapshot } from '../strategies';

/** The latest of the Event's times, as an ISO string with milliseconds (sortable). */
function eventTime(e: KubeObject): string {
  const times = [
    e.lastTimestamp,
    e.eventTime,
    e.firstTimestamp,
    e.metadata.creationTimestamp,
  ]
    .map(t => Date.parse(timeOf(t) ?? ''))
    .filter(t => !Number.isNaN(t));
  return times.length ? new Date(Math.max(...times)).toISOString() : '';
}

/**
 * The Kubernetes Events of the rollout's objects (the routing object, the Services, the
 * Deployments and their ReplicaSets and Pods).
 */
export function kubernetesHistory(
  events: KubeObject[],
  involvedObjects: RolloutSnapshot['involved'],
): RolloutEvent[] {
  const result: RolloutEvent[] = [];
  for (const e of events) {
    const involved = e.involvedObject ?? {};
    const matches = involvedObjects.some(
      o =>
        (involved.kind === o.kind && involved.name === o.name) ||
        (o.prefix &&
          (involved.kind === 'ReplicaSet' || involved.kind === 'Pod') &&
          String(involved.name ?? '').startsWith(`${o.name}-`)),
    );
    if (!matches) continue;
    result.push({
      id: e.metadata.name,
      time: eventTime(e),
      kind: 'kubernetes-event',
      type: String(e.type ?? 'Normal'),
      reason: e.reason,
      message: String(e.message ?? ''),
      involvedObject: {
        kind: String(involved.kind),
        name: String(involved.name),
      },
    });
  }
  return result;
}

interface Cursor {
  t: string;
  id: string;
}

function newerFirst(
  a: { time: string; id: string },
  b: { time: string; id: string },
) {
  return b.time.localeCompare(a.time) || b.id.localeCompare(a.id);
}

/** Sorts newest first and cuts one page after the cursor. */
export function paginate(
  events: RolloutEvent[],
  limit: number,
  cursor?: string,
): { events: RolloutEvent[]; nextCursor?: string } {
  const sorted = [...events].sort(newerFirst);
  let start = 0;
  if (cursor) {
    let parsed: Cursor;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (typeof parsed?.t !== 'string' || typeof parsed?.id !== 'string') {
        throw new Error('shape');
      }
    } catch {
      throw new InputError(
        `query parameter cursor has value '${cursor.slice(
          0,
          40,
        )}' — expected a nextCursor returned by this API`,
      );
    }
    start = sorted.findIndex(
      e => newerFirst({ time: parsed.t, id: parsed.id }, e) < 0,
    );
    if (start === -1) start = sorted.length;
  }
  const page = sorted.slice(start, start + limit);
  const last = page[page.length - 1];
  const more = start + limit < sorted.length;
  return {
    events: page,
    ...(more && last
      ? {
          nextCursor: Buffer.from(
            JSON.stringify({ t: last.time, id: last.id }),
          ).toString('base64url'),
        }
      : {}),
  };
}
