import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  ANNOTATION_MODE,
  ANNOTATION_STRATEGY,
  ROLLOUT_MODES,
  ROLLOUT_STRATEGIES,
} from '@kube-rollouts/plugin-rollouts-common';

/**
 * Whether the entity has a rollout the Rollouts tab can show: it carries the
 * `kube-rollouts.io/strategy` annotation. Use it with `EntitySwitch.Case`.
 * @public
 */
export function isRolloutsAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_STRATEGY]);
}

/** What is wrong with the entity's rollout annotations, if anything. */
export type AnnotationProblem =
  | { kind: 'missing'; annotation: string }
  | {
      kind: 'invalid';
      annotation: string;
      value: string;
      expected: readonly string[];
    }
  /** The backend refused an annotation (its 400 names it): bad target, namespace, cluster… */
  | { kind: 'rejected'; annotation: string; message: string };

/** Checks what the frontend can check before asking the backend. */
export function findAnnotationProblem(
  entity: Entity,
): Exclude<AnnotationProblem, { kind: 'rejected' }> | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const strategy = annotations[ANNOTATION_STRATEGY];
  if (!strategy) {
    return { kind: 'missing', annotation: ANNOTATION_STRATEGY };
  }
  if (!(ROLLOUT_STRATEGIES as readonly string[]).includes(strategy)) {
    return {
      kind: 'invalid',
      annotation: ANNOTATION_STRATEGY,
      value: strategy,
      expected: ROLLOUT_STRATEGIES,
    };
  }
  const mode = annotations[ANNOTATION_MODE];
  if (
    mode !== undefined &&
    !(ROLLOUT_MODES as readonly string[]).includes(mode)
  ) {
    return {
      kind: 'invalid',
      annotation: ANNOTATION_MODE,
      value: mode,
      expected: ROLLOUT_MODES,
    };
  }
  return undefined;
}

const NAMED_ANNOTATION =
  /\b(kube-rollouts\.io\/[a-z-]+|backstage\.io\/kubernetes-[a-z-]+)/;

/**
 * The annotation a backend error is about: a 400 whose message names a `kube-rollouts.io/` or
 * `backstage.io/kubernetes-` annotation (what the frontend cannot check by itself).
 */
export function annotationProblemFromError(
  error: unknown,
): AnnotationProblem | undefined {
  if (!ResponseError.is(error) || error.statusCode !== 400) return undefined;
  const message = error.cause.message || error.message;
  const annotation = NAMED_ANNOTATION.exec(message)?.[1];
  return annotation ? { kind: 'rejected', annotation, message } : undefined;
}
