import { badRequest } from './errors';

/** @public */
export type SelectorOperator =
  | '='
  | '=='
  | '!='
  | 'in'
  | 'notin'
  | 'exists'
  | '!';

/** One requirement of a label selector (`app=web`, `version in (a,b)`, `!canary`). @public */
export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** A parsed label selector: every requirement must match. Empty = everything. @public */
export interface LabelSelector {
  requirements: Requirement[];
  matches(labels: Record<string, string> | undefined): boolean;
  /** Whether the selector has no requirements (selects everything). */
  empty(): boolean;
  toString(): string;
}

/** The LabelSelector object form of specs (`matchLabels` + `matchExpressions`). @public */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

/** Thrown (as 400 BadRequest when it reaches the HTTP layer) for bad selector syntax. @public */
export class SelectorParseError extends Error {}

const keyPattern =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function requirementMatches(
  req: Requirement,
  labels: Record<string, string> | undefined,
): boolean {
  const has =
    labels !== undefined &&
    Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels![req.key] : undefined;
  switch (req.operator) {
    case '=':
    case '==':
    case 'in':
      return has && req.values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !req.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    default:
      throw new SelectorParseError(
        `unknown label selector operator ${(req as Requirement).operator}`,
      );
  }
}

function requirementString(req: Requirement): string {
  switch (req.operator) {
    case 'exists':
      return req.key;
    case '!':
      return `!${req.key}`;
    case 'in':
    case 'notin':
      return `${req.key} ${req.operator} (${req.values.join(',')})`;
    default:
      return `${req.key}${req.operator}${req.values[0]}`;
  }
}

function makeSelector(requirements: Requirement[]): LabelSelector {
  return {
    requirements,
    matches: labels => requirements.every(r => requirementMatches(r, labels)),
    empty: () => requirements.length === 0,
    toString: () => requirements.map(requirementString).join(','),
  };
}

type Token = {
  kind: 'id' | 'op' | 'lparen' | 'rparen' | 'comma' | 'not' | 'end';
  text: string;
};

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const idChar = /[^\s,()=!]/;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      tokens.push({ kind: 'lparen', text: c });
      i++;
    } else if (c === ')') {
      tokens.push({ kind: 'rparen', text: c });
      i++;
    } else if (c === ',') {
      tokens.push({ kind: 'comma', text: c });
      i++;
    } else if (c === '=' && input[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '==' });
      i += 2;
    } else if (c === '=') {
      tokens.push({ kind: 'op', text: '=' });
      i++;
    } else if (c === '!' && input[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if (c === '!') {
      tokens.push({ kind: 'not', text: '!' });
      i++;
    } else {
      let j = i;
      while (j < input.length && idChar.test(input[j])) j++;
      tokens.push({ kind: 'id', text: input.slice(i, j) });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function fail(message: string): never {
  throw new SelectorParseError(`unable to parse requirement: ${message}`);
}

function checkKey(key: string) {
  const name = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key;
  if (!keyPattern.test(key) || name.length > 63) {
    fail(
      `invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

function checkValue(value: string) {
  if (value.length > 63 || !valuePattern.test(value)) {
    fail(
      `invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

/**
 * Parses a label selector string as the API server does (`app=web,version in (blue,green),!canary`).
 * Throws SelectorParseError for bad syntax.
 * @public
 */
export function parseLabelSelector(
  input: string | undefined | null,
): LabelSelector {
  if (!input || !input.trim()) return makeSelector([]);
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const requirements: Requirement[] = [];
  for (;;) {
    let tok = next();
    if (tok.kind === 'not') {
      const key = next();
      if (key.kind !== 'id')
        fail(`found '${key.text}', expected: identifier after '!'`);
      checkKey(key.text);
      requirements.push({ key: key.text, operator: '!', values: [] });
    } else if (tok.kind === 'id') {
      const key = tok.text;
      checkKey(key);
      const op = peek();
      if (op.kind === 'comma' || op.kind === 'end') {
        requirements.push({ key, operator: 'exists', values: [] });
      } else if (op.kind === 'op') {
        next();
        const value = peek();
        let text = '';
        if (value.kind === 'id') {
          text = value.text;
          next();
        } else if (value.kind !== 'comma' && value.kind !== 'end') {
          fail(`found '${value.text}', expected: identifier`);
        }
        checkValue(text);
        requirements.push({
          key,
          operator: op.text as SelectorOperator,
          values: [text],
        });
      } else if (
        op.kind === 'id' &&
        (op.text === 'in' || op.text === 'notin')
      ) {
        next();
        const open = next();
        if (open.kind !== 'lparen') fail(`found '${open.text}', expected: '('`);
        const values: string[] = [];
        for (;;) {
          tok = peek();
          if (tok.kind === 'id') {
            checkValue(tok.text);
            values.push(tok.text);
            next();
            tok = next();
            if (tok.kind === 'rparen') break;
            if (tok.kind !== 'comma')
              fail(`found '${tok.text || 'EOF'}', expected: ',' or ')'`);
          } else if (tok.kind === 'rparen') {
            next();
            break;
          } else if (tok.kind === 'comma') {
            // an empty value inside the set, e.g. `in (a,,b)`
            values.push('');
            next();
          } else {
            fail(
              `found '${tok.text || 'EOF'}', expected: ',', ')' or identifier`,
            );
          }
        }
        requirements.push({
          key,
          operator: op.text as 'in' | 'notin',
          values: [...new Set(values)].sort(),
        });
      } else {
        fail(
          `found '${
            op.text || 'EOF'
          }', expected: in, notin, =, ==, !=, ',' or end of string`,
        );
      }
    } else {
      fail(
        `found '${
          tok.text || 'EOF'
        }', expected: !, identifier, or 'end of string'`,
      );
    }
    const sep = next();
    if (sep.kind === 'end') break;
    if (sep.kind !== 'comma')
      fail(`found '${sep.text}', expected: ',' or 'end of string'`);
  }
  return makeSelector(requirements);
}

/** Parses a selector, turning a syntax error into the 400 BadRequest Status the API server returns. @public */
export function parseLabelSelectorOrBadRequest(
  input: string | undefined | null,
): LabelSelector {
  try {
    return parseLabelSelector(input);
  } catch (err) {
    if (err instanceof SelectorParseError) throw badRequest(err.message);
    throw err;
  }
}

/** Converts a spec selector object (matchLabels/matchExpressions) to a LabelSelector. @public */
export function selectorFromObject(
  selector: LabelSelectorObject | undefined | null,
): LabelSelector {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
    requirements.push({ key, operator: '=', values: [value] });
  }
  for (const expr of selector?.matchExpressions ?? []) {
    const operator = (
      { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const
    )[expr.operator];
    if (!operator)
      throw new SelectorParseError(
        `"${expr.operator}" is not a valid label selector operator`,
      );
    requirements.push({
      key: expr.key,
      operator,
      values: [...(expr.values ?? [])].sort(),
    });
  }
  return makeSelector(requirements);
}

/** Whether labels match a map selector (as Service.spec.selector): every key equal. @public */
export function matchesMapSelector(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
