import {
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTypeInvalid,
  type StatusCause,
} from './errors';
import { selectorFromObject } from './labelSelector';
import type { KubeObject } from './types';

const dns1123Subdomain =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const qualifiedName =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function validateName(resourceKey: string, name: string): StatusCause[] {
  if (resourceKey === '/services' || resourceKey === '/namespaces') {
    const label = resourceKey === '/services' ? dns1035Label : dns1123Label;
    if (!label.test(name) || name.length > 63) {
      const msg =
        resourceKey === '/services'
          ? `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`
          : `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
      return [fieldInvalid('metadata.name', name, msg)];
    }
    return [];
  }
  if (!dns1123Subdomain.test(name) || name.length > 253) {
    return [
      fieldInvalid(
        'metadata.name',
        name,
        `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ),
    ];
  }
  return [];
}

function validateLabels(labels: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (labels === undefined || labels === null) return causes;
  if (typeof labels !== 'object' || Array.isArray(labels))
    return [fieldTypeInvalid(path, labels, 'must be a map of strings')];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    if (!qualifiedName.test(k))
      causes.push(
        fieldInvalid(
          path,
          k,
          `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
        ),
      );
    if (typeof v !== 'string')
      causes.push(fieldTypeInvalid(`${path}.${k}`, v, 'must be a string'));
    else if (
      path.endsWith('labels') &&
      (!labelValue.test(v) || v.length > 63)
    ) {
      causes.push(
        fieldInvalid(
          path,
          v,
          `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        ),
      );
    }
  }
  return causes;
}

function validateContainers(containers: unknown, path: string): StatusCause[] {
  if (!Array.isArray(containers) || containers.length === 0)
    return [fieldRequired(path)];
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  containers.forEach((c: any, i) => {
    const p = `${path}[${i}]`;
    if (!c?.name) causes.push(fieldRequired(`${p}.name`));
    else if (names.has(c.name))
      causes.push({
        reason: 'FieldValueDuplicate',
        field: `${p}.name`,
        message: `Duplicate value: "${c.name}"`,
      });
    else names.add(c.name);
    if (!c?.image) causes.push(fieldRequired(`${p}.image`));
    for (const [j, port] of (Array.isArray(c?.ports)
      ? c.ports
      : []
    ).entries()) {
      const n = port?.containerPort;
      if (typeof n !== 'number' || n < 1 || n > 65535)
        causes.push(
          fieldInvalid(
            `${p}.ports[${j}].containerPort`,
            n,
            'must be between 1 and 65535, inclusive',
          ),
        );
    }
  });
  return causes;
}

function validateWorkload(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = obj.spec ?? {};
  if (typeof spec.replicas === 'number' && spec.replicas < 0)
    causes.push(
      fieldInvalid(
        'spec.replicas',
        spec.replicas,
        'must be greater than or equal to 0',
      ),
    );
  if (
    !spec.selector ||
    (!spec.selector.matchLabels && !spec.selector.matchExpressions)
  ) {
    causes.push(fieldRequired('spec.selector'));
  } else {
    const labels = spec.template?.metadata?.labels;
    let selects = false;
    try {
      const sel = selectorFromObject(spec.selector);
      selects = !sel.empty() && sel.matches(labels);
      if (sel.empty())
        causes.push(
          fieldInvalid(
            'spec.selector',
            spec.selector,
            'empty selector is invalid for deployment',
          ),
        );
    } catch (e) {
      causes.push(
        fieldInvalid(
          'spec.selector',
          spec.selector,
          String((e as Error).message),
        ),
      );
    }
    if (!selects) {
      causes.push(
        fieldInvalid(
          'spec.template.metadata.labels',
          labels ?? {},
          '`selector` does not match template `labels`',
        ),
      );
    }
  }
  causes.push(
    ...validateContainers(
      spec.template?.spec?.containers,
      'spec.template.spec.containers',
    ),
  );
  return causes;
}

function validateService(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = obj.spec ?? {};
  const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
  if (spec.type && !types.includes(spec.type))
    causes.push(fieldNotSupported('spec.type', spec.type, types));
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (
    ports.length === 0 &&
    spec.clusterIP !== 'None' &&
    spec.type !== 'ExternalName'
  )
    causes.push(fieldRequired('spec.ports'));
  ports.forEach((p: any, i: number) => {
    if (typeof p?.port !== 'number' || p.port < 1 || p.port > 65535)
      causes.push(
        fieldInvalid(
          `spec.ports[${i}].port`,
          p?.port,
          'must be between 1 and 65535, inclusive',
        ),
      );
    if (ports.length > 1 && !p?.name)
      causes.push(fieldRequired(`spec.ports[${i}].name`));
  });
  return causes;
}

