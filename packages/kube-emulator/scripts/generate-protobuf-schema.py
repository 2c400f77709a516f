#!/usr/bin/env python3
"""Generates src/server/protobuf/schema.json: the protobuf field tables of the built-in kinds the
emulator serves, so it can decode the `application/vnd.kubernetes.protobuf` bodies kubectl 1.32+
sends for typed-client writes (kubectl create namespace/deployment/...).

The tables come from the FileDescriptorProtos that every kubectl binary embeds (gzipped, registered
by the gogo-generated k8s.io/api packages), so the field numbers are exactly the real ones.

Usage: python3 scripts/generate-protobuf-schema.py [path/to/kubectl] > src/server/protobuf/schema.json
       then run prettier on the output. Default kubectl: the newest kubectl.1.NN next to `kubectl`.
"""
import glob, json, os, shutil, sys, zlib

GZIP_HEADER = b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff'
GOGO_NULLABLE = 65001  # (gogoproto.nullable) = false marks a non-pointer Go field

# Root message of every (apiVersion, kind) the emulator decodes.
ROOTS = {
    'v1/Namespace': 'api.core.v1.Namespace',
    'v1/Pod': 'api.core.v1.Pod',
    'v1/Service': 'api.core.v1.Service',
    'v1/Endpoints': 'api.core.v1.Endpoints',
    'v1/Event': 'api.core.v1.Event',
    'v1/ConfigMap': 'api.core.v1.ConfigMap',
    'v1/Secret': 'api.core.v1.Secret',
    'v1/ServiceAccount': 'api.core.v1.ServiceAccount',
    'v1/Node': 'api.core.v1.Node',
    'apps/v1/Deployment': 'api.apps.v1.Deployment',
    'apps/v1/ReplicaSet': 'api.apps.v1.ReplicaSet',
    'discovery.k8s.io/v1/EndpointSlice': 'api.discovery.v1.EndpointSlice',
    'events.k8s.io/v1/Event': 'api.events.v1.Event',
    'autoscaling/v1/Scale': 'api.autoscaling.v1.Scale',
    'meta.k8s.io/v1/DeleteOptions': 'apimachinery.pkg.apis.meta.v1.DeleteOptions',
    'v1/DeleteOptions': 'apimachinery.pkg.apis.meta.v1.DeleteOptions',
}
# Messages with a JSON form of their own (decoded by hand in decode.ts).
SPECIAL = {
    'apimachinery.pkg.apis.meta.v1.Time': 'time',
    'apimachinery.pkg.apis.meta.v1.MicroTime': 'microtime',
    'apimachinery.pkg.apis.meta.v1.Duration': 'duration',
    'apimachinery.pkg.apis.meta.v1.FieldsV1': 'rawjson',
    'apimachinery.pkg.runtime.RawExtension': 'rawjson',
    'apimachinery.pkg.api.resource.Quantity': 'quantity',
    'apimachinery.pkg.util.intstr.IntOrString': 'intorstring',
}
SCALARS = {1: 'f', 2: 'f', 3: 'i', 4: 'i', 5: 'i', 8: 'b', 9: 's', 12: 'y', 13: 'i', 17: 'i', 18: 'i'}


def varint(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def parse(b):
    i, out = 0, []
    while i < len(b):
        k, i = varint(b, i)
        f, t = k >> 3, k & 7
        if t == 0:
            v, i = varint(b, i)
        elif t == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif t == 5:
            v, i = b[i:i + 4], i + 4
        elif t == 1:
            v, i = b[i:i + 8], i + 8
        else:
            raise ValueError(f'wire type {t}')
        out.append((f, v))
    return out


def first(fs, n):
    return next(v for f, v in fs if f == n)


def descriptors(binary):
    data = open(binary, 'rb').read()
    files, i = [], 0
    while True:
        i = data.find(GZIP_HEADER, i)
        if i < 0:
            return files
        try:
            out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[i:i + 4_000_000])
            if b'generated.proto' in out[:200]:
                files.append(parse(out))
        except (zlib.error, ValueError, IndexError):
            pass
        i += 1


def messages(files):
    msgs = {}

    def walk(prefix, fs):
        full = f'{prefix}.{first(fs, 1).decode()}'
        fields = []
        is_map = False
        for f, v in fs:
            if f == 2:
                d = {'nullable': True}
                for a, c in parse(v):
                    if a == 1: d['name'] = c.decode()
                    elif a == 3: d['number'] = c
                    elif a == 4: d['repeated'] = c == 3
                    elif a == 5: d['type'] = c
                    elif a == 6: d['type_name'] = c.decode().lstrip('.').removeprefix('k8s.io.')
                    elif a == 10: d['json'] = c.decode()
                    elif a == 8:
                        for o, ov in parse(c):
                            if o == GOGO_NULLABLE and ov == 0: d['nullable'] = False
                fields.append(d)
            elif f == 3:
                walk(full, parse(v))
            elif f == 7:
                is_map = any(o == 7 and ov == 1 for o, ov in parse(v))
        msgs[full.removeprefix('k8s.io.')] = {'fields': fields, 'map': is_map}

    for fs in files:
        pkg = first(fs, 2).decode()
        for f, v in fs:
            if f == 4:
                walk(pkg, parse(v))
    return msgs


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else None
    if not binary:
        kubectl = os.path.realpath(shutil.which('kubectl'))
        versions = sorted(glob.glob(os.path.join(os.path.dirname(kubectl), 'kubectl.1.*')),
                          key=lambda p: int(p.rsplit('.', 1)[1]))
        binary = versions[-1] if versions else kubectl
    msgs = messages(descriptors(binary))
    out, todo = {}, list(ROOTS.values())
    while todo:
        name = todo.pop()
        if name in out or name in SPECIAL:
            continue
        rows = []
        for f in sorted(msgs[name]['fields'], key=lambda f: f['number']):
            row = [f['number'], f['name']]
            if f['type'] in (11, 10):
                ref = f['type_name']
                entry = msgs[ref]
                if entry['map']:
                    key, value = sorted(entry['fields'], key=lambda f: f['number'])
                    vref = value.get('type_name')
                    row += ['map', SPECIAL.get(vref) or vref or SCALARS[value['type']]]
                    if vref and vref not in SPECIAL:
                        todo.append(vref)
                else:
                    row += ['msg', SPECIAL.get(ref, ref)]
                    if ref not in SPECIAL:
                        todo.append(ref)
            else:
                row += [SCALARS[f['type']], '']
            flags = ('r' if f.get('repeated') else '') + ('p' if f['nullable'] else '')
            row.append(flags)
            rows.append(row)
        out[name] = rows
    json.dump({'source': os.path.basename(binary), 'roots': ROOTS,
               'messages': dict(sorted(out.items()))}, sys.stdout, separators=(',', ':'))


main()
