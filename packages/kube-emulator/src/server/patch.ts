/**
 * Where a PATCH is merged: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes
 * strategic merge patch with the list merge keys of the built-in types.
 */
import { StatusError, badRequest } from '../store/errors';

type Json = any;

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch: objects merge, everything else (arrays too) replaces, null deletes. @public */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function invalidPatch(message: string): StatusError {
  return new StatusError(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    {
      causes: [{ reason: 'UnexpectedServerResponse', message }],
    },
  );
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw invalidPatch(`JSON pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolveParent(
  doc: Json,
  parts: string[],
  op: string,
  path: string,
): { parent: Json; key: string } {
  let cur = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObject(cur)) cur = cur[part];
    else cur = undefined;
    if (cur === undefined || cur === null)
      throw invalidPatch(
        `${op} operation does not apply: doc is missing path: "${path}": missing value`,
      );
  }
  return { parent: cur, key: parts[parts.length - 1] };
}

function getAt(doc: Json, path: string, op: string): Json {
  const parts = parsePointer(path);
  if (parts.length === 0) return doc;
  const { parent, key } = resolveParent(doc, parts, op, path);
  let value: Json | undefined;
  if (Array.isArray(parent)) value = parent[Number(key)];
  else if (isObject(parent)) value = parent[key];
  if (value === undefined)
    throw invalidPatch(
      `${op} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  return value;
}

function removeAt(doc: Json, path: string, op: string): Json {
  const parts = parsePointer(path);
  const { parent, key } = resolveParent(doc, parts, op, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length)
      throw invalidPatch(
        `${op} operation does not apply: doc is missing path: "${path}": missing value`,
      );
    return parent.splice(i, 1)[0];
  }
  if (!isObject(parent) || !(key in parent))
    throw invalidPatch(
      `${op} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  const old = parent[key];
  delete parent[key];
  return old;
}

function addAt(
  doc: Json,
  path: string,
  value: Json,
  op: string,
  replace: boolean,
): Json {
  const parts = parsePointer(path);
  if (parts.length === 0) return value;
  const { parent, key } = resolveParent(doc, parts, op, path);
  if (Array.isArray(parent)) {
    if (key === '-' && !replace) parent.push(value);
    else {
      const i = Number(key);
      const max = replace ? parent.length - 1 : parent.length;
      if (!Number.isInteger(i) || i < 0 || i > max)
        throw invalidPatch(
          `${op} operation does not apply: doc is missing path: "${path}": missing value`,
        );
      if (replace) parent[i] = value;
      else parent.splice(i, 0, value);
    }
  } else if (isObject(parent)) {
    if (replace && !(key in parent))
      throw invalidPatch(
        `replace operation does not apply: doc is missing key: ${path}: missing value`,
      );
    parent[key] = value;
  } else {
    throw invalidPatch(
      `${op} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  }
  return doc;
}

function deepEqual(a: Json, b: Json): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
function canonical(v: Json): Json {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map(k => [k, canonical(v[k])]),
    );
  return v;
}

/** RFC 6902 JSON patch. A body that is not an array of operations is a 400 BadRequest, as from the API server. @public */
export function applyJsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch)) {
    throw badRequest(
      `json: cannot unmarshal ${
        isObject(patch) ? 'object' : typeof patch
      } into Go value of type jsonpatch.Patch`,
    );
  }
  let doc = structuredClone(target);
  for (const operation of patch) {
    if (!isObject(operation))
      throw badRequest(
        'json: cannot unmarshal array into Go value of type jsonpatch.Operation',
      );
    const { op, path, from } = operation as {
      op?: string;
      path?: string;
      from?: string;
    };
    if (typeof path !== 'string')
      throw invalidPatch(`${op ?? 'unknown'} operation missing path`);
    switch (op) {
      case 'add':
        if (!('value' in operation))
          throw invalidPatch('add operation missing value');
        doc = addAt(doc, path, structuredClone(operation.value), 'add', false);
        break;
      case 'remove':
        removeAt(doc, path, 'remove');
        break;
      case 'replace':
        if (!('value' in operation))
          throw invalidPatch('replace operation missing value');
        if (path === '') doc = structuredClone(operation.value);
        else
          addAt(doc, path, structuredClone(operation.value), 'replace', true);
        break;
      case 'move': {
        if (typeof from !== 'string')
          throw invalidPatch('move operation missing from');
        const value = removeAt(doc, from, 'move');
        doc = addAt(doc, path, value, 'move', false);
        break;
      }
      case 'copy': {
        if (typeof from !== 'string')
          throw invalidPatch('copy operation missing from');
        doc = addAt(
          doc,
          path,
          structuredClone(getAt(doc, from, 'copy')),
          'copy',
          false,
        );
        break;
      }
      case 'test': {
        let actual: Json;
        try {
          actual = getAt(doc, path, 'test');
        } catch {
          actual = undefined;
        }
        if (
          actual === undefined
            ? operation.value !== null && operation.value !== undefined
            : !deepEqual(actual, operation.value)
        ) {
          throw invalidPatch(`testing value ${path} failed: test failed`);
        }
        break;
      }
      default:
        throw invalidPatch(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

/** Merge keys of lists by field name (and parent field for `ports`), from the k8s.io/api struct tags. */
export function mergeKeyFor(
  path: string[],
  resourceKey: string,
): string | 'primitive' | undefined {
  const field = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'imagePullSecrets':
    case 'volumes':
    case 'env':
    case 'resourceClaims':
    case 'schedulingGates':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'ownerReferences':
      return 'uid';
    case 'conditions':
      return 'type';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'finalizers':
      return parent === 'metadata' ? 'primitive' : undefined;
    case 'ports':
      if (
        parent === 'containers' ||
        parent === 'initContainers' ||
        parent === 'ephemeralContainers'
      )
        return 'containerPort';
      if (resourceKey === '/services' && path.length === 2 && parent === 'spec')
        return 'port';
      return undefined;
    default:
      return undefined;
  }
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value))
    return value
      .filter(v => !(isObject(v) && v.$patch === 'delete'))
      .map(stripDirectives);
  if (!isObject(value)) return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) continue;
    if (v === null) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

