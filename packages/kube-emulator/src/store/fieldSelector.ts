import { badRequest } from './errors';
import type { KubeObject } from './types';

/** One `field=value` / `field!=value` term of a field selector. @public */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** @public */
export interface FieldSelector {
  requirements: FieldRequirement[];
  matches(obj: KubeObject): boolean;
  /** The metadata.name the selector pins, if any (lets list/watch go straight to one object). */
  name?: string;
  namespace?: string;
}

function splitTerms(input: string): string[] {
  // Terms are comma-separated; a backslash escapes `,`, `=`, `!` and `\` inside values.
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '\\' && i + 1 < input.length) {
      current += c + input[i + 1];
      i++;
    } else if (c === ',') {
      terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  terms.push(current);
  return terms.filter(t => t.trim() !== '');
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Reads a dotted field path (`involvedObject.name`) from an object as a string ('' when absent). @public */
export function fieldValue(obj: KubeObject, path: string): string {
  let cur: any = obj;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined) return '';
    cur = cur[part];
  }
  if (cur === null || cur === undefined) return '';
  return String(cur);
}

/** What a resource can be selected by: the parts of ResourceInfo the parser reads. @public */
export interface FieldSelectorScope {
  /** Fields usable besides metadata.name and metadata.namespace. */
  selectableFields: string[];
  /** Selectable fields not read at their own path (what the kind's ToSelectableFields computes). */
  selectableFieldValues?: Record<string, (obj: KubeObject) => string>;
  /** A refused field worded as the kind's own field label conversion does, if not the usual way. */
  fieldLabelRefusal?: (field: string) => string;
  custom: boolean;
  namespaced: boolean;
}

const metadataOnly: FieldSelectorScope = {
  selectableFields: [],
  custom: false,
  namespaced: true,
};

/**
 * Why kube-apiserver refuses `field`, or undefined when the resource can be selected by it. Kinds
 * that register their own field label conversion (the built-ins with selectable fields, and custom
 * resources) accept metadata.namespace only when namespaced; most of them (core/v1, events.k8s.io/v1,
 * custom resources) refuse with `field label not supported: <field>`, and a kind whose conversion
 * words it otherwise sets fieldLabelRefusal. The other kinds fall back to apimachinery's
 * DefaultMetaV1FieldSelectorConversion.
 */
function refusal(field: string, scope: FieldSelectorScope): string | undefined {
  const ownConversion = scope.custom || scope.selectableFields.length > 0;
  if (
    field === 'metadata.name' ||
    (field === 'metadata.namespace' && (scope.namespaced || !ownConversion)) ||
    scope.selectableFields.includes(field)
  )
    return undefined;
  if (!ownConversion)
    return `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
  return (
    scope.fieldLabelRefusal?.(field) ?? `field label not supported: ${field}`
  );
}

/**
 * Parses a field selector (`metadata.name=web,involvedObject.kind=Service`) for a resource. A field
 * the resource cannot be selected by is a 400 BadRequest worded as by the API server.
 * @public
 */
export function parseFieldSelector(
  input: string | undefined | null,
  scope: FieldSelectorScope = metadataOnly,
): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(input ?? '')) {
    const m = /^(.*?)(==|!=|=)(.*)$/s.exec(term);
    if (!m)
      throw badRequest(
        `invalid selector: '${input}'; can't understand '${term}'`,
      );
    const field = m[1].trim();
    const refused = refusal(field, scope);
    if (refused) throw badRequest(refused);
    requirements.push({
      field,
      operator: m[2] === '!=' ? '!=' : '=',
      value: unescape(m[3].trim()),
    });
  }
  const pinned = (field: string) =>
    requirements.find(r => r.field === field && r.operator === '=')?.value;
  return {
    requirements,
    matches: obj =>
      requirements.every(r => {
        const actual =
          scope.selectableFieldValues?.[r.field]?.(obj) ??
          fieldValue(obj, r.field);
        return r.operator === '=' ? actual === r.value : actual !== r.value;
      }),
    name: pinned('metadata.name'),
    namespace: pinned('metadata.namespace'),
  };
}
