import { randomBytes } from 'node:crypto';
import type { KubeObject, OwnerReference } from '../store/types';

// The alphabet Kubernetes uses for generated names and pod-template-hash values (no vowels, no look-alikes).
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters, as in `web-7d4b9c8f6d-x2k9p`. @public */
export function randomSuffix(length = 5): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

/** JSON with object keys sorted, so equal objects hash equally. @public */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => {
        if (a === b) return 0;
        return a < b ? -1 : 1;
      });
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** 32-bit FNV-1a of a string. @public */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A short hash in the Kubernetes "safe" alphabet, like pod-template-hash `7d4b9c8f6d`. @public */
export function safeHash(value: unknown, length = 10): string {
  let n = fnv32a(canonicalJson(value));
  let m = fnv32a(`${canonicalJson(value)}#`);
  let out = '';
  for (let i = 0; i < length; i++) {
    const source = i % 2 === 0 ? n : m;
    out += alphabet[source % alphabet.length];
    if (i % 2 === 0) n = Math.floor(n / alphabet.length) || fnv32a(out);
    else m = Math.floor(m / alphabet.length) || fnv32a(`${out}#`);
  }
  return out;
}

/** Pod template hash, ignoring the pod-template-hash label itself. @public */
export function podTemplateHash(template: any): string {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels['pod-template-hash'];
  return safeHash(copy);
}

/** RFC 3339 with second precision, as the API server writes timestamps. @public */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000)
    .toISOString()
    .replace('.000Z', 'Z');
}

/** RFC 3339 with microseconds (MicroTime), as in Event.eventTime. @public */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A controller ownerReference pointing at obj. @public */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The controller ownerReference of obj, if any. @public */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find(ref => ref.controller);
}

/** Whether obj is controlled by owner (same uid). @public */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(obj);
  return !!ref && ref.uid === owner.metadata.uid;
}

/** Deep structural equality of JSON values (key order ignored). @public */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Parses a Go-style duration (`30s`, `2m`, `1h30m`, `500ms`) or a number of seconds into milliseconds.
 * @public
 */
export function parseDurationMs(value: unknown, fallbackMs: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value !== 'string' || !value.trim()) return fallbackMs;
  const units: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = '';
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0];
  }
  if (consumed !== value.trim()) {
    const n = Number(value);
    return Number.isFinite(n) ? n * 1000 : fallbackMs;
  }
  return total;
}

/** Formats milliseconds as Go's time.Duration prints them (`500ms`, `1.2s`, `2m0s`). @public */
export function goDuration(ms: number): string {
  const rounded = Math.round(ms);
  if (rounded < 1000) return `${rounded}ms`;
  if (rounded < 60_000) return `${Number((rounded / 1000).toFixed(3))}s`;
  const minutes = Math.floor(rounded / 60_000);
  const seconds = Number(((rounded % 60_000) / 1000).toFixed(3));
  if (minutes < 60) return `${minutes}m${seconds}s`;
  return `${Math.floor(minutes / 60)}h${minutes % 60}m${seconds}s`;
}

/** Resolves an int-or-percent (`25%`, 1) against a total, rounding up or down. @public */
export function intOrPercent(
  value: unknown,
  total: number,
  roundUp: boolean,
  fallback: string,
): number {
  const v = value === undefined || value === null ? fallback : value;
  if (typeof v === 'number') return v;
  const text = String(v);
  if (text.endsWith('%')) {
    const pct = Number(text.slice(0, -1));
    const raw = (pct * total) / 100;
    return roundUp ? Math.ceil(raw) : Math.floor(raw);
  }
  const n = Number(text);
  return Number.isFinite(n) ? n : 0;
}

/** Logs a controller error without crashing the process (a controller retries on the next event). @public */
export function logControllerError(
  controller: string,
  key: string,
  err: unknown,
): void {
  if (process.env.KUBE_EMULATOR_QUIET) return;
  const message = err instanceof Error ? err.message : String(err);
  // eslint-disable-next-line no-console
  console.warn(`[kube-emulator] ${controller} ${key}: ${message}`);
}
