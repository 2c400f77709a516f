import type { KubeObject } from '../store/types';
import { fnv32a } from '../controllers/util';

/** Pod-template annotation: "true" makes a version unhealthy (80% success rate). @public */
export const ANNOTATION_UNHEALTHY = 'kube-emulator.io/unhealthy';
/** Pod-template annotation: the version's success rate in percent, e.g. "80". @public */
export const ANNOTATION_SUCCESS_RATE = 'kube-emulator.io/success-rate';
/** Pod-template annotation: the version's p99 latency in milliseconds, e.g. "900". @public */
export const ANNOTATION_LATENCY_MS = 'kube-emulator.io/latency-ms';

/** What a healthy version serves. @public */
export const HEALTHY = { successRate: 99.9, latencyP99Ms: 120 };
/** What an unhealthy version (annotation or image tag) serves. @public */
export const UNHEALTHY = { successRate: 80, latencyP99Ms: 350 };

/** The simulated behaviour of one version of a workload. @public */
export interface VersionHealth {
  successRate: number;
  latencyP99Ms: number;
  /** Why the figures are what they are (shown in docs/tests): 'default', 'annotation', 'image tag', 'no endpoints'. */
  source: string;
}

/**
 * Whether an image tag marks a bad build: the tag contains the word `bad` (`rollouts-demo:bad-red`,
 * `hello:1.23.2-bad`) or `unhealthy`.
 * @public
 */
export function isBadImage(image: string | undefined): boolean {
  if (!image) return false;
  const last = image.split('/').pop() ?? '';
  const i = last.indexOf(':');
  if (i < 0) return false;
  const tag = last.slice(i + 1).toLowerCase();
  return /(^|[-_.])bad([-_.]|$)/.test(tag) || tag.includes('unhealthy');
}

/**
 * The behaviour of pods made from a template (or of one pod): annotations first, then the image tag convention,
 * otherwise healthy.
 * @public
 */
export function healthOf(
  templateOrPod:
    | {
        metadata?:
          | KubeObject['metadata']
          | { annotations?: Record<string, string> };
        spec?: any;
      }
    | undefined,
): VersionHealth {
  const annotations: Record<string, string> =
    (templateOrPod?.metadata as any)?.annotations ?? {};
  const images: string[] = (templateOrPod?.spec?.containers ?? []).map(
    (c: any) => String(c.image ?? ''),
  );
  let base: VersionHealth = { ...HEALTHY, source: 'default' };
  if (images.some(isBadImage)) base = { ...UNHEALTHY, source: 'image tag' };
  if (annotations[ANNOTATION_UNHEALTHY] === 'true')
    base = { ...UNHEALTHY, source: 'annotation' };
  if (annotations[ANNOTATION_UNHEALTHY] === 'false')
    base = { ...HEALTHY, source: 'annotation' };
  const rate = Number(annotations[ANNOTATION_SUCCESS_RATE]);
  if (
    annotations[ANNOTATION_SUCCESS_RATE] !== undefined &&
    Number.isFinite(rate)
  ) {
    base = {
      ...base,
      successRate: Math.min(100, Math.max(0, rate)),
      source: 'annotation',
    };
  }
  const latency = Number(annotations[ANNOTATION_LATENCY_MS]);
  if (
    annotations[ANNOTATION_LATENCY_MS] !== undefined &&
    Number.isFinite(latency) &&
    latency > 0
  ) {
    base = { ...base, latencyP99Ms: latency, source: 'annotation' };
  }
  return base;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same noise in every run. @public */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One measurement of a version: the base figures with small noise (success rate ±0.1 points when healthy,
 * ±1.5 when degraded; latency ±8%), deterministic for a (key, sample) pair.
 * @public
 */
export function sample(
  health: VersionHealth,
  key: string,
  sampleIndex: number,
): { successRate: number; latencyP99Ms: number } {
  const random = seededRandom(fnv32a(`${key}#${sampleIndex}`));
  const spread = health.successRate >= 99 ? 0.1 : 1.5;
  const successRate = Math.min(
    100,
    Math.max(0, health.successRate + (random() * 2 - 1) * spread),
  );
  const latencyP99Ms = Math.max(
    1,
    health.latencyP99Ms * (1 + (random() * 2 - 1) * 0.08),
  );
  return {
    successRate: Math.round(successRate * 100) / 100,
    latencyP99Ms: Math.round(latencyP99Ms),
  };
}
