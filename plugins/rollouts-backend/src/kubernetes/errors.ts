import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ApiException } from '@kubernetes/client-node';
import { KubeResource } from './types';

/** What a failed request was doing, for the error message. */
export interface RequestDescription {
  cluster: string;
  verb: 'get' | 'list';
  resource: KubeResource;
  namespace: string;
  name?: string;
  timeoutMs: number;
}

function describeObject(d: RequestDescription): string {
  return d.name
    ? `${d.resource.kind} ${d.namespace}/${d.name}`
    : `${d.resource.plural} in namespace ${d.namespace}`;
}

function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 300) || undefined;
    }
  }
  if (parsed && typeof parsed === 'object') {
    const message = (parsed as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return undefined;
}

/**
 * Translates an error of `@kubernetes/client-node` (an ApiException, or a network error from
 * the fetch layer) into a Backstage error that names the cluster, namespace and object.
 * The original error is never passed through.
 */
export function translateKubeError(
  error: unknown,
  d: RequestDescription,
): Error {
  const what = describeObject(d);
  const where = `cluster '${d.cluster}'`;
  if (error instanceof ApiException) {
    const code = error.code;
    const detail = statusMessage(error.body);
    const suffix = detail ? `: ${detail}` : '';
    switch (code) {
      case 404:
        return new NotFoundError(
          d.name
            ? `${d.resource.kind} '${d.name}' not found in namespace '${d.namespace}' on ${where}`
            : `namespace '${d.namespace}' or resource type ${
                d.resource.plural
              }.${d.resource.group || 'core'} not found on ${where}`,
        );
      case 403:
        return new NotAllowedError(
          `${where} denied ${d.verb} of ${what} to the Kube Rollouts service account (403)${suffix}`,
        );
      case 401:
        return new ServiceUnavailableError(
          `${where} rejected the credentials configured for it (401) while trying to ${d.verb} ${what}`,
        );
      case 400:
      case 422:
        return new InputError(
          `${where} rejected the ${d.verb} of ${what} (${code})${suffix}`,
        );
      case 429:
        return new ServiceUnavailableError(
          `${where} is throttling requests (429) while trying to ${d.verb} ${what}; try again shortly`,
        );
      default:
        return new ServiceUnavailableError(
          `${where} failed to ${d.verb} ${what} (HTTP ${code})${suffix}`,
        );
    }
  }
  const err = error as {
    name?: string;
    type?: string;
    code?: string;
    message?: string;
  };
  if (err?.name === 'AbortError' || err?.type === 'aborted') {
    return new ServiceUnavailableError(
      `${where} did not answer within ${d.timeoutMs} ms while trying to ${d.verb} ${what}`,
    );
  }
  const reason = err?.code ?? err?.message ?? String(error);
  return new ServiceUnavailableError(
    `${where} is unreachable (${reason}) while trying to ${d.verb} ${what}`,
  );
}
