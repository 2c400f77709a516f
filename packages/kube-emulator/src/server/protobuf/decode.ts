/*
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies into the objects their JSON form
 * would give.
 *
 * kubectl 1.32 and later send protobuf for the writes of its typed clients (`kubectl create
 * namespace`, `kubectl create deployment`, ...), whatever the server advertises, and do not fall
 * back to JSON on 415. A real kube-apiserver accepts protobuf for every built-in kind, so the
 * emulator does too, for the built-in kinds it serves. The field tables in schema.json are generated
 * from the descriptors embedded in kubectl (scripts/generate-protobuf-schema.py); responses stay
 * JSON, which every client accepts (they send `Accept: application/vnd.kubernetes.protobuf,application/json`).
 */
import { badRequest, unsupportedMediaType } from '../../store/errors';
import schemaJson from './schema.json';

/** `[number, name, kind, ref, flags]`: kind `msg`/`map` (ref = message or special or scalar kind) or a scalar kind. */
type FieldRow = [number, string, string, string, string];

const schema = schemaJson as unknown as {
  roots: Record<string, string>;
  messages: Record<string, FieldRow[]>;
};

interface Field {
  name: string;
  kind: string;
  ref: string;
  repeated: boolean;
  /** A pointer in Go: present means set, even to a zero value. */
  pointer: boolean;
}

const tables = new Map<string, Map<number, Field>>();
function table(message: string): Map<number, Field> {
  let t = tables.get(message);
  if (!t) {
    t = new Map(
      (schema.messages[message] ?? []).map(([num, name, kind, ref, flags]) => [
        num,
        {
          name,
          kind,
          ref,
          repeated: flags.includes('r'),
          pointer: flags.includes('p'),
        },
      ]),
    );
    tables.set(message, t);
  }
  return t;
}

/** The magic prefix of Kubernetes protobuf envelopes (`runtime.Unknown`). */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Media type of Kubernetes protobuf. @public */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** Whether a Content-Type header names Kubernetes protobuf. @public */
export function isProtobuf(contentType: string | undefined): boolean {
  return (
    !!contentType &&
    contentType.split(';')[0].trim().toLowerCase() === PROTOBUF_MEDIA_TYPE
  );
}

/** Whether the emulator decodes protobuf bodies of this apiVersion and kind. @public */
export function decodesProtobuf(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in schema.roots;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly end = buf.length) {}
  done() {
    return this.pos >= this.end;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    if (this.pos + n > this.end) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wireType: number) {
    switch (wireType) {
      case 0:
        this.varint();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.bytes();
        break;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }
}

/** int32/int64 varints are two's complement over 64 bits. */
function signed(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function readScalar(r: Reader, kind: string, wireType: number): unknown {
  switch (kind) {
    case 's':
      return r.bytes().toString('utf8');
    case 'y':
      return r.bytes().toString('base64');
    case 'b':
      return r.varint() !== 0n;
    case 'i':
      return signed(r.varint());
    case 'f': {
      if (wireType === 1) {
        const v = r.buf.readDoubleLE(r.pos);
        r.pos += 8;
        return v;
      }
      const v = r.buf.readFloatLE(r.pos);
      r.pos += 4;
      return v;
    }
    default:
      throw new Error(`unknown scalar kind ${kind}`);
  }
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false;
}

/** Fields of a message as [number, wireType, reader positioned at the value]. */
function* entries(buf: Buffer): Generator<[number, number, Reader]> {
  const r = new Reader(buf);
  while (!r.done()) {
    const key = Number(r.varint());
    yield [key >> 3, key & 7, r];
  }
}

function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${iso}Z`;
  return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

function goDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const s = nanos / 1e9;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = Math.round((s % 60) * 1e9) / 1e9;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${rest}s`;
}

/** Decodes the messages with a JSON form of their own; undefined = absent in JSON. */
function decodeSpecial(special: string, buf: Buffer): unknown {
  const fields = new Map<number, unknown>();
  for (const [num, wireType, r] of entries(buf)) {
    if (wireType === 2) fields.set(num, r.bytes());
    else if (wireType === 0) fields.set(num, signed(r.varint()));
    else r.skip(wireType);
  }
  const str = (n: number) => (fields.get(n) as Buffer | undefined)?.toString();
  const num = (n: number) => Number(fields.get(n) ?? 0);
  switch (special) {
    case 'time':
    case 'microtime': {
      const seconds = num(1);
      const nanos = num(2);
      if (seconds === 0 && nanos === 0) return undefined; // the zero Time is null in JSON
      return rfc3339(seconds, nanos, special === 'microtime');
    }
    case 'duration':
      return goDuration(num(1));
    case 'quantity':
      return str(1) ?? '0';
    case 'intorstring':
      return num(1) === 1 ? str(3) ?? '' : num(2);
    case 'rawjson': {
      const raw = fields.get(1) as Buffer | undefined;
      if (!raw?.length) return undefined;
      try {
        return JSON.parse(raw.toString('utf8'));
      } catch {
        throw badRequest('protobuf body carries a raw field that is not JSON');
      }
    }
    default:
      throw new Error(`unknown special message ${special}`);
  }
}

