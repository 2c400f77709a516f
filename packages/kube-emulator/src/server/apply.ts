/**
 * Field ownership (metadata.managedFields, FieldsV1) and server-side apply
 * (`application/apply-patch+yaml`): create-or-merge, conflicts with other managers unless `force`,
 * and removal of fields the same manager applied before but no longer applies.
 */
import { isDeepStrictEqual } from 'node:util';
import { StatusError } from '../store/errors';
import { rfc3339 } from '../store/memoryStore';
import type { KubeObject } from '../store/types';
import { applyStrategicMergePatch, mergeKeyFor } from './patch';

type Fields = Record<string, any>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Fields;
  subresource?: string;
}

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const skippedMetadata = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'generateName',
]);

/** The FieldsV1 set of the fields present in `value` (as the API server records them). */
export function fieldsOf(
  value: any,
  resourceKey: string,
  path: string[] = [],
): Fields {
  const out: Fields = {};
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (
        path.length === 0 &&
        (k === 'apiVersion' || k === 'kind' || k === 'status')
      )
        continue;
      if (path.length === 1 && path[0] === 'metadata' && skippedMetadata.has(k))
        continue;
      const fields = fieldsOf(v, resourceKey, [...path, k]);
      // metadata with nothing but the name is no field of anyone's (else every applier owns it)
      if (path.length === 0 && k === 'metadata' && !Object.keys(fields).length)
        continue;
      out[`f:${k}`] = fields;
    }
    return out;
  }
  if (Array.isArray(value)) {
    const mk = mergeKeyFor(path, resourceKey);
    if (mk === 'primitive') {
      for (const v of value) out[`v:${JSON.stringify(v)}`] = {};
      return out;
    }
    if (mk) {
      for (const el of value) {
        if (!isObject(el) || el[mk] === undefined) continue;
        out[`k:${JSON.stringify({ [mk]: el[mk] })}`] = {
          '.': {},
          ...fieldsOf(el, resourceKey, path),
        };
      }
      return out;
    }
  }
  return out;
}

/** Leaf paths of a FieldsV1 set (a list element's `.` counts as a leaf of its key). */
function leaves(fields: Fields, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k === '.') continue;
    const p = [...prefix, k];
    const children = Object.keys(v ?? {}).filter(c => c !== '.');
    if (children.length === 0) out.push(p);
    else out.push(...leaves(v, p));
  }
  return out;
}

function has(fields: Fields, path: string[]): boolean {
  let cur: any = fields;
  for (const seg of path) {
    if (!isObject(cur) || !(seg in cur)) return false;
    cur = cur[seg];
  }
  return true;
}

function remove(fields: Fields, path: string[]): void {
  const stack: any[] = [fields];
  let cur: any = fields;
  for (const seg of path.slice(0, -1)) {
    if (!isObject(cur?.[seg])) return;
    cur = cur[seg];
    stack.push(cur);
  }
  delete cur[path[path.length - 1]];
  // prune emptied parents
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = stack[i];
    const child = parent[path[i]];
    if (
      isObject(child) &&
      Object.keys(child).filter(k => k !== '.').length === 0 &&
      !path[i].startsWith('k:')
    )
      delete parent[path[i]];
  }
}

/** Resolves a FieldsV1 path in an object: returns [container, key] of the addressed value. */
function resolve(
  obj: any,
  path: string[],
): { found: boolean; value?: any; container?: any; key?: string | number } {
  let container: any;
  let key: string | number | undefined;
  let cur = obj;
  for (const seg of path) {
    container = cur;
    if (seg.startsWith('f:')) {
      key = seg.slice(2);
      if (!isObject(cur) || !(key in cur)) return { found: false };
      cur = cur[key];
    } else if (seg.startsWith('k:')) {
      const match = JSON.parse(seg.slice(2));
      if (!Array.isArray(cur)) return { found: false };
      const idx = cur.findIndex(
        el =>
          isObject(el) &&
          Object.entries(match).every(
            ([mk, mv]) => JSON.stringify(el[mk]) === JSON.stringify(mv),
          ),
      );
      if (idx < 0) return { found: false };
      key = idx;
      cur = cur[idx];
    } else if (seg.startsWith('v:')) {
      const v = JSON.parse(seg.slice(2));
      if (!Array.isArray(cur)) return { found: false };
      const idx = cur.findIndex(el => JSON.stringify(el) === JSON.stringify(v));
      if (idx < 0) return { found: false };
      key = idx;
      cur = cur[idx];
    } else return { found: false };
  }
  return { found: true, value: cur, container, key };
}

