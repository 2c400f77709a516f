import { createHash } from 'node:crypto';
import type { ResourceInfo, ResourceRegistry } from '../store/resources';
import { servedGroupVersions, type GroupVersion } from './discovery';

const queryParam = (name: string, description: string, type = 'string') => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});

const dryRun = queryParam(
  'dryRun',
  'When present, indicates that modifications should not be persisted.',
);
const fieldManager = queryParam(
  'fieldManager',
  'fieldManager is a name associated with the actor or entity that is making these changes.',
);
const fieldValidation = queryParam(
  'fieldValidation',
  'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
);
const force = queryParam(
  'force',
  'Force is going to "force" Apply requests.',
  'boolean',
);
const pretty = queryParam(
  'pretty',
  "If 'true', then the output is pretty printed.",
);

/** Reverse-DNS schema name as the API server names definitions (io.k8s.api.apps.v1.Deployment). */
function definitionName(info: ResourceInfo, version: string): string {
  if (!info.group) return `io.k8s.api.core.${version}.${info.kind}`;
  if (!info.custom)
    return `io.k8s.api.${info.group
      .replace(/\.k8s\.io$/, '')
      .replace(/\./g, '_')}.${version}.${info.kind}`;
  return `${info.group.split('.').reverse().join('.')}.${version}.${info.kind}`;
}

function gvPath(gv: { group: string; version: string }): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

function operations(info: ResourceInfo, gv: GroupVersion) {
  const gvk = { group: info.group, version: gv.version, kind: info.kind };
  const base = `/${gvPath(gv)}${
    info.namespaced ? '/namespaces/{namespace}' : ''
  }/${info.resource}`;
  const ref = info.custom
    ? { $ref: `#/components/schemas/${definitionName(info, gv.version)}` }
    : { type: 'object' };
  const ok = {
    '200': {
      description: 'OK',
      content: { 'application/json': { schema: ref } },
    },
  };
  const patchBody = {
    content: Object.fromEntries(
      [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ].map(t => [t, { schema: { type: 'object' } }]),
    ),
    required: true,
  };
  const op = (
    action: string,
    operationId: string,
    parameters: unknown[],
    extra: Record<string, unknown> = {},
  ) => ({
    description: `${action} ${info.kind}`,
    operationId: `${operationId}${info.kind}`,
    parameters,
    responses: ok,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  // Built-in kinds carry no requestBody on PATCH: kubectl then computes strategic merge patches from
  // its compiled-in types instead of from (absent) OpenAPI patch metadata.
  const patchExtra = info.custom ? { requestBody: patchBody } : {};
  const paths: Record<string, unknown> = {
    [base]: {
      get: op('list', 'list', []),
      post: op('post', 'create', [dryRun, fieldManager, fieldValidation]),
      delete: op('deletecollection', 'deleteCollection', []),
      parameters: info.namespaced
        ? [
            {
              name: 'namespace',
              in: 'path',
              required: true,
              schema: { type: 'string' },
            },
            pretty,
          ]
        : [pretty],
    },
    [`${base}/{name}`]: {
      get: op('get', 'read', []),
      put: op('put', 'replace', [dryRun, fieldManager, fieldValidation]),
      patch: op(
        'patch',
        'patch',
        [dryRun, fieldManager, fieldValidation, force],
        patchExtra,
      ),
      delete: op('delete', 'delete', [dryRun]),
    },
  };
  for (const sub of [
    info.hasStatus ? 'status' : '',
    info.scale ? 'scale' : '',
  ].filter(Boolean)) {
    paths[`${base}/{name}/${sub}`] = {
      get: op('get', `read${sub}`, []),
      put: op('put', `replace${sub}`, [dryRun, fieldManager, fieldValidation]),
      patch: op(
        'patch',
        `patch${sub}`,
        [dryRun, fieldManager, fieldValidation, force],
        patchExtra,
      ),
    };
  }
  return paths;
}

/** The OpenAPI v3 document of one group-version. */
export function openApiV3Document(
  registry: ResourceRegistry,
  group: string,
  version: string,
  gitVersion: string,
) {
  const gv = servedGroupVersions(registry).find(
    g => g.group === group && g.version === version,
  );
  if (!gv) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const info of gv.resources) {
    if (info.storage) continue; // aliases (events.k8s.io) have no own schema here
    Object.assign(paths, operations(info, gv));
    if (info.custom) {
      const schema = (info.schemas?.[version] as
        | Record<string, unknown>
        | undefined) ?? {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
      };
      schemas[definitionName(info, version)] = {
        ...schema,
        'x-kubernetes-group-version-kind': [
          { group: info.group, version, kind: info.kind },
        ],
      };
    }
  }
  for (const info of gv.resources.filter(i => i.storage))
    Object.assign(paths, operations(info, gv));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: gitVersion },
    paths,
    components: { schemas },
  };
}

/** The /openapi/v3 index: one entry per served group-version with a content hash. */
export function openApiV3Index(registry: ResourceRegistry, gitVersion: string) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of servedGroupVersions(registry)) {
    const doc = openApiV3Document(registry, gv.group, gv.version, gitVersion);
    const hash = createHash('sha512')
      .update(JSON.stringify(doc))
      .digest('hex')
      .slice(0, 128)
      .toUpperCase();
    const p = gvPath(gv);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}