function mergeMap(
  original: Json,
  patch: Record<string, Json>,
  path: string[],
  resourceKey: string,
): Json {
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, Json> = isObject(original)
    ? { ...original }
    : {};
  const orders: Record<string, Json[]> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) {
      orders[key.slice('$setElementOrder/'.length)] = value;
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const list = key.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(result[list]) && Array.isArray(value))
        result[list] = result[list].filter((x: Json) => !value.includes(x));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const childPath = [...path, key];
    if (Array.isArray(value)) {
      const mergeKey = mergeKeyFor(childPath, resourceKey);
      if (mergeKey === 'primitive') {
        const base = Array.isArray(result[key]) ? result[key] : [];
        result[key] = [
          ...base,
          ...value.filter((v: Json) => !base.includes(v)),
        ];
      } else if (mergeKey) {
        result[key] = mergeList(
          Array.isArray(result[key]) ? result[key] : [],
          value,
          mergeKey,
          childPath,
          resourceKey,
        );
      } else {
        result[key] = stripDirectives(value);
      }
    } else if (isObject(value)) {
      const merged = mergeMap(
        isObject(result[key]) ? result[key] : undefined,
        value,
        childPath,
        resourceKey,
      );
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = value;
    }
  }
  for (const [list, order] of Object.entries(orders)) {
    if (!Array.isArray(result[list]) || !Array.isArray(order)) continue;
    const mergeKey = mergeKeyFor([...path, list], resourceKey);
    const keyOf = (v: Json) =>
      mergeKey && mergeKey !== 'primitive' && isObject(v) ? v[mergeKey] : v;
    const orderKeys = order.map(keyOf);
    const rank = (v: Json) => {
      const i = orderKeys.findIndex(k => deepEqual(k, keyOf(v)));
      return i < 0 ? orderKeys.length : i;
    };
    result[list] = [...result[list]]
      .map((v, i) => ({ v, i }))
      .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
      .map(x => x.v);
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(result))
      if (!patch.$retainKeys.includes(k)) delete result[k];
  }
  return result;
}

function mergeList(
  original: Json[],
  patch: Json[],
  mergeKey: string,
  path: string[],
  resourceKey: string,
): Json[] {
  if (patch.some(p => isObject(p) && p.$patch === 'replace')) {
    return stripDirectives(
      patch.filter(p => !(isObject(p) && p.$patch === 'replace')),
    );
  }
  const result = [...original];
  for (const item of patch) {
    if (!isObject(item)) {
      if (!result.includes(item)) result.push(item);
      continue;
    }
    const idx = result.findIndex(
      o => isObject(o) && deepEqual(o[mergeKey], item[mergeKey]),
    );
    if (item.$patch === 'delete') {
      if (idx >= 0) result.splice(idx, 1);
      continue;
    }
    if (idx >= 0) result[idx] = mergeMap(result[idx], item, path, resourceKey);
    else result.push(mergeMap(undefined, item, path, resourceKey));
  }
  return result;
}

/**
 * Kubernetes strategic merge patch for built-in kinds: lists with a patchMergeKey merge by that key
 * (containers by name, container ports by containerPort, service ports by port, env by name, ...),
 * directives `$patch: replace|delete|merge`, `$setElementOrder`, `$deleteFromPrimitiveList`, `$retainKeys`.
 * `resourceKey` is `group/resource` (e.g. `/services`, `apps/deployments`).
 * @public
 */
export function applyStrategicMergePatch(
  target: Json,
  patch: Json,
  resourceKey: string,
): Json {
  if (!isObject(patch))
    throw badRequest(
      'unable to find api field in struct Unstructured for the json field "patch"',
    );
  return mergeMap(structuredClone(target), patch, [], resourceKey) ?? {};
}