function pathString(path: string[]): string {
  return path
    .map(seg => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      if (seg.startsWith('k:')) {
        const m = JSON.parse(seg.slice(2));
        return `[${Object.entries(m)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      return `[=${seg.slice(2)}]`;
    })
    .join('');
}

function merge(a: Fields, b: Fields): Fields {
  const out: Fields = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] = isObject(out[k]) && isObject(v) ? merge(out[k], v) : v;
  return out;
}

function entries(obj: KubeObject | undefined): ManagedFieldsEntry[] {
  return Array.isArray(obj?.metadata?.managedFields)
    ? (structuredClone(obj!.metadata.managedFields) as ManagedFieldsEntry[])
    : [];
}

/**
 * Records an Update operation by `manager` touching the fields of `touched` (the request body).
 * Returns the new managedFields list for `next`.
 */
export function recordUpdate(
  previous: KubeObject | undefined,
  touched: unknown,
  manager: string,
  apiVersion: string,
  resourceKey: string,
  subresource?: string,
): ManagedFieldsEntry[] {
  const list = entries(previous);
  const fields = fieldsOf(touched, resourceKey);
  if (!Object.keys(fields).length) return list;
  const changed = leaves(fields);
  // Fields written by this update now belong to this manager only.
  for (const e of list) {
    if (e.manager === manager && e.operation === 'Update') continue;
    for (const p of changed) if (has(e.fieldsV1, p)) remove(e.fieldsV1, p);
  }
  const kept = list.filter(
    e =>
      e.operation === 'Apply' ||
      Object.keys(e.fieldsV1 ?? {}).length > 0 ||
      e.manager === manager,
  );
  const mine = kept.find(
    e =>
      e.manager === manager &&
      e.operation === 'Update' &&
      (e.subresource ?? '') === (subresource ?? ''),
  );
  if (mine) {
    mine.fieldsV1 = merge(mine.fieldsV1 ?? {}, fields);
    mine.time = rfc3339();
    mine.apiVersion = apiVersion;
  } else {
    kept.push({
      manager,
      operation: 'Update',
      apiVersion,
      time: rfc3339(),
      fieldsType: 'FieldsV1',
      fieldsV1: fields,
      ...(subresource ? { subresource } : {}),
    });
  }
  return kept.filter(e => Object.keys(e.fieldsV1 ?? {}).length > 0);
}

/** kube-apiserver's identity of a manager: one per name for Apply, per name and apiVersion for Update. */
function managerIdentity(e: ManagedFieldsEntry): string {
  return JSON.stringify({
    manager: e.manager,
    operation: e.operation,
    ...(e.operation === 'Update' ? { apiVersion: e.apiVersion } : {}),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  });
}

/** How kube-apiserver names a manager in a conflict (printManager of its fieldmanager). */
function describeManager(e: ManagedFieldsEntry): string {
  const name = `${JSON.stringify(e.manager)}${
    e.subresource ? ` with subresource ${JSON.stringify(e.subresource)}` : ''
  }`;
  return e.operation === 'Update' ? `${name} using ${e.apiVersion}` : name;
}

/** The 409 of an apply that would change fields other managers own, worded as kube-apiserver's. */
function applyConflict(
  conflicts: { entry: ManagedFieldsEntry; paths: string[][] }[],
): StatusError {
  const total = conflicts.reduce((n, c) => n + c.paths.length, 0);
  const causes = conflicts.flatMap(({ entry, paths }) =>
    paths.map(p => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${describeManager(entry)}`,
      field: pathString(p),
    })),
  );
  const message =
    total === 1
      ? `Apply failed with 1 conflict: ${causes[0].message}: ${causes[0].field}`
      : `Apply failed with ${total} conflicts: ${conflicts
          .map(
            ({ entry, paths }) =>
              `conflicts with ${describeManager(entry)}:\n${paths
                .map(p => `- ${pathString(p)}`)
                .join('\n')}`,
          )
          .join('\n')}`;
  return new StatusError(409, 'Conflict', message, { causes });
}