/** Validation of built-in kinds and metadata; returns the causes of a 422 Invalid (empty = valid). */
export function validateObject(
  resourceKey: string,
  obj: KubeObject,
  previous?: KubeObject,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = obj.metadata?.name;
  if (!name)
    causes.push(
      fieldRequired('metadata.name', 'name or generateName is required'),
    );
  else causes.push(...validateName(resourceKey, name));
  causes.push(...validateLabels(obj.metadata?.labels, 'metadata.labels'));
  if (
    obj.metadata?.annotations !== undefined &&
    (typeof obj.metadata.annotations !== 'object' ||
      Array.isArray(obj.metadata.annotations))
  ) {
    causes.push(
      fieldTypeInvalid(
        'metadata.annotations',
        obj.metadata.annotations,
        'must be a map of strings',
      ),
    );
  }
  switch (resourceKey) {
    case 'apps/deployments':
    case 'apps/replicasets':
      causes.push(...validateWorkload(obj));
      if (
        previous &&
        JSON.stringify(previous.spec?.selector) !==
          JSON.stringify(obj.spec?.selector)
      ) {
        causes.push(
          fieldInvalid(
            'spec.selector',
            obj.spec?.selector,
            'field is immutable',
          ),
        );
      }
      break;
    case '/pods':
      causes.push(
        ...validateContainers(obj.spec?.containers, 'spec.containers'),
      );
      break;
    case '/services':
      causes.push(...validateService(obj));
      if (
        previous?.spec?.clusterIP &&
        obj.spec?.clusterIP &&
        previous.spec.clusterIP !== obj.spec.clusterIP
      ) {
        causes.push(
          fieldInvalid(
            'spec.clusterIPs[0]',
            obj.spec.clusterIP,
            'may not change once set',
          ),
        );
      }
      break;
    case 'apiextensions.k8s.io/customresourcedefinitions':
      causes.push(...validateCrd(obj));
      break;
    default:
      // Other resources: only the metadata rules above.
      break;
  }
  return causes;
}

