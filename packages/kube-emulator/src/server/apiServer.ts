import type { IncomingMessage, ServerResponse } from 'node:http';
import { load as loadYaml } from 'js-yaml';
import {
  StatusError,
  badRequest,
  forbidden,
  internalError,
  invalid,
  methodNotAllowed,
  notFound,
  qualifiedResource,
  resourceNotFound,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
  fieldInvalid,
} from '../store/errors';
import { parseFieldSelector } from '../store/fieldSelector';
import { parseLabelSelectorOrBadRequest } from '../store/labelSelector';
import type {
  MemoryStore,
  StoredEntry,
  WriteOptions,
} from '../store/memoryStore';
import type { ResourceInfo } from '../store/resources';
import type { GroupResource, KubeObject } from '../store/types';
import { recordUpdate, serverSideApply } from './apply';
import { readVerbs, type TokenAuthenticator, type TokenUser } from './auth';
import type { CountedVerb, createCounters } from './counters';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryVersion,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  servedGroups,
} from './discovery';
import { eventsV1FieldSelector, fromEventsV1, toEventsV1 } from './eventsV1';
import type { createFaults } from './faults';
import { validateFaultRules } from './faults';
import {
  dropConnection,
  parseJsonBody,
  readBody,
  readBodyBytes,
  sendJson,
  sendStatusError,
  sendText,
  wantsTable,
} from './http';
import { openApiV3Document, openApiV3Index } from './openapi';
import { decodeProtobufObject, isProtobuf } from './protobuf/decode';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
} from './patch';
import { renderTable, type IncludeObject } from './table';
import { serveWatch } from './watch';

/** What /version reports: kubectl's dispatcher picks kubectl 1.32 from it. @public */
export const versionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.5',
  gitCommit: '9894294ef13a5b32803e3ca2c0d620a088cc84d1',
  gitTreeState: 'clean',
  buildDate: '2025-05-15T09:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export interface ApiServerContext {
  store: MemoryStore;
  auth: TokenAuthenticator;
  faults: ReturnType<typeof createFaults>;
  counters: ReturnType<typeof createCounters>;
  metricsText: () => string;
  /** host:port clients use (for /api serverAddressByClientCIDRs). */
  serverAddress: () => string;
  /** Open watch streams are ended through this on stop(). */
  watches: Set<() => void>;
}

interface ResourceRequest {
  info: ResourceInfo;
  group: string;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Where objects live (differs from the served resource for events.k8s.io). */
  storageGr: GroupResource;
  gr: GroupResource;
  watchPath: boolean;
}

const publicPaths = new Set(['/version', '/healthz', '/livez', '/readyz']);
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Resources whose DELETE answers with the object (ReturnDeletedObject) instead of a Status. */
const returnsDeletedObject = new Set([
  '/pods',
  '/services',
  '/namespaces',
  'apiextensions.k8s.io/customresourcedefinitions',
]);

function apiVersionOf(info: ResourceInfo, version: string): string {
  return info.group ? `${info.group}/${version}` : version;
}

function defaultManager(req: IncomingMessage): string {
  const ua = String(req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0] || 'unknown';
}

function boolParam(value: string | null): boolean {
  return value === 'true' || value === '1';
}