const withoutManagedFields = (obj: KubeObject) => {
  const { managedFields: _, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata };
};

/**
 * Server-side apply of `config` by `manager` onto `current` (undefined = create).
 * Returns the object to store (with managedFields) or throws 409 Conflict naming the fields.
 * Applying what is already there returns a copy deep-equal to `current` (the apply keeps its time):
 * the store's update finds nothing changed and writes nothing (no new resourceVersion, no event).
 */
export function serverSideApply(
  current: KubeObject | undefined,
  config: KubeObject,
  manager: string,
  force: boolean,
  apiVersion: string,
  resourceKey: string,
): KubeObject {
  const newFields = fieldsOf(config, resourceKey);
  const now = rfc3339();
  if (!current) {
    const created = structuredClone(config);
    created.metadata = {
      ...(created.metadata ?? {}),
      managedFields: [
        {
          manager,
          operation: 'Apply',
          apiVersion,
          time: now,
          fieldsType: 'FieldsV1',
          fieldsV1: newFields,
        },
      ],
    } as KubeObject['metadata'];
    return created;
  }
  const list = entries(current);
  const isApplier = (e: ManagedFieldsEntry) =>
    e.manager === manager && e.operation === 'Apply';
  const newLeaves = leaves(newFields);
  // A field another manager owns conflicts when this apply changes its value; applying the same
  // value makes the field shared.
  const changes = (p: string[]) => {
    const theirs = resolve(current, p);
    if (!theirs.found) return false;
    const mine = resolve(config, p);
    return !mine.found || !isDeepStrictEqual(mine.value, theirs.value);
  };
  const conflicts = list
    .filter(e => !isApplier(e))
    .map(entry => ({
      entry,
      paths: newLeaves.filter(p => has(entry.fieldsV1 ?? {}, p) && changes(p)),
    }))
    .filter(c => c.paths.length > 0)
    .sort((a, b) =>
      managerIdentity(a.entry) < managerIdentity(b.entry) ? -1 : 1,
    );
  if (conflicts.length && !force) throw applyConflict(conflicts);
  // force: the conflicting fields change hands.
  for (const { entry, paths } of conflicts)
    for (const p of paths) remove(entry.fieldsV1, p);
  const { metadata: configMeta, ...configRest } = structuredClone(
    config,
  ) as any;
  const patch = { ...configRest, metadata: { ...(configMeta ?? {}) } };
  delete patch.status;
  delete patch.metadata.managedFields;
  const merged = applyStrategicMergePatch(
    current,
    patch,
    resourceKey,
  ) as KubeObject;
  const previousApply = list.find(isApplier);
  if (previousApply) {
    // What this manager applied before and no longer does goes, unless someone else owns it too.
    for (const p of leaves(previousApply.fieldsV1 ?? {})) {
      if (has(newFields, p)) continue;
      if (list.some(e => !isApplier(e) && has(e.fieldsV1 ?? {}, p))) continue;
      const r = resolve(merged, p);
      if (!r.found) continue;
      if (Array.isArray(r.container)) r.container.splice(r.key as number, 1);
      else delete r.container[r.key as string];
    }
  }
  const unchanged = isDeepStrictEqual(
    withoutManagedFields(merged),
    withoutManagedFields(current),
  );
  const applied: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    // As kube-apiserver: the time of an apply that changed nothing stays.
    time: unchanged && previousApply ? previousApply.time : now,
    fieldsType: 'FieldsV1',
    fieldsV1: newFields,
  };
  const managedFields = list
    .map(e => (isApplier(e) ? applied : e))
    .filter(e => Object.keys(e.fieldsV1 ?? {}).length > 0);
  if (!previousApply) managedFields.push(applied);
  return { ...merged, metadata: { ...merged.metadata, managedFields } };
}
