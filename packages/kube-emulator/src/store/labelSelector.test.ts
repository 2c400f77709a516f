import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from './errors';
import {
  parseLabelSelector,
  parseLabelSelectorOrBadRequest,
  selectorFromObject,
  SelectorParseError,
} from './labelSelector';

const web = { app: 'web', version: 'blue' };
const green = { app: 'web', version: 'green' };
const bare = { app: 'web' };

describe('label selectors', () => {
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', web, true],
    ['app=web', web, true],
    ['app==web', web, true],
    ['app=api', web, false],
    ['app!=api', web, true],
    ['version!=blue', bare, true], // != matches objects without the key
    ['version!=blue', web, false],
    ['app=web,version=blue', web, true],
    ['app=web,version=blue', green, false],
    ['version in (blue,green)', green, true],
    ['version in (blue, green)', green, true],
    ['version in (blue)', bare, false], // in requires the key
    ['version notin (blue)', bare, true],
    ['version notin (blue,green)', green, false],
    ['version', web, true],
    ['version', bare, false],
    ['!version', bare, true],
    ['!version', web, false],
    ['app=web,!canary', web, true],
    [
      'asm.cpaas.io/msname=canary-demo',
      { 'asm.cpaas.io/msname': 'canary-demo' },
      true,
    ],
    ['app=web', undefined, false],
    ['!app', undefined, true],
    ['tier=', { tier: '' }, true],
  ];
  for (const [selector, labels, expected] of cases) {
    it(`${JSON.stringify(selector)} ${
      expected ? 'matches' : 'does not match'
    } ${JSON.stringify(labels)}`, () => {
      assert.equal(parseLabelSelector(selector).matches(labels), expected);
    });
  }

  it('parses requirements with operators and sorted values', () => {
    const sel = parseLabelSelector('a=b,c in (z,y),!d,e');
    assert.deepEqual(sel.requirements, [
      { key: 'a', operator: '=', values: ['b'] },
      { key: 'c', operator: 'in', values: ['y', 'z'] },
      { key: 'd', operator: '!', values: [] },
      { key: 'e', operator: 'exists', values: [] },
    ]);
    assert.equal(sel.toString(), 'a=b,c in (y,z),!d,e');
  });

  const bad = [
    'app in blue',
    'app in (blue',
    'app=web,',
    '=web',
    'app=web=x',
    'version in (a b)',
    'a==(b)',
    'app=we b',
    'bad key!=x',
    'a=-x',
  ];
  for (const selector of bad) {
    it(`rejects ${JSON.stringify(selector)}`, () => {
      assert.throws(
        () => parseLabelSelector(selector),
        (err: unknown) =>
          err instanceof SelectorParseError &&
          /unable to parse requirement|invalid label/.test(err.message),
      );
    });
  }

  it('turns syntax errors into 400 BadRequest', () => {
    assert.throws(
      () => parseLabelSelectorOrBadRequest('app in (x'),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 400 &&
        err.status.reason === 'BadRequest',
    );
  });

  it('converts matchLabels/matchExpressions objects', () => {
    const sel = selectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'version', operator: 'NotIn', values: ['green'] },
      ],
    });
    assert.equal(sel.matches(web), true);
    assert.equal(sel.matches(green), false);
    assert.equal(
      selectorFromObject({
        matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }],
      }).matches(web),
      true,
    );
  });
});