/** Creates the request handler of the API server. */
export function createApiHandler(ctx: ApiServerContext) {
  const { store } = ctx;

  function view(
    info: ResourceInfo,
    version: string,
    obj: KubeObject,
  ): KubeObject {
    if (info.storage) return toEventsV1(obj);
    const apiVersion = apiVersionOf(info, version);
    return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
  }

  function viewJson(
    info: ResourceInfo,
    version: string,
    entry: StoredEntry,
  ): string {
    if (info.storage) return JSON.stringify(toEventsV1(entry.object));
    const apiVersion = apiVersionOf(info, version);
    if (entry.object.apiVersion === apiVersion) return store.entryJson(entry);
    return JSON.stringify({ ...entry.object, apiVersion });
  }

  function toStorage(info: ResourceInfo, obj: KubeObject): KubeObject {
    return info.storage ? fromEventsV1(obj) : obj;
  }

  function parseResourcePath(
    segments: string[],
  ): ResourceRequest | 'discovery' | undefined {
    let group = '';
    let version: string;
    let rest: string[];
    if (segments[0] === 'api') {
      version = segments[1];
      rest = segments.slice(2);
    } else {
      group = segments[1];
      version = segments[2];
      rest = segments.slice(3);
    }
    if (!version) return undefined;
    if (rest.length === 0) return 'discovery';
    let watchPath = false;
    if (rest[0] === 'watch') {
      watchPath = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (
      rest[0] === 'namespaces' &&
      rest.length >= 3 &&
      !(rest.length === 3 && ['status', 'finalize'].includes(rest[2]))
    ) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    if (rest.length > 3) return undefined;
    const [resource, name, subresource] = rest;
    const info = store.registry.lookup(group, version, resource);
    if (!info) return undefined;
    if (namespace !== undefined && !info.namespaced) return undefined;
    if (
      subresource &&
      !(
        (subresource === 'status' && info.hasStatus) ||
        (subresource === 'scale' && info.scale) ||
        (subresource === 'finalize' && resource === 'namespaces')
      )
    )
      return undefined;
    return {
      info,
      group,
      version,
      namespace,
      name,
      subresource,
      storageGr: info.storage ?? { group: info.group, resource: info.resource },
      gr: { group: info.group, resource: info.resource },
      watchPath,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://emulator.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const q = url.searchParams;

    if (path.startsWith('/_emulator/'))
      return handleAdmin(req, res, method, path);

    const fault = ctx.faults.decide(method, req.url ?? '/');
    if (fault) {
      if (fault.latencyMs) await sleep(fault.latencyMs);
      if (fault.drop) return dropConnection(req);
      if (fault.status === 429) throw tooManyRequests(fault.retryAfterSeconds);
      if (fault.status === 503)
        throw serviceUnavailable(undefined, fault.retryAfterSeconds);
      if (fault.status === 504)
        throw new StatusError(
          504,
          'Timeout',
          'Timeout: request did not complete within the allotted timeout',
        );
      if (fault.status === 500) throw internalError('injected fault');
    }

    const authorization = req.headers.authorization;
    const user = ctx.auth.authenticate(authorization);
    if (!user && (authorization || !isPublic(path))) throw unauthorized();

    const segments = path.split('/').filter(Boolean);
    if (path === '/version') return sendJson(res, 200, versionInfo);
    if (
      isPublic(path) ||
      path.startsWith('/healthz/') ||
      path.startsWith('/livez/') ||
      path.startsWith('/readyz/')
    ) {
      return sendText(res, 200, 'text/plain; charset=utf-8', 'ok', {
        'X-Content-Type-Options': 'nosniff',
      });
    }
    if (path === '/metrics')
      return sendText(
        res,
        200,
        'text/plain; version=0.0.4; charset=utf-8',
        ctx.metricsText(),
      );
    if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1')
      return serveOpenApiV2(req, res);
    if (path === '/openapi/v3')
      return sendJson(
        res,
        200,
        openApiV3Index(store.registry, versionInfo.gitVersion),
      );
    if (path.startsWith('/openapi/v3/')) {
      const parts = path.slice('/openapi/v3/'.length).split('/');
      let [group, version] = ['', ''];
      if (parts[0] === 'api') version = parts[1];
      else if (parts[0] === 'apis') [group, version] = [parts[1], parts[2]];
      const doc = version
        ? openApiV3Document(
            store.registry,
            group,
            version,
            versionInfo.gitVersion,
          )
        : undefined;
      if (!doc) throw resourceNotFound();
      return sendJson(res, 200, doc, {
        ETag: `"${url.searchParams.get('hash') ?? ''}"`,
      });
    }
    if (path === '/api') return serveDiscoveryRoot(req, res, 'core');
    if (path === '/apis') return serveDiscoveryRoot(req, res, 'apis');
    if (segments[0] === 'apis' && segments.length === 2) {
      const g = apiGroup(store.registry, segments[1]);
      if (!g) throw resourceNotFound();
      return sendJson(res, 200, g);
    }
    if (segments[0] !== 'api' && segments[0] !== 'apis')
      throw resourceNotFound();
    if (segments[0] === 'api' && segments[1] !== 'v1') throw resourceNotFound();
    const parsed = parseResourcePath(segments);
    if (parsed === 'discovery') {
      const group = segments[0] === 'api' ? '' : segments[1];
      const version = segments[0] === 'api' ? segments[1] : segments[2];
      if (
        group &&
        !servedGroups(store.registry).some(
          g => g.name === group && g.versions.includes(version),
        )
      )
        throw resourceNotFound();
      return sendJson(
        res,
        200,
        apiResourceList(store.registry, group, version),
      );
    }
    if (!parsed) throw resourceNotFound();
    return handleResource(req, res, method, q, parsed, user!);
  }

  function isPublic(path: string) {
    return publicPaths.has(path);
  }

  function serveDiscoveryRoot(
    req: IncomingMessage,
    res: ServerResponse,
    which: 'core' | 'apis',
  ) {
    const aggregated = aggregatedDiscoveryVersion(req.headers.accept);
    if (aggregated) {
      const body = JSON.stringify(
        aggregatedDiscovery(store.registry, which, aggregated),
      );
      res.writeHead(200, {
        'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
        'Content-Length': Buffer.byteLength(body),
        Vary: 'Accept',
      });
      res.end(body);
      return;
    }
    sendJson(
      res,
      200,
      which === 'core'
        ? apiVersions(ctx.serverAddress())
        : apiGroupList(store.registry),
      { Vary: 'Accept' },
    );
  }

  function serveOpenApiV2(req: IncomingMessage, res: ServerResponse) {
    const accept = req.headers.accept ?? '';
    if (accept.includes('protobuf') || !accept.includes('json')) {
      // An empty protobuf Document: kubectl 1.27/1.28 need a 200 here; no schema → built-in types are used.
      res.writeHead(200, {
        'Content-Type':
          'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
        'Content-Length': 0,
      });
      res.end();
      return;
    }
    sendJson(res, 200, {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: versionInfo.gitVersion },
      paths: {},
      definitions: {},
    });
  }

  async function handleAdmin(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
  ) {
    const user = ctx.auth.authenticate(req.headers.authorization);
    if (!user) throw unauthorized();
    if (path === '/_emulator/counters') {
      if (method === 'GET') return sendJson(res, 200, ctx.counters.snapshot());
      if (method === 'DELETE') {
        if (user.readOnly) throw forbiddenAdmin(user);
        ctx.counters.reset();
        return sendJson(res, 200, ctx.counters.snapshot());
      }
      throw methodNotAllowed(method, 'counters');
    }
    if (path === '/_emulator/faults') {
      if (method === 'GET')
        return sendJson(res, 200, { rules: ctx.faults.list() });
      if (user.readOnly) throw forbiddenAdmin(user);
      if (method === 'DELETE') {
        ctx.faults.clear();
        return sendJson(res, 200, { rules: [] });
      }
      if (method === 'PUT' || method === 'POST') {
        const body = parseJsonBody(await readBody(req));
        try {
          ctx.faults.set(
            validateFaultRules(Array.isArray(body) ? body : body?.rules),
          );
        } catch (err) {
          throw badRequest((err as Error).message);
        }
        return sendJson(res, 200, { rules: ctx.faults.list() });
      }
      throw methodNotAllowed(method, 'faults');
    }
    throw resourceNotFound();
  }

  function forbiddenAdmin(user: TokenUser) {
    return new StatusError(
      403,
      'Forbidden',
      `forbidden: User "${user.user}" cannot change the emulator's settings`,
    );
  }

  function verbOf(
    method: string,
    r: ResourceRequest,
    q: URLSearchParams,
  ): CountedVerb {
    switch (method) {
      case 'GET':
      case 'HEAD':
        if (r.name) return 'get';
        return r.watchPath || boolParam(q.get('watch')) ? 'watch' : 'list';
      case 'POST':
        if (r.name) throw methodNotAllowed(method, r.info.resource);
        return 'create';
      case 'PUT':
        if (!r.name) throw methodNotAllowed(method, r.info.resource);
        return 'update';
      case 'PATCH':
        if (!r.name) throw methodNotAllowed(method, r.info.resource);
        return 'patch';
      case 'DELETE':
        return r.name ? 'delete' : 'deletecollection';
      default:
        throw methodNotAllowed(method, r.info.resource);
    }
  }

  async function handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    q: URLSearchParams,
    r: ResourceRequest,
    user: TokenUser,
  ) {
    const verb = verbOf(method, r, q);
    ctx.counters.count(verb, qualifiedResource(r.gr));
    if (user.readOnly && !readVerbs.has(verb))
      throw forbidden(
        user.user,
        verb,
        r.gr,
        r.namespace,
        r.name,
        r.subresource,
      );
    if (r.info.namespaced && !r.namespace && r.name) throw resourceNotFound();
    if (r.info.namespaced && !r.namespace && verb === 'create')
      throw resourceNotFound();
    if (
      !r.info.verbs.includes(
        verb === 'deletecollection' ? 'deletecollection' : verb,
      ) &&
      !r.subresource
    )
      throw methodNotAllowed(verb, r.info.resource);
    switch (verb) {
      case 'get':
        return handleGet(req, res, q, r);
      case 'list':
        return handleList(req, res, q, r);
      case 'watch':
        return serveWatch(req, res, {
          store,
          info: r.info,
          version: r.version,
          storageGr: r.storageGr,
          namespace: r.namespace,
          name: r.name,
          labelSelector: q.get('labelSelector'),
          fieldSelector: r.info.storage
            ? eventsV1FieldSelector(q.get('fieldSelector'))
            : q.get('fieldSelector'),
          resourceVersion: q.get('resourceVersion'),
          allowBookmarks: boolParam(q.get('allowWatchBookmarks')),
          sendInitialEvents: boolParam(q.get('sendInitialEvents')),
          timeoutSeconds: q.get('timeoutSeconds')
            ? Number(q.get('timeoutSeconds'))
            : undefined,
          table: wantsTable(req.headers.accept)
            ? {
                includeObject:
                  (q.get('includeObject') as IncludeObject) ?? 'Metadata',
              }
            : undefined,
          view: (entry: StoredEntry) => viewJson(r.info, r.version, entry),
          viewObject: (obj: KubeObject) => view(r.info, r.version, obj),
          watches: ctx.watches,
        });
      case 'create':
        return handleCreate(req, res, q, r);
      case 'update':
        return handleUpdate(req, res, q, r);
      case 'patch':
        return handlePatch(req, res, q, r);
      case 'delete':
        return handleDelete(req, res, q, r);
      case 'deletecollection':
        return handleDeleteCollection(req, res, q, r);
      default:
        throw methodNotAllowed(verb, r.info.resource);
    }
  }

  function writeOptions(q: URLSearchParams, warnings: string[]): WriteOptions {
    const fv = q.get('fieldValidation');
    if (fv && !['Strict', 'Warn', 'Ignore'].includes(fv)) {
      throw badRequest(
        `fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${fv}"`,
      );
    }
    const dryRun = q.getAll('dryRun');
    if (dryRun.some(d => d !== 'All'))
      throw badRequest(
        `Invalid dry run value: ${dryRun.join(
          ',',
        )}; the only valid value is "All"`,
      );
    return {
      dryRun: dryRun.length > 0,
      fieldValidation: (fv as WriteOptions['fieldValidation']) ?? 'Warn',
      warnings,
      fromClient: true,
    };
  }

  function respond(
    res: ServerResponse,
    status: number,
    body: string | object,
    warnings: string[] = [],
  ) {
    const headers: Record<string, string> = {};
    if (warnings.length)
      res.setHeader(
        'Warning',
        warnings.map(w => `299 - ${JSON.stringify(w)}`),
      );
    sendJson(res, status, body, headers);
  }

  function current(r: ResourceRequest): StoredEntry {
    const entry = store.getEntry(r.storageGr, r.namespace, r.name!);
    if (!entry || (r.info.storage && entry.object.kind !== 'Event'))
      throw notFound(r.gr, r.name!);
    return entry;
  }

  function scaleOf(r: ResourceRequest, obj: KubeObject) {
    const scale = r.info.scale!;
    const read = (p: string) =>
      p
        .replace(/^\./, '')
        .split('.')
        .reduce<any>((o, k) => o?.[k], obj);
    const selector = r.info.custom
      ? read(scale.labelSelectorPath ?? '')
      : undefined;
    const specSelector = obj.spec?.selector;
    const selectorString =
      selector ??
      (specSelector
        ? Object.entries(specSelector.matchLabels ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(',')
        : undefined);
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: read(scale.specReplicasPath) ?? 0 },
      status: {
        replicas: read(scale.statusReplicasPath) ?? 0,
        ...(selectorString ? { selector: selectorString } : {}),
      },
    };
  }

  function writeScale(
    r: ResourceRequest,
    obj: KubeObject,
    scale: any,
    opts: WriteOptions,
  ): KubeObject {
    const replicas = scale?.spec?.replicas;
    if (
      typeof replicas !== 'number' ||
      replicas < 0 ||
      !Number.isInteger(replicas)
    ) {
      throw invalid('Scale', 'autoscaling', r.name!, [
        fieldInvalid(
          'spec.replicas',
          replicas,
          'must be greater than or equal to 0',
        ),
      ]);
    }
    const next = structuredClone(obj);
    const parts = r.info.scale!.specReplicasPath.replace(/^\./, '').split('.');
    let cur: any = next;
    for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
    cur[parts[parts.length - 1]] = replicas;
    if (scale.metadata?.resourceVersion)
      next.metadata.resourceVersion = scale.metadata.resourceVersion;
    return store.update(r.storageGr, next, opts);
  }

  function sendObject(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    r: ResourceRequest,
    status: number,
    obj: KubeObject | string,
    warnings: string[] = [],
  ) {
    if (wantsTable(req.headers.accept) && !r.subresource) {
      const o = typeof obj === 'string' ? JSON.parse(obj) : obj;
      const table = renderTable(r.info, r.version, [o], {
        resourceVersion: o.metadata?.resourceVersion,
        includeObject: (q.get('includeObject') as IncludeObject) ?? 'Metadata',
      });
      return respond(res, status, table, warnings);
    }
    return respond(
      res,
      status,
      typeof obj === 'string' ? obj : view(r.info, r.version, obj),
      warnings,
    );
  }

  function handleGet(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    r: ResourceRequest,
  ) {
    const entry = current(r);
    if (r.subresource === 'scale')
      return respond(res, 200, scaleOf(r, entry.object));
    return sendObject(req, res, q, r, 200, viewJson(r.info, r.version, entry));
  }

  function handleList(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    r: ResourceRequest,
  ) {
    const limit = q.get('limit') ? Number(q.get('limit')) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
      throw badRequest(
        `limit must be a non-negative integer, got ${q.get('limit')}`,
      );
    const fieldSelector = r.info.storage
      ? eventsV1FieldSelector(q.get('fieldSelector'))
      : q.get('fieldSelector');
    const page = store.listPage(r.storageGr, {
      namespace: r.namespace,
      labelSelector: parseLabelSelectorOrBadRequest(q.get('labelSelector')),
      fieldSelector: parseFieldSelector(fieldSelector, store.info(r.storageGr)),
      limit,
      continue: q.get('continue') ?? undefined,
    });
    const items = r.info.storage
      ? page.items.filter(e => e.object.kind === 'Event')
      : page.items;
    if (wantsTable(req.headers.accept)) {
      const table = renderTable(
        r.info,
        r.version,
        items.map(e => view(r.info, r.version, e.object)),
        {
          resourceVersion: page.resourceVersion,
          continue: page.continue,
          includeObject:
            (q.get('includeObject') as IncludeObject) ?? 'Metadata',
        },
      );
      return respond(res, 200, table);
    }
    const meta: Record<string, unknown> = {
      resourceVersion: page.resourceVersion,
    };
    if (page.continue) meta.continue = page.continue;
    if (page.remainingItemCount !== undefined)
      meta.remainingItemCount = page.remainingItemCount;
    const head = `{"kind":${JSON.stringify(
      r.info.listKind,
    )},"apiVersion":${JSON.stringify(
      apiVersionOf(r.info, r.version),
    )},"metadata":${JSON.stringify(meta)},"items":[`;
    let body = head;
    for (let i = 0; i < items.length; i++)
      body += (i ? ',' : '') + viewJson(r.info, r.version, items[i]);
    body += ']}';
    return respond(res, 200, body);
  }

  async function readObject(req: IncomingMessage): Promise<any> {
    const type = String(req.headers['content-type'] ?? 'application/json');
    if (isProtobuf(type)) return decodeProtobufObject(await readBodyBytes(req));
    const text = await readBody(req);
    if (type.includes('yaml')) {
      try {
        return loadYaml(text);
      } catch (err) {
        throw badRequest(
          `error converting YAML to JSON: ${(err as Error).message}`,
        );
      }
    }
    return parseJsonBody(text);
  }

  function checkBody(r: ResourceRequest, body: any) {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw badRequest(
        'the object provided is unrecognized (must be of type Object)',
      );
    body.metadata ??= {};
    if (body.kind && body.kind !== r.info.kind) {
      throw badRequest(
        `the server could not find the requested resource: ${body.kind} is not ${r.info.kind}`,
      );
    }
    if (body.apiVersion) {
      const [g, v] = body.apiVersion.includes('/')
        ? body.apiVersion.split('/')
        : ['', body.apiVersion];
      if (g !== r.group || !r.info.versions.includes(v)) {
        throw badRequest(
          `the API version in the data (${
            body.apiVersion
          }) does not match the expected API version (${apiVersionOf(
            r.info,
            r.version,
          )})`,
        );
      }
    }
    if (r.info.namespaced) {
      if (body.metadata.namespace && body.metadata.namespace !== r.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      body.metadata.namespace = r.namespace;
    }
  }

  async function handleCreate(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    r: ResourceRequest,
  ) {
    const body = await readObject(req);
    checkBody(r, body);
    body.apiVersion = apiVersionOf(r.info, r.version);
    body.kind = r.info.kind;
    const warnings: string[] = [];
    const opts = writeOptions(q, warnings);
    const manager = q.get('fieldManager') ?? defaultManager(req);
    const stored = toStorage(r.info, body);
    stored.metadata.managedFields = recordUpdate(
      undefined,
      body,
      manager,
      apiVersionOf(r.info, r.version),
      `${r.storageGr.group}/${r.storageGr.resource}`,
    ) as unknown[];
    const created = store.create(r.storageGr, stored, opts);
    sendObject(req, res, q, r, 201, created, warnings);
  }

  async function handleUpdate(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    r: ResourceRequest,
  ) {
    const body = await readObject(req);
    const warnings: string[] = [];
    const opts = writeOptions(q, warnings);
    const existing = current(r);
    if (r.subresource === 'scale') {
      const updated = writeScale(r, existing.object, body, opts);
      return respond(res, 200, scaleOf(r, updated), warnings);
    }
    checkBody(r, body);
    if (body.metadata.name && body.metadata.name !== r.name) {
      throw badRequest(
        `the name of the object (${body.metadata.name}) does not match the name on the URL (${r.name})`,
      );
    }
    body.metadata.name = r.name;
    if (!body.metadata.resourceVersion && !r.info.allowUnconditionalUpdate) {
      throw invalid(r.info.kind, r.info.group, r.name!, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.resourceVersion',
          message: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    body.apiVersion = apiVersionOf(r.info, r.version);
    body.kind = r.info.kind;
    const manager = q.get('fieldManager') ?? defaultManager(req);
    const stored = toStorage(r.info, body);
    const key = `${r.storageGr.group}/${r.storageGr.resource}`;
    let updated: KubeObject;
    if (r.subresource === 'status') {
      const next = {
        ...existing.object,
        status: stored.status,
        metadata: {
          ...existing.object.metadata,
          resourceVersion:
            stored.metadata.resourceVersion ??
            existing.object.metadata.resourceVersion,
        },
      };
      updated = store.updateStatus(r.storageGr, next, opts);
    } else {
      stored.metadata.managedFields = recordUpdate(
        existing.object,
        stripIdentity(body),
        manager,
        body.apiVersion,
        key,
      );
      updated = store.update(r.storageGr, stored, opts);
    }
    return sendObject(req, res, q, r, 200, updated, warnings);
  }

  function stripIdentity(obj: any) {
    const { metadata, ...rest } = obj;
    const {
      managedFields: _m,
      resourceVersion: _r,
      uid: _u,
      creationTimestamp: _c,
      generation: _g,
      ...meta
    } = metadata ?? {};
    return { ...rest, metadata: meta };
  }

  async function handlePatch(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    r: ResourceRequest,
  ) {
    const contentType = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const accepted = [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/apply-patch+yaml',
    ];
    if (!r.info.custom) accepted.push('application/strategic-merge-patch+json');
    if (!accepted.includes(contentType)) throw unsupportedMediaType(accepted);
    const text = await readBody(req);
    const warnings: string[] = [];
    const opts = writeOptions(q, warnings);
    const key = `${r.storageGr.group}/${r.storageGr.resource}`;
    const apiVersion = apiVersionOf(r.info, r.version);
    const manager = q.get('fieldManager') ?? defaultManager(req);

    if (contentType === 'application/apply-patch+yaml') {
      if (!q.get('fieldManager')) {
        throw new StatusError(
          422,
          'Invalid',
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
          {
            group: 'meta.k8s.io',
            kind: 'PatchOptions',
            causes: [
              {
                reason: 'FieldValueRequired',
                message: 'Required value: is required for apply patch',
                field: 'fieldManager',
              },
            ],
          },
        );
      }
      let config: any;
      try {
        config = loadYaml(text);
      } catch (err) {
        throw badRequest(`error decoding YAML: ${(err as Error).message}`);
      }
      if (!config || typeof config !== 'object' || Array.isArray(config))
        throw badRequest(
          'the body of an apply patch must be a YAML or JSON object',
        );
      if (!config.apiVersion || !config.kind) {
        throw badRequest(
          `invalid object type: ${config.apiVersion ? '' : 'apiVersion'} ${
            config.kind ? '' : 'kind'
          } must be set`.replace(/\s+/g, ' '),
        );
      }
      checkBody(r, config);
      if (config.metadata.name && config.metadata.name !== r.name) {
        throw badRequest(
          `the name of the object (${config.metadata.name}) does not match the name on the URL (${r.name})`,
        );
      }
      config.metadata.name = r.name;
      const force = boolParam(q.get('force'));
      const existing = store.getEntry(r.storageGr, r.namespace, r.name!);
      if (r.subresource) {
        if (!existing) throw notFound(r.gr, r.name!);
      }
      if (!existing) {
        const obj = serverSideApply(
          undefined,
          toStorage(r.info, config),
          manager,
          force,
          apiVersion,
          key,
        );
        const created = store.create(r.storageGr, obj, opts);
        return sendObject(req, res, q, r, 201, created, warnings);
      }
      const base = view(r.info, r.version, existing.object);
      const merged = serverSideApply(
        base,
        config,
        manager,
        force,
        apiVersion,
        key,
      );
      const stored = toStorage(r.info, merged);
      const updated =
        r.subresource === 'status'
          ? store.updateStatus(r.storageGr, stored, opts)
          : store.update(r.storageGr, stored, opts);
      return sendObject(req, res, q, r, 200, updated, warnings);
    }

    let patch: any;
    try {
      patch = JSON.parse(text);
    } catch (err) {
      throw badRequest(`error decoding patch: ${(err as Error).message}`);
    }
    const existing = current(r);
    if (r.subresource === 'scale') {
      const scale = scaleOf(r, existing.object);
      const patched = applyPatchOfType(contentType, scale, patch, '');
      const updated = writeScale(r, existing.object, patched, opts);
      return respond(res, 200, scaleOf(r, updated), warnings);
    }
    const base = view(r.info, r.version, existing.object);
    const patched = applyPatchOfType(contentType, base, patch, key);
    if (!patched || typeof patched !== 'object' || Array.isArray(patched))
      throw badRequest('the patched object is not an object');
    patched.metadata ??= {};
    if (patched.metadata.name !== r.name)
      throw badRequest(
        `the name of the object (${patched.metadata.name}) does not match the name on the URL (${r.name})`,
      );
    if (r.info.namespaced && patched.metadata.namespace !== r.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const touched =
      contentType === 'application/json-patch+json'
        ? stripIdentity(patched)
        : patch;
    patched.metadata.managedFields = recordUpdate(
      existing.object,
      touched,
      manager,
      apiVersion,
      key,
      r.subresource,
    );
    const stored = toStorage(r.info, patched);
    let updated: KubeObject;
    if (r.subresource === 'status') {
      updated = store.updateStatus(r.storageGr, stored, opts);
    } else {
      updated = store.update(r.storageGr, stored, opts);
    }
    return sendObject(req, res, q, r, 200, updated, warnings);
  }

  function applyPatchOfType(
    contentType: string,
    base: any,
    patch: any,
    key: string,
  ) {
    switch (contentType) {
      case 'application/json-patch+json':
        return applyJsonPatch(base, patch);
      case 'application/merge-patch+json':
        if (!patch || typeof patch !== 'object' || Array.isArray(patch))
          throw badRequest(
            'json: cannot unmarshal array into Go value of type map[string]interface {}',
          );
        return applyMergePatch(base, patch);
      default:
        return applyStrategicMergePatch(base, patch, key);
    }
  }

  async function deleteOptions(req: IncomingMessage, q: URLSearchParams) {
    const text = await readBody(req);
    const body = text.trim() ? parseJsonBody(text) : {};
    const policy =
      body.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
    if (policy && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw badRequest(
        `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    const orphan =
      body.orphanDependents ??
      (q.get('orphanDependents')
        ? boolParam(q.get('orphanDependents'))
        : undefined);
    const dryRun = [...(body.dryRun ?? []), ...q.getAll('dryRun')];
    return {
      propagationPolicy: (policy ??
        (orphan === true ? 'Orphan' : undefined)) as
        | 'Background'
        | 'Foreground'
        | 'Orphan'
        | undefined,
      preconditions: body.preconditions,
      dryRun: dryRun.includes('All'),
    };
  }

  async function handleDelete(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    r: ResourceRequest,
  ) {
    const opts = await deleteOptions(req, q);
    const existing = current(r);
    const deleted = store.delete(r.storageGr, r.namespace, r.name!, opts);
    if (!deleted) throw notFound(r.gr, r.name!);
    const stillThere = store.getEntry(r.storageGr, r.namespace, r.name!);
    const key = `${r.storageGr.group}/${r.storageGr.resource}`;
    if (returnsDeletedObject.has(key) || stillThere || opts.dryRun)
      return respond(res, 200, view(r.info, r.version, deleted));
    return respond(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: r.name,
        group: r.group,
        kind: r.info.resource,
        uid: existing.object.metadata.uid,
      },
    });
  }

  async function handleDeleteCollection(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    r: ResourceRequest,
  ) {
    const opts = await deleteOptions(req, q);
    const page = store.listPage(r.storageGr, {
      namespace: r.namespace,
      labelSelector: parseLabelSelectorOrBadRequest(q.get('labelSelector')),
      fieldSelector: parseFieldSelector(
        q.get('fieldSelector'),
        store.info(r.storageGr),
      ),
    });
    const deleted: KubeObject[] = [];
    for (const entry of page.items) {
      const d = store.delete(
        r.storageGr,
        entry.object.metadata.namespace,
        entry.object.metadata.name,
        opts,
      );
      if (d) deleted.push(view(r.info, r.version, d));
    }
    respond(res, 200, {
      kind: r.info.listKind,
      apiVersion: apiVersionOf(r.info, r.version),
      metadata: { resourceVersion: store.resourceVersion() },
      items: deleted,
    });
  }

  return async function requestListener(
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    try {
      await handle(req, res);
    } catch (err) {
      if (err instanceof StatusError) {
        sendStatusError(res, err);
        return;
      }
      console.error('kube-emulator: request failed', req.method, req.url, err);
      sendStatusError(
        res,
        internalError((err as Error)?.message ?? String(err)),
      );
    }
  };
}
