/**
 * The subset of Kubernetes JSONPath used by printer columns: `.a.b`, `['a.b']`, `[0]`, `[*]`,
 * `..` is not supported; filters `[?(@.type=="Ready")]` with == and != on strings/numbers.
 */

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

function parse(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      let j = i;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
      if (j > i) steps.push({ kind: 'field', name: s.slice(i, j) });
      i = j;
    } else if (c === '[') {
      const end = findClose(s, i);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner))
        steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner))
        steps.push({
          kind: 'field',
          name: inner.slice(1, -1).replace(/\\\./g, '.'),
        });
      else {
        const m = /^\?\(@((?:\.[^.=!\s]+)+)\s*(==|!=)\s*(.+)\)$/.exec(inner);
        if (!m) throw new Error(`unsupported JSONPath: ${expr}`);
        let value: unknown = m[3].trim();
        if (/^".*"$|^'.*'$/.test(value as string))
          value = (value as string).slice(1, -1);
        else if (!Number.isNaN(Number(value))) value = Number(value);
        steps.push({
          kind: 'filter',
          path: m[1].slice(1).split('.'),
          op: m[2] as '==' | '!=',
          value,
        });
      }
    } else {
      let j = i;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
      steps.push({ kind: 'field', name: s.slice(i, j) });
      i = j;
    }
  }
  return steps;
}

function findClose(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return i;
    }
  }
  throw new Error(`unterminated [ in JSONPath: ${s}`);
}

const cache = new Map<string, Step[]>();

/** Evaluates a JSONPath against a value; returns every match. @public */
export function evaluateJsonPath(expr: string, value: unknown): unknown[] {
  let steps = cache.get(expr);
  if (!steps) {
    steps = parse(expr);
    cache.set(expr, steps);
  }
  let current: unknown[] = [value];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || v === undefined) continue;
      switch (step.kind) {
        case 'field':
          if (
            typeof v === 'object' &&
            !Array.isArray(v) &&
            (v as any)[step.name] !== undefined
          )
            next.push((v as any)[step.name]);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const item = v[step.index < 0 ? v.length + step.index : step.index];
            if (item !== undefined) next.push(item);
          }
          break;
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          else if (typeof v === 'object')
            next.push(...Object.values(v as object));
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const item of v) {
              let x: any = item;
              for (const p of step.path) x = x?.[p];
              if ((x === step.value) === (step.op === '==')) next.push(item);
            }
          }
          break;
        default:
          throw new Error(`unknown JSONPath step ${(step as Step).kind}`);
      }
    }
    current = next;
  }
  return current;
}