function validateCrd(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = obj.spec ?? {};
  const names = spec.names ?? {};
  if (!spec.group) causes.push(fieldRequired('spec.group'));
  if (!names.plural) causes.push(fieldRequired('spec.names.plural'));
  if (!names.kind) causes.push(fieldRequired('spec.names.kind'));
  if (
    spec.group &&
    names.plural &&
    obj.metadata.name !== `${names.plural}.${spec.group}`
  ) {
    causes.push(
      fieldInvalid(
        'metadata.name',
        obj.metadata.name,
        `must be spec.names.plural+"."+spec.group`,
      ),
    );
  }
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0)
    causes.push(
      fieldRequired(
        'spec.versions',
        'must have exactly one version marked as storage version',
      ),
    );
  else if (versions.filter((v: any) => v.storage).length !== 1) {
    causes.push(
      fieldInvalid(
        'spec.versions',
        versions.map((v: any) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  if (spec.scope && !['Namespaced', 'Cluster'].includes(spec.scope))
    causes.push(
      fieldNotSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']),
    );
  return causes;
}

/** Result of checking an object against a CRD's openAPIV3Schema. */
export interface SchemaResult {
  causes: StatusCause[];
  /** Paths of fields the schema does not know (pruned; reported for fieldValidation=Strict/Warn). */
  unknownFields: string[];
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/**
 * Validates (and prunes unknown fields of) a custom resource against its structural schema, as the
 * apiextensions-apiserver does: types, required, enum, min/max, minLength/maxLength, pattern, items,
 * additionalProperties, `x-kubernetes-preserve-unknown-fields`.
 */
export function validateAgainstSchema(
  obj: KubeObject,
  schema: any,
): SchemaResult {
  const result: SchemaResult = { causes: [], unknownFields: [] };
  if (!schema || typeof schema !== 'object') return result;
  const root = { ...schema, properties: { ...(schema.properties ?? {}) } };
  // apiVersion, kind and metadata are validated by the server, not by the schema.
  delete root.properties.apiVersion;
  delete root.properties.kind;
  delete root.properties.metadata;
  for (const key of Object.keys(obj)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    walk(
      (obj as any)[key],
      root.properties[key],
      key,
      obj,
      key,
      result,
      root['x-kubernetes-preserve-unknown-fields'] === true,
    );
  }
  for (const req of (root.required ?? []) as string[]) {
    if ((obj as any)[req] === undefined) result.causes.push(fieldRequired(req));
  }
  return result;
}

function walk(
  value: any,
  schema: any,
  path: string,
  parent: any,
  key: string | number,
  result: SchemaResult,
  parentPreserves: boolean,
) {
  if (!schema) {
    if (!parentPreserves) {
      result.unknownFields.push(path);
      if (parent && typeof parent === 'object') delete parent[key];
    }
    return;
  }
  if (value === null) {
    if (!schema.nullable) {
      // Real apiservers drop null values of non-nullable fields.
      if (parent && typeof parent === 'object' && !Array.isArray(parent))
        delete parent[key];
    }
    return;
  }
  const actual = typeName(value);
  const expected = schema.type;
  if (schema['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string')
      result.causes.push(
        fieldTypeInvalid(path, value, 'must be an integer or a string'),
      );
    return;
  }
  if (expected) {
    const ok =
      expected === actual ||
      (expected === 'number' && (actual === 'integer' || actual === 'number'));
    if (!ok) {
      result.causes.push({
        reason: 'FieldValueTypeInvalid',
        field: path,
        message: `Invalid value: "${
          actual === 'integer' ? 'integer' : actual
        }": ${path} in body must be of type ${expected}: "${actual}"`,
      });
      return;
    }
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((e: unknown) => e === value)
  ) {
    result.causes.push(fieldNotSupported(path, value, schema.enum));
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) {
      result.causes.push(
        fieldInvalid(
          path,
          value,
          `${path} in body should be greater than or equal to ${schema.minimum}`,
        ),
      );
    }
    if (typeof schema.maximum === 'number' && value > schema.maximum) {
      result.causes.push(
        fieldInvalid(
          path,
          value,
          `${path} in body should be less than or equal to ${schema.maximum}`,
        ),
      );
    }
  }
  if (typeof value === 'string') {
    if (
      typeof schema.minLength === 'number' &&
      value.length < schema.minLength
    ) {
      result.causes.push(
        fieldInvalid(
          path,
          value,
          `${path} in body should be at least ${schema.minLength} chars long`,
        ),
      );
    }
    if (
      typeof schema.maxLength === 'number' &&
      value.length > schema.maxLength
    ) {
      result.causes.push({
        reason: 'FieldValueTooLong',
        field: path,
        message: `Too long: may not be more than ${schema.maxLength} bytes`,
      });
    }
    if (typeof schema.pattern === 'string') {
      try {
        if (!new RegExp(schema.pattern).test(value))
          result.causes.push(
            fieldInvalid(
              path,
              value,
              `${path} in body should match '${schema.pattern}'`,
            ),
          );
      } catch {
        /* an unsupported pattern is not the client's fault */
      }
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      result.causes.push(
        fieldInvalid(
          path,
          value.length,
          `${path} in body should have at least ${schema.minItems} items`,
        ),
      );
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      result.causes.push({
        reason: 'FieldValueTooMany',
        field: path,
        message: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
      });
    }
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    for (let i = value.length - 1; i >= 0; i--) {
      if (schema.items)
        walk(
          value[i],
          schema.items,
          `${path}[${i}]`,
          value,
          i,
          result,
          preserve,
        );
    }
    return;
  }
  if (actual === 'object') {
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    for (const req of (schema.required ?? []) as string[]) {
      if (value[req] === undefined)
        result.causes.push(fieldRequired(`${path}.${req}`));
    }
    for (const k of Object.keys(value)) {
      const child =
        schema.properties?.[k] ??
        (typeof schema.additionalProperties === 'object'
          ? schema.additionalProperties
          : undefined);
      const allowAny =
        preserve ||
        schema.additionalProperties === true ||
        (!schema.properties && !schema.additionalProperties && !expected);
      walk(value[k], child, `${path}.${k}`, value, k, result, allowAny);
    }
  }
}