function decodeValue(ref: string, buf: Buffer): unknown {
  if (schema.messages[ref]) return decodeMessage(ref, buf);
  return decodeSpecial(ref, buf);
}

/** The JSON value of a map entry whose value field was left out (a zero value). */
function zeroMapValue(ref: string): unknown {
  if (ref === 's' || ref === 'y') return '';
  if (ref === 'b') return false;
  if (ref === 'i' || ref === 'f') return 0;
  return schema.messages[ref] ? {} : undefined;
}

function decodeMessage(message: string, buf: Buffer): Record<string, unknown> {
  const t = table(message);
  const out: Record<string, unknown> = {};
  for (const [num, wireType, r] of entries(buf)) {
    const field = t.get(num);
    if (!field) {
      // A field newer than the tables: keep going, like a real decoder of an older schema.
      r.skip(wireType);
      continue;
    }
    if (field.kind === 'map') {
      let key = '';
      let value: unknown = zeroMapValue(field.ref);
      for (const [n, wt, er] of entries(r.bytes())) {
        if (n === 1) key = er.bytes().toString('utf8');
        else if (n === 2)
          value =
            wt === 2 && !['s', 'y'].includes(field.ref)
              ? decodeValue(field.ref, er.bytes())
              : readScalar(er, field.ref, wt);
        else er.skip(wt);
      }
      const map = (out[field.name] ??= {}) as Record<string, unknown>;
      map[key] = value;
    } else if (field.kind === 'msg') {
      const value = decodeValue(field.ref, r.bytes());
      if (field.repeated) {
        ((out[field.name] ??= []) as unknown[]).push(value);
      } else if (value !== undefined) out[field.name] = value;
    } else if (
      field.repeated &&
      wireType === 2 &&
      field.kind !== 's' &&
      field.kind !== 'y'
    ) {
      // packed repeated scalars
      const packed = new Reader(r.bytes());
      const list = (out[field.name] ??= []) as unknown[];
      while (!packed.done())
        list.push(readScalar(packed, field.kind, wireType));
    } else {
      const value = readScalar(r, field.kind, wireType);
      if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
      else if (field.pointer || !isZero(value)) out[field.name] = value;
    }
  }
  return out;
}

/**
 * Decodes a Kubernetes protobuf body (`k8s\0` + runtime.Unknown) into the JSON form of its object.
 * 415 UnsupportedMediaType for a kind the emulator has no tables for (custom resources: as on a
 * real server, which serves them as JSON and YAML only).
 * @public
 */
export function decodeProtobufObject(body: Buffer): any {
  if (body.length < MAGIC.length || !body.subarray(0, 4).equals(MAGIC))
    throw badRequest(
      'the object provided is unrecognized (must be of type Object): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  try {
    for (const [num, wireType, r] of entries(body.subarray(4))) {
      if (num === 1 && wireType === 2) {
        for (const [n, wt, tr] of entries(r.bytes())) {
          if (n === 1) apiVersion = tr.bytes().toString('utf8');
          else if (n === 2) kind = tr.bytes().toString('utf8');
          else tr.skip(wt);
        }
      } else if (num === 2 && wireType === 2) raw = r.bytes();
      else r.skip(wireType);
    }
  } catch (err) {
    throw badRequest(
      `unable to decode protobuf envelope: ${(err as Error).message}`,
    );
  }
  const root = schema.roots[`${apiVersion}/${kind}`];
  if (!root)
    throw unsupportedMediaType(['application/json', 'application/yaml']);
  let object: Record<string, unknown>;
  try {
    object = decodeMessage(root, raw);
  } catch (err) {
    if ((err as { code?: unknown }).code !== undefined) throw err;
    throw badRequest(
      `unable to decode ${kind} from protobuf: ${(err as Error).message}`,
    );
  }
  return { apiVersion, kind, ...object };
}
