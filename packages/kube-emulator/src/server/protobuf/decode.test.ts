import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../store/errors';
import { startTestEmulator, rawRequest } from '../testSupport';
import { decodeProtobufObject, isProtobuf } from './decode';

/** Protobuf encoding helpers, enough to build test envelopes. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
};
const bytes = (field: number, body: number[] | Buffer | string): number[] => {
  const data =
    typeof body === 'string' ? [...Buffer.from(body)] : [...(body as number[])];
  return [...varint((field << 3) | 2), ...varint(data.length), ...data];
};
const num = (field: number, n: number): number[] => [
  ...varint(field << 3),
  ...varint(n),
];
const envelope = (apiVersion: string, kind: string, raw: number[]) =>
  Buffer.from([
    0x6b,
    0x38,
    0x73,
    0x00,
    ...bytes(1, [...bytes(1, apiVersion), ...bytes(2, kind)]),
    ...bytes(2, raw),
    ...bytes(3, ''),
    ...bytes(4, ''),
  ]);

describe('protobuf request bodies', () => {
  it('decodes the Namespace kubectl 1.32 sends for `kubectl create namespace x`', () => {
    // Captured from kubectl 1.32 -v=8 (`k8s\0` + runtime.Unknown).
    const hex =
      '6b3873000a0f0a02763112094e616d65737061636512190a110a017812' +
      '001a0022002a0032003800420012001a020a001a002200';
    const obj = decodeProtobufObject(Buffer.from(hex, 'hex'));
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
      spec: {},
      status: {},
    });
  });

  it('keeps pointer fields set to zero, drops zero non-pointer fields, decodes maps, IntOrString, Quantity and Time', () => {
    const meta = [
      ...bytes(1, 'web'),
      ...bytes(3, ''),
      ...num(7, 0),
      ...bytes(8, [...num(1, 1700000000)]),
      ...bytes(11, [...bytes(1, 'app'), ...bytes(2, 'web')]),
    ];
    const container = [
      ...bytes(1, 'web'),
      ...bytes(2, 'nginx'),
      ...bytes(6, [...num(3, 80), ...bytes(4, 'TCP'), ...num(2, 0)]),
      ...bytes(
        8,
        bytes(1, [...bytes(1, 'cpu'), ...bytes(2, bytes(1, '250m'))]),
      ),
    ];
    const podSpec = [...bytes(2, container), ...num(4, 30)];
    const strategy = [
      ...bytes(1, 'RollingUpdate'),
      ...bytes(2, [
        ...bytes(1, [...num(1, 1), ...bytes(3, '25%')]),
        ...bytes(2, [...num(1, 0), ...num(2, 1)]),
      ]),
    ];
    const spec = [
      ...num(1, 0), // replicas: *int32 set to 0
      ...bytes(2, bytes(1, [...bytes(1, 'app'), ...bytes(2, 'web')])),
      ...bytes(3, [
        ...bytes(1, bytes(11, [...bytes(1, 'app'), ...bytes(2, 'web')])),
        ...bytes(2, podSpec),
      ]),
      ...bytes(4, strategy),
      ...num(5, 0), // minReadySeconds: int32, zero = absent in JSON
      ...num(6, 3), // revisionHistoryLimit
    ];
    const obj = decodeProtobufObject(
      envelope('apps/v1', 'Deployment', [...bytes(1, meta), ...bytes(2, spec)]),
    );
    assert.deepEqual(obj, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        creationTimestamp: '2023-11-14T22:13:20Z',
        labels: { app: 'web' },
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx',
                ports: [{ containerPort: 80, protocol: 'TCP' }],
                resources: { limits: { cpu: '250m' } },
              },
            ],
            terminationGracePeriodSeconds: 30,
          },
        },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 },
        },
        revisionHistoryLimit: 3,
      },
    });
  });

  it('decodes negative int64 values and Secret bytes as base64', () => {
    const obj = decodeProtobufObject(
      envelope('v1', 'Secret', [
        ...bytes(1, [...bytes(1, 's'), ...num(10, -5)]),
        ...bytes(2, [...bytes(1, 'k'), ...bytes(2, [0, 1, 2, 255])]),
      ]),
    );
    assert.deepEqual(obj.metadata, {
      name: 's',
      deletionGracePeriodSeconds: -5,
    });
    assert.deepEqual(obj.data, {
      k: Buffer.from([0, 1, 2, 255]).toString('base64'),
    });
  });

  it('answers 415 for kinds without protobuf tables and 400 for a body without the envelope', () => {
    assert.throws(
      () =>
        decodeProtobufObject(
          envelope('asm.alauda.io/v1alpha1', 'CanaryEvent', []),
        ),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 415 &&
        err.status.reason === 'UnsupportedMediaType',
    );
    assert.throws(
      () => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}')),
      (err: unknown) => err instanceof StatusError && err.code === 400,
    );
    assert.ok(isProtobuf('application/vnd.kubernetes.protobuf'));
    assert.ok(isProtobuf('application/vnd.kubernetes.protobuf; charset=x'));
    assert.ok(!isProtobuf('application/json'));
  });

  it('creates an object from a protobuf POST over HTTPS', async () => {
    const emu = await startTestEmulator();
    try {
      const body = envelope('v1', 'ConfigMap', [
        ...bytes(1, bytes(1, 'cfg')),
        ...bytes(2, [...bytes(1, 'a'), ...bytes(2, 'b')]),
      ]);
      const res = await rawRequest(
        emu,
        'POST',
        '/api/v1/namespaces/default/configmaps',
        {
          body,
          headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
        },
      );
      assert.equal(res.status, 201, res.body);
      assert.deepEqual(JSON.parse(res.body).data, { a: 'b' });
    } finally {
      await emu.stop();
    }
  });
});
