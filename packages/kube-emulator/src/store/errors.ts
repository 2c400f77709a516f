import type { GroupResource } from './types';

/** A cause of an Invalid (422) error, as in metav1.StatusCause. @public */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** The body of every Kubernetes error response (metav1.Status). @public */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/**
 * An error carrying a Kubernetes Status; the HTTP layer serialises `status` as the response body.
 * @public
 */
export class StatusError extends Error {
  readonly status: StatusBody;
  constructor(
    code: number,
    reason: string,
    message: string,
    details?: StatusBody['details'],
  ) {
    super(message);
    this.name = 'StatusError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
    };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason;
  }
}

/** `deployments.apps` / `services`: how the API server names a resource in messages. @public */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** @public */
export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}

/** 404 NotFound: `deployments.apps "x" not found`. @public */
export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `${qualifiedResource(gr)} "${name}" not found`,
    {
      name,
      group: gr.group,
      kind: gr.resource,
    },
  );
}

/** 404 for an unknown path or resource type. @public */
export function resourceNotFound(): StatusError {
  return new StatusError(
    404,
    'NotFound',
    'the server could not find the requested resource',
    {},
  );
}

/** 409 AlreadyExists: `services "web" already exists`. @public */
export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(
    409,
    'AlreadyExists',
    `${qualifiedResource(gr)} "${name}" already exists`,
    {
      name,
      group: gr.group,
      kind: gr.resource,
    },
  );
}

/** 409 Conflict on a stale resourceVersion (the exact real message). @public */
export function conflict(
  gr: GroupResource,
  name: string,
  detail?: string,
): StatusError {
  const why =
    detail ??
    'the object has been modified; please apply your changes to the latest version and try again';
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(
      gr,
    )} "${name}": ${why}`,
    {
      name,
      group: gr.group,
      kind: gr.resource,
    },
  );
}

/** 422 Invalid: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be ...`. @public */
export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: StatusCause[],
): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const list = causes.map(c =>
    c.field ? `${c.field}: ${c.message}` : c.message,
  );
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(
    422,
    'Invalid',
    `${qualifiedKind} "${name}" is invalid: ${summary}`,
    {
      name,
      group,
      kind,
      causes,
    },
  );
}

/** A FieldValueInvalid cause with the real message shape `Invalid value: <v>: <detail>`. @public */
export function fieldInvalid(
  field: string,
  value: unknown,
  detail: string,
): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${formatValue(value)}: ${detail}`,
  };
}

/** A FieldValueRequired cause. @public */
export function fieldRequired(field: string, detail = ''): StatusCause {
  return {
    reason: 'FieldValueRequired',
    field,
    message: detail ? `Required value: ${detail}` : 'Required value',
  };
}

/** A FieldValueNotSupported cause (enum mismatch). @public */
export function fieldNotSupported(
  field: string,
  value: unknown,
  allowed: unknown[],
): StatusCause {
  return {
    reason: 'FieldValueNotSupported',
    field,
    message: `Unsupported value: ${formatValue(
      value,
    )}: supported values: ${allowed.map(a => formatValue(a)).join(', ')}`,
  };
}

/** A FieldValueTypeInvalid cause. @public */
export function fieldTypeInvalid(
  field: string,
  value: unknown,
  detail: string,
): StatusCause {
  return {
    reason: 'FieldValueTypeInvalid',
    field,
    message: `Invalid value: ${formatValue(value)}: ${detail}`,
  };
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object')
    return Array.isArray(value)
      ? `[]interface {}{...}`
      : `map[string]interface {}{...}`;
  return String(value);
}

/** 403 Forbidden: `User "x" cannot patch resource "services" in API group "" in the namespace "default"`. @public */
export function forbidden(
  user: string,
  verb: string,
  gr: GroupResource,
  namespace?: string,
  name?: string,
  subresource?: string,
): StatusError {
  const res = subresource ? `${gr.resource}/${subresource}` : gr.resource;
  const scope = namespace
    ? ` in the namespace "${namespace}"`
    : ' at the cluster scope';
  const message = `${gr.resource}${gr.group ? `.${gr.group}` : ''}${
    name ? ` "${name}"` : ''
  } is forbidden: User "${user}" cannot ${verb} resource "${res}" in API group "${
    gr.group
  }"${scope}`;
  return new StatusError(403, 'Forbidden', message, {
    ...(name ? { name } : {}),
    group: gr.group,
    kind: gr.resource,
  });
}

/** 403 Forbidden with a free message (e.g. namespace terminating). @public */
export function forbiddenMessage(
  message: string,
  details?: StatusBody['details'],
): StatusError {
  return new StatusError(403, 'Forbidden', message, details ?? {});
}

/** 400 BadRequest. @public */
export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

/** 401 Unauthorized. @public */
export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

/** 405 MethodNotAllowed. @public */
export function methodNotAllowed(verb: string, resource: string): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource`,
    {
      kind: resource,
      causes: [
        {
          reason: 'UnexpectedServerResponse',
          message: `${verb} is not supported`,
        },
      ],
    },
  );
}

/**
 * 415 UnsupportedMediaType, as for a strategic merge patch on a custom resource. kubectl prefixes the
 * message with `<content type> is not supported by <group/version, Kind=kind>: ` itself.
 * @public
 */
export function unsupportedMediaType(accepted: string[]): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(
      ', ',
    )}`,
  );
}

/** 406 NotAcceptable. @public */
export function notAcceptable(message: string): StatusError {
  return new StatusError(406, 'NotAcceptable', message);
}

/** 410 Gone (Expired) for a compacted watch resourceVersion. @public */
export function gone(
  requested: string | number,
  oldest: string | number,
): StatusError {
  return new StatusError(
    410,
    'Expired',
    `too old resource version: ${requested} (${oldest})`,
  );
}

/** 429 TooManyRequests. @public */
export function tooManyRequests(retryAfterSeconds = 1): StatusError {
  return new StatusError(
    429,
    'TooManyRequests',
    'Too many requests, please try again later.',
    { retryAfterSeconds },
  );
}

/** 500 InternalError. @public */
export function internalError(message: string): StatusError {
  return new StatusError(
    500,
    'InternalError',
    `Internal error occurred: ${message}`,
    {
      causes: [{ reason: 'UnexpectedServerResponse', message }],
    },
  );
}

/** 503 ServiceUnavailable. @public */
export function serviceUnavailable(
  message = 'the server is currently unable to handle the request',
  retryAfterSeconds = 1,
): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message, {
    retryAfterSeconds,
  });
}

/** 504 Timeout. @public */
export function timeout(message: string): StatusError {
  return new StatusError(504, 'Timeout', message);
}
