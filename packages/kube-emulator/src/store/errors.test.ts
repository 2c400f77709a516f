import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  alreadyExists,
  badRequest,
  conflict,
  fieldInvalid,
  forbidden,
  gone,
  invalid,
  notFound,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
} from './errors';

const deployments = { group: 'apps', resource: 'deployments' };
const services = { group: '', resource: 'services' };

describe('Status errors', () => {
  const cases = [
    {
      err: notFound(deployments, 'x'),
      code: 404,
      reason: 'NotFound',
      message: 'deployments.apps "x" not found',
      details: { name: 'x', group: 'apps', kind: 'deployments' },
    },
    {
      err: notFound(services, 'web'),
      code: 404,
      reason: 'NotFound',
      message: 'services "web" not found',
    },
    {
      err: alreadyExists(services, 'web'),
      code: 409,
      reason: 'AlreadyExists',
      message: 'services "web" already exists',
    },
    {
      err: conflict(deployments, 'web'),
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    },
    {
      err: forbidden('viewer', 'patch', services, 'default', 'web'),
      code: 403,
      reason: 'Forbidden',
      message:
        'services "web" is forbidden: User "viewer" cannot patch resource "services" in API group "" in the namespace "default"',
    },
    {
      err: forbidden('viewer', 'create', deployments, 'default'),
      code: 403,
      reason: 'Forbidden',
      message:
        'deployments.apps is forbidden: User "viewer" cannot create resource "deployments" in API group "apps" in the namespace "default"',
    },
    {
      err: invalid('Deployment', 'apps', 'web', [
        fieldInvalid('spec.replicas', -1, 'must be greater than or equal to 0'),
      ]),
      code: 422,
      reason: 'Invalid',
      message:
        'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    },
    { err: badRequest('bad'), code: 400, reason: 'BadRequest', message: 'bad' },
    {
      err: gone(5, 10),
      code: 410,
      reason: 'Expired',
      message: 'too old resource version: 5 (10)',
    },
    {
      err: tooManyRequests(2),
      code: 429,
      reason: 'TooManyRequests',
      message: 'Too many requests, please try again later.',
    },
    {
      err: unauthorized(),
      code: 401,
      reason: 'Unauthorized',
      message: 'Unauthorized',
    },
    {
      err: unsupportedMediaType([
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ]),
      code: 415,
      reason: 'UnsupportedMediaType',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    },
  ];
  for (const c of cases) {
    it(`${c.code} ${c.reason}: ${c.message}`, () => {
      assert.equal(c.err.status.kind, 'Status');
      assert.equal(c.err.status.apiVersion, 'v1');
      assert.equal(c.err.status.status, 'Failure');
      assert.equal(c.err.status.code, c.code);
      assert.equal(c.err.status.reason, c.reason);
      assert.equal(c.err.status.message, c.message);
      if (c.details) assert.deepEqual(c.err.status.details, c.details);
    });
  }

  it('Invalid lists every cause', () => {
    const err = invalid('Service', '', 'web', [
      fieldInvalid(
        'spec.ports[0].port',
        0,
        'must be between 1 and 65535, inclusive',
      ),
      {
        reason: 'FieldValueRequired',
        field: 'spec.ports[1].name',
        message: 'Required value',
      },
    ]);
    assert.equal(
      err.status.message,
      'Service "web" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[1].name: Required value]',
    );
    assert.equal(err.status.details?.causes?.length, 2);
  });
});
