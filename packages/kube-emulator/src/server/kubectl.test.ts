import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../index';
import { startTestEmulator } from './testSupport';

/** The manifests of the kubectl probe logs (research/kubectl-probe-logs/seed-manifests), kept with the test. */
const seedDir = join(__dirname, 'fixtures', 'probe-manifests');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

type Kubectl = (...args: string[]) => Promise<Run>;

/** A kubectl (the one on the PATH unless `binary` is given) with its own kubeconfig and cache. */
function kubectlIn(emu: Emulator, dir: string, binary = 'kubectl'): Kubectl {
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, emu.kubeconfig);
  return (...args: string[]): Promise<Run> =>
    new Promise(resolve => {
      execFile(
        binary,
        [
          '--kubeconfig',
          kubeconfig,
          '--cache-dir',
          join(dir, 'cache'),
          ...args,
        ],
        { timeout: 30_000 },
        (err, stdout, stderr) => {
          resolve({ code: err ? (err as any).code ?? 1 : 0, stdout, stderr });
        },
      );
    });
}

/** Runs kubectl expecting success and, when given, this output (trimmed stdout, or a match). */
async function expectKubectl(
  kubectl: Kubectl,
  args: string[],
  expected?: string | RegExp,
): Promise<Run> {
  const r = await kubectl(...args);
  const what = `kubectl ${args.join(' ')}`;
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  if (typeof expected === 'string')
    assert.equal(r.stdout.trim(), expected, `${what}: ${r.stderr}`);
  else if (expected) assert.match(r.stdout, expected, `${what}:\n${r.stdout}`);
  return r;
}

/** Runs kubectl expecting it to fail with this error (trimmed stderr, or a match). */
async function expectKubectlError(
  kubectl: Kubectl,
  args: string[],
  expected: string | RegExp,
): Promise<Run> {
  const r = await kubectl(...args);
  const what = `kubectl ${args.join(' ')}`;
  assert.notEqual(r.code, 0, `${what} succeeded:\n${r.stdout}`);
  if (typeof expected === 'string') assert.equal(r.stderr.trim(), expected);
  else assert.match(r.stderr, expected);
  return r;
}

/**
 * The minor version of the `kubectl` on the PATH: the dispatcher of these machines runs 1.32
 * against the emulator's v1.32; Debian's kubernetes-client (what .ci/run installs where kubectl
 * is missing) is 1.20. A few client-side behaviours differ, and the tests expect each client's own.
 */
const kubectlMinor: Promise<number> = new Promise((resolve, reject) =>
  execFile('kubectl', ['version', '--client', '-o', 'json'], (err, stdout) =>
    err
      ? reject(new Error(`kubectl is required on the PATH: ${err.message}`))
      : resolve(
          Number(JSON.parse(stdout).clientVersion.minor.replace(/\D/g, '')),
        ),
  ),
);

/** The header line of kubectl's table output, with runs of spaces normalised to three. */
function header(out: string): string {
  return out
    .split('\n')[0]
    .trim()
    .replace(/\s{2,}/g, '   ');
}

describe('kubectl against the emulator', () => {
  let emu: Emulator;
  let dir: string;
  let kubectl: ReturnType<typeof kubectlIn>;

  before(async () => {
    emu = await startTestEmulator();
    dir = mkdtempSync(join(tmpdir(), 'kube-emulator-kubectl-'));
    kubectl = kubectlIn(emu, dir);
  });
  after(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports v1.32 so the dispatcher runs kubectl 1.32', async () => {
    const r = await kubectl('version', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout);
    assert.equal(v.serverVersion.minor, '32');
    assert.doesNotMatch(r.stderr, /version difference/);
  });

  it('applies every seed manifest of the product document', async () => {
    const order = [
      'flagger-ns.yaml',
      ...readdirSync(seedDir)
        .filter(f => f !== 'flagger-ns.yaml' && f !== 'httproute2.yaml')
        .sort(),
      'httproute2.yaml',
    ];
    const outputs: string[] = [];
    for (const file of order) {
      const r = await expectKubectl(kubectl, [
        'apply',
        '-f',
        join(seedDir, file),
      ]);
      outputs.push(r.stdout.trim());
    }
    const all = outputs.join('\n');
    for (const line of [
      'deployment.apps/blue created',
      'service/web created',
      'canarydelivery.asm.alauda.io/canary-demo created',
      'gateway.networking.istio.io/istio-rollout-gateway created',
      'virtualservice.networking.istio.io/web created',
      'httproute.gateway.networking.k8s.io/web configured',
      'canaryevent.asm.alauda.io/canary-demo-ev1 created',
    ]) {
      assert.ok(all.includes(line), `missing "${line}" in:\n${all}`);
    }
    await expectKubectl(
      kubectl,
      ['apply', '-f', join(seedDir, 'blue-deployment.yaml')],
      'deployment.apps/blue unchanged',
    );
    const route = emu.store.get(
      { group: 'gateway.networking.k8s.io', resource: 'httproutes' },
      'default',
      'web',
    );
    assert.equal(
      route?.spec.rules[0].backendRefs[0].weight,
      90,
      'the second apply replaced the rules (merge patch)',
    );
  });

  it('prints server-side Table columns', async () => {
    emu.store.create(
      { group: '', resource: 'pods' },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'blue-abc',
          namespace: 'default',
          labels: { app: 'web', version: 'blue' },
        },
        spec: {
          nodeName: 'node-1',
          containers: [{ name: 'web', image: 'hello:1.23.1' }],
        },
        status: {
          phase: 'Running',
          podIP: '10.244.0.5',
          containerStatuses: [
            {
              name: 'web',
              ready: true,
              restartCount: 2,
              state: { running: {} },
            },
          ],
        },
      },
    );
    const cases: [string[], string, RegExp?][] = [
      [
        ['get', 'deployments.apps'],
        'NAME   READY   UP-TO-DATE   AVAILABLE   AGE',
        /^blue\s+0\/3\s+0\s+0\s+\d+s$/m,
      ],
      [
        ['get', 'svc', 'web'],
        'NAME   TYPE   CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE',
        /^web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m,
      ],
      [
        ['get', 'ep', '-n', 'flagger-demo'],
        'No resources found in flagger-demo namespace.',
      ],
      [
        ['get', 'pods', '-l', 'app=web,version=blue'],
        'NAME   READY   STATUS   RESTARTS   AGE',
        /^blue-abc\s+1\/1\s+Running\s+2\s+\d+s$/m,
      ],
      [
        ['get', 'pods', '-o', 'wide'],
        'NAME   READY   STATUS   RESTARTS   AGE   IP   NODE   NOMINATED NODE   READINESS GATES',
        /10\.244\.0\.5\s+node-1/,
      ],
      [
        ['get', 'vs', 'web'],
        'NAME   GATEWAYS   HOSTS   AGE',
        /\["istio-rollout-gateway"\]\s+\["rollout-demo\.asm\.com"\]/,
      ],
      [
        ['get', 'httproutes'],
        'NAME   HOSTNAMES   AGE',
        /^web\s+\["example\.com"\]/m,
      ],
      [
        ['get', 'canarydeliveries', '-n', 'flagger-demo'],
        'NAME   STATUS   WEIGHT   LASTTRANSITIONTIME',
        /^canary-demo\s*$/m,
      ],
      [
        [
          'get',
          'canaryevents.asm.alauda.io',
          '-n',
          'flagger-demo',
          '-l',
          'asm.cpaas.io/msname=canary-demo',
        ],
        'NAME   PHASE   WEIGHT   ACTION   AGE',
        /^canary-demo-ev1\s+Succeeded\s+\d+s$/m,
      ],
      [['get', 'ns'], 'NAME   STATUS   AGE', /^flagger-demo\s+Active/m],
      [
        ['get', 'crd'],
        'NAME   CREATED AT',
        /^virtualservices\.networking\.istio\.io\s+\d{4}-/m,
      ],
    ];
    for (const [args, head, row] of cases) {
      const r = await expectKubectl(kubectl, args, row);
      const text = head.startsWith('No resources')
        ? r.stderr.trim() || r.stdout.trim()
        : header(r.stdout);
      assert.equal(text, head, `${args.join(' ')}:\n${r.stdout}`);
    }
  });

  it('prints -o yaml and -o json of built-in and custom objects', async () => {
    const yaml = await kubectl('get', 'deploy', 'blue', '-o', 'yaml');
    assert.match(yaml.stdout, /^apiVersion: apps\/v1\nkind: Deployment\n/);
    assert.match(yaml.stdout, /progressDeadlineSeconds: 600/);
    const json = JSON.parse(
      (await kubectl('get', 'gw', 'istio-rollout-gateway', '-o', 'json'))
        .stdout,
    );
    assert.equal(json.apiVersion, 'networking.istio.io/v1');
    const viaOldVersion = JSON.parse(
      (
        await kubectl(
          'get',
          'gateways.v1alpha3.networking.istio.io',
          'istio-rollout-gateway',
          '-o',
          'json',
        )
      ).stdout,
    );
    assert.equal(viaOldVersion.apiVersion, 'networking.istio.io/v1alpha3');
  });

  it('patches: strategic merge for services, merge for custom resources, and the real error for strategic on a CR', async () => {
    await expectKubectl(
      kubectl,
      [
        'patch',
        'service',
        'web',
        '-p',
        '{"spec":{"selector":{"version":"green"}}}',
      ],
      'service/web patched',
    );
    assert.deepEqual(
      emu.store.get({ group: '', resource: 'services' }, 'default', 'web')?.spec
        .selector,
      { app: 'web', version: 'green' },
    );
    const mergePatchVs = (patch: string) => [
      'patch',
      'vs',
      'web',
      '--type',
      'merge',
      '-p',
      patch,
    ];
    await expectKubectl(
      kubectl,
      mergePatchVs(
        '{"spec":{"http":[{"route":[{"destination":{"host":"web-canary"},"weight":100}]}]}}',
      ),
      'virtualservice.networking.istio.io/web patched',
    );
    const unsupported =
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';
    await expectKubectlError(
      kubectl,
      ['patch', 'vs', 'web', '-p', '{"spec":{"hosts":["x"]}}'],
      (await kubectlMinor) >= 27
        ? `error: application/strategic-merge-patch+json is not supported by networking.istio.io/v1, Kind=VirtualService: ${unsupported}`
        : // Older clients print the server's 415 Status as it is.
          `Error from server (UnsupportedMediaType): ${unsupported}`,
    );
    await expectKubectl(kubectl, [
      'patch',
      'deploy',
      'blue',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/replicas","value":2}]',
    ]);
    await expectKubectlError(
      kubectl,
      mergePatchVs(
        '{"spec":{"http":[{"route":[{"destination":{"host":"a"},"weight":500}]}]}}',
      ),
      /The VirtualService "web" is invalid: spec\.http\[0\]\.route\[0\]\.weight: Invalid value: 500: spec\.http\[0\]\.route\[0\]\.weight in body should be less than or equal to 100/,
    );
    await expectKubectl(
      kubectl,
      [
        'set',
        'image',
        'deploy',
        'canary-demo',
        'http=quay.io/codefresh/rollouts-demo:red',
        '-n',
        'flagger-demo',
      ],
      'deployment.apps/canary-demo image updated',
    );
    const dep = emu.store.get(
      { group: 'apps', resource: 'deployments' },
      'flagger-demo',
      'canary-demo',
    );
    assert.equal(
      dep?.spec.template.spec.containers[0].image,
      'quay.io/codefresh/rollouts-demo:red',
    );
    assert.equal(
      dep?.spec.template.spec.containers[0].ports[0].containerPort,
      8080,
    );
    assert.equal(dep?.metadata.generation, 2);
  });

  it('labels with and without --overwrite; annotates', async () => {
    const event = 'canaryevent.asm.alauda.io/canary-demo-ev1';
    const ns = ['-n', 'flagger-demo'];
    await expectKubectl(
      kubectl,
      ['label', event, 'action=rollback', ...ns],
      `${event} labeled`,
    );
    await expectKubectlError(
      kubectl,
      ['label', event, 'action=promote', ...ns],
      /already has a value \(rollback\), and --overwrite is false/,
    );
    await expectKubectl(kubectl, [
      'label',
      '--overwrite',
      event,
      'action=promote',
      ...ns,
    ]);
    assert.equal(
      emu.store.get(
        { group: 'asm.alauda.io', resource: 'canaryevents' },
        'flagger-demo',
        'canary-demo-ev1',
      )?.metadata.labels?.action,
      'promote',
    );
    await expectKubectl(
      kubectl,
      ['annotate', 'svc', 'web', 'team=rollouts'],
      'service/web annotated',
    );
  });

  it('sorts by creationTimestamp and labels the newest CanaryEvent as the product document does', async () => {
    await new Promise(r => setTimeout(r, 1100));
    emu.store.create(
      { group: 'asm.alauda.io', resource: 'canaryevents' },
      {
        apiVersion: 'asm.alauda.io/v1alpha1',
        kind: 'CanaryEvent',
        metadata: {
          name: 'canary-demo-ev3',
          namespace: 'flagger-demo',
          labels: { 'asm.cpaas.io/msname': 'canary-demo' },
        },
        spec: { phase: 'Progressing' },
      },
    );
    const r = await expectKubectl(kubectl, [
      'get',
      'canaryevents.asm.alauda.io',
      '-n',
      'flagger-demo',
      '-l',
      'asm.cpaas.io/msname=canary-demo',
      '--sort-by={.metadata.creationTimestamp}',
      '-o',
      'name',
    ]);
    const names = r.stdout.trim().split('\n');
    assert.equal(
      names[names.length - 1],
      'canaryevent.asm.alauda.io/canary-demo-ev3',
      r.stdout + r.stderr,
    );
    const table = await kubectl(
      'get',
      'canaryevents',
      '-n',
      'flagger-demo',
      '--sort-by=.metadata.creationTimestamp',
    );
    assert.match(
      table.stdout.trim().split('\n').pop() ?? '',
      /^canary-demo-ev3\s/,
    );
    await expectKubectl(
      kubectl,
      [
        'label',
        names[names.length - 1],
        'action=rollback',
        '-n',
        'flagger-demo',
      ],
      'canaryevent.asm.alauda.io/canary-demo-ev3 labeled',
    );
  });

  it('get vs -o yaml --watch prints the current object and then the first change', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      join(dir, 'cache'),
      'get',
      'vs',
      'canary-demo',
      '-n',
      'flagger-demo',
      '-o',
      'yaml',
      '--watch',
    ]);
    let out = '';
    child.stdout.on('data', d => (out += d));
    const waitFor = async (pred: () => boolean, what: string) => {
      for (let i = 0; i < 150 && !pred(); i++)
        await new Promise(r => setTimeout(r, 50));
      assert.ok(pred(), `timed out waiting for ${what}; output:\n${out}`);
    };
    try {
      await waitFor(
        () => out.includes('name: canary-demo'),
        'the initial object',
      );
      emu.store.modify(
        { group: 'networking.istio.io', resource: 'virtualservices' },
        'flagger-demo',
        'canary-demo',
        vs => {
          vs.spec.http[0].route[0].weight = 95;
          vs.spec.http[0].route[1].weight = 5;
        },
      );
      await waitFor(() => out.includes('weight: 95'), 'the first change');
      assert.match(out, /\n---\n/);
    } finally {
      child.kill();
    }
  });

  it('describes a service with a hand-made EndpointSlice without panicking', async () => {
    emu.store.create(
      { group: 'discovery.k8s.io', resource: 'endpointslices' },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'web-abcde',
          namespace: 'default',
          labels: { 'kubernetes.io/service-name': 'web' },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true } }],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    );
    const r = await expectKubectl(kubectl, ['describe', 'service', 'web']);
    assert.match(r.stdout, /Selector:\s+app=web,version=green/);
    assert.match(r.stdout, /IP:\s+10\.96\.\d+\.\d+/);
    // kubectl describe reads EndpointSlices since 1.27 (older clients read Endpoints).
    if ((await kubectlMinor) >= 27) {
      assert.match(r.stdout, /Endpoints:\s+10\.244\.0\.5:80/);
    }
  });

  it('deletes with garbage collection of dependents', async () => {
    const owner = emu.store.get(
      { group: 'apps', resource: 'deployments' },
      'default',
      'green',
    )!;
    emu.store.create(
      { group: 'apps', resource: 'replicasets' },
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: 'green-123',
          namespace: 'default',
          labels: { app: 'web', version: 'green' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'green',
              uid: owner.metadata.uid!,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas: 3,
          selector: owner.spec.selector,
          template: owner.spec.template,
        },
      },
    );
    await expectKubectl(
      kubectl,
      ['delete', 'deployment', 'green'],
      'deployment.apps "green" deleted',
    );
    assert.equal(
      emu.store.get(
        { group: 'apps', resource: 'replicasets' },
        'default',
        'green-123',
      ),
      undefined,
    );
    await expectKubectlError(
      kubectl,
      ['get', 'deployment', 'green'],
      'Error from server (NotFound): deployments.apps "green" not found',
    );
  });

  it('server-side apply with kubectl apply --server-side, including a conflict', async () => {
    const file = join(dir, 'ssa.yaml');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n',
    );
    const apply = ['apply', '--server-side', '-f', file];
    await expectKubectl(kubectl, apply, 'configmap/ssa serverside-applied');
    await expectKubectl(kubectl, [
      'patch',
      'cm',
      'ssa',
      '--type',
      'merge',
      '-p',
      '{"data":{"a":"2"}}',
    ]);
    await expectKubectlError(
      kubectl,
      apply,
      /Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: \.data\.a/,
    );
    await expectKubectl(kubectl, [...apply, '--force-conflicts']);
    assert.deepEqual(
      emu.store.get({ group: '', resource: 'configmaps' }, 'default', 'ssa')
        ?.data,
      { a: '1' },
    );
  });

  it('creates a CRD with kubectl apply and serves its resources with validation', async () => {
    const crd = join(dir, 'crd.yaml');
    writeFileSync(
      crd,
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
`,
    );
    await expectKubectl(
      kubectl,
      ['apply', '-f', crd],
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created',
    );
    const good = join(dir, 'widget.yaml');
    writeFileSync(
      good,
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n',
    );
    await expectKubectl(
      kubectl,
      ['apply', '-f', good],
      'widget.example.com/w1 created',
    );
    assert.equal(header((await kubectl('get', 'wd')).stdout), 'NAME   SIZE');
    const bad = join(dir, 'widget-bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w2\nspec:\n  size: 0\n  colour: red\n',
    );
    // Strict field validation (fieldValidation=Strict) is what kubectl 1.25 and later ask for;
    // older clients get the schema's other errors only.
    await expectKubectlError(
      kubectl,
      ['apply', '-f', bad],
      (await kubectlMinor) >= 25
        ? /unknown field "spec\.colour"/
        : /spec\.size in body should be greater than or equal to 1/,
    );
  });

  it('replace with a stale resourceVersion fails with the Conflict error; with the current one it succeeds', async () => {
    await expectKubectl(kubectl, [
      'create',
      'configmap',
      'replace-me',
      '--from-literal=colour=blue',
    ]);
    const current = JSON.parse(
      (
        await expectKubectl(kubectl, [
          'get',
          'configmap',
          'replace-me',
          '-o',
          'json',
        ])
      ).stdout,
    );
    // Someone else changes it: the copy read above is now stale.
    await expectKubectl(kubectl, [
      'label',
      'configmap',
      'replace-me',
      'changed=yes',
    ]);
    const stale = join(dir, 'replace-stale.json');
    writeFileSync(
      stale,
      JSON.stringify({ ...current, data: { colour: 'green' } }),
    );
    await expectKubectlError(
      kubectl,
      ['replace', '-f', stale],
      `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on configmaps "replace-me": the object has been modified; please apply your changes to the latest version and try again`,
    );
    await expectKubectl(
      kubectl,
      ['get', 'configmap', 'replace-me', '-o', 'jsonpath={.data.colour}'],
      'blue',
    );
    const fresh = JSON.parse(
      (
        await expectKubectl(kubectl, [
          'get',
          'configmap',
          'replace-me',
          '-o',
          'json',
        ])
      ).stdout,
    );
    writeFileSync(
      stale,
      JSON.stringify({ ...fresh, data: { colour: 'green' } }),
    );
    await expectKubectl(
      kubectl,
      ['replace', '-f', stale],
      'configmap/replace-me replaced',
    );
    await expectKubectl(
      kubectl,
      ['get', 'configmap', 'replace-me', '-o', 'jsonpath={.data.colour}'],
      'green',
    );
  });

  it('api-resources lists the built-in kinds and the CRD kinds', async () => {
    const r = await expectKubectl(kubectl, ['api-resources']);
    const rows = r.stdout.trim().split('\n');
    assert.match(
      rows[0],
      /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\s*$/,
    );
    /** `<name> <apiVersion> <namespaced> <kind>` of every row, short names left out. */
    const listed = new Set(
      rows.slice(1).map(row => {
        const cols = row.trim().split(/\s+/);
        const [name, apiVersion, namespaced, kind] = [
          cols[0],
          ...cols.slice(-3),
        ];
        return `${name} ${apiVersion} ${namespaced} ${kind}`;
      }),
    );
    for (const row of [
      'namespaces v1 false Namespace',
      'pods v1 true Pod',
      'services v1 true Service',
      'endpoints v1 true Endpoints',
      'events v1 true Event',
      'configmaps v1 true ConfigMap',
      'deployments apps/v1 true Deployment',
      'replicasets apps/v1 true ReplicaSet',
      'endpointslices discovery.k8s.io/v1 true EndpointSlice',
      'events events.k8s.io/v1 true Event',
      'customresourcedefinitions apiextensions.k8s.io/v1 false CustomResourceDefinition',
      'gateways gateway.networking.k8s.io/v1 true Gateway',
      'httproutes gateway.networking.k8s.io/v1 true HTTPRoute',
      'gateways networking.istio.io/v1 true Gateway',
      'virtualservices networking.istio.io/v1 true VirtualService',
      'destinationrules networking.istio.io/v1 true DestinationRule',
      'canarydeliveries asm.alauda.io/v1alpha1 true CanaryDelivery',
      'canaryevents asm.alauda.io/v1alpha1 true CanaryEvent',
    ])
      assert.ok(listed.has(row), `missing "${row}" in:\n${r.stdout}`);
    // Short names as a real cluster (and the CRDs) declare them.
    assert.match(r.stdout, /^services\s+svc\s+v1\s+true\s+Service\s*$/m);
    assert.match(
      r.stdout,
      /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment\s*$/m,
    );
    assert.match(
      r.stdout,
      /^virtualservices\s+vs\s+networking\.istio\.io\/v1\s+true\s+VirtualService\s*$/m,
    );
    // A group narrows it to the CRD's kinds.
    await expectKubectl(
      kubectl,
      ['api-resources', '--api-group=asm.alauda.io', '-o', 'name'],
      'canarydeliveries.asm.alauda.io\ncanaryevents.asm.alauda.io',
    );
  });

  it('refuses writes with the read-only context', async () => {
    const readOnly = ['--context', 'kube-emulator-readonly'];
    await expectKubectlError(
      kubectl,
      [...readOnly, 'delete', 'svc', 'web'],
      'Error from server (Forbidden): services "web" is forbidden: User "kube-emulator-viewer" cannot delete resource "services" in API group "" in the namespace "default"',
    );
    await expectKubectl(
      kubectl,
      [...readOnly, 'get', 'svc', 'web', '-o', 'name'],
      'service/web',
    );
  });
});

describe('kubectl with the simulated controllers', () => {
  let emu: Emulator;
  let dir: string;
  let kubectl: ReturnType<typeof kubectlIn>;

  before(async () => {
    emu = await startTestEmulator({ controllers: true, podReadyDelayMs: 200 });
    dir = mkdtempSync(join(tmpdir(), 'kube-emulator-kubectl-'));
    kubectl = kubectlIn(emu, dir);
  });
  after(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rollout status returns once the Deployment is rolled out (watch headers are flushed)', async () => {
    await expectKubectl(kubectl, [
      'apply',
      '-f',
      join(seedDir, 'blue-deployment.yaml'),
    ]);
    const t0 = Date.now();
    await expectKubectl(
      kubectl,
      ['rollout', 'status', 'deployment/blue', '--timeout=20s'],
      /deployment "blue" successfully rolled out/,
    );
    assert.ok(Date.now() - t0 < 15_000);
  });

  // kubectl 1.32+ sends these typed-client writes as application/vnd.kubernetes.protobuf.
  it('kubectl create namespace / create deployment / scale / delete (protobuf bodies)', async () => {
    const pods = (ns: string) =>
      emu.store
        .list({ group: '', resource: 'pods' }, { namespace: ns })
        .filter(p => !p.metadata.deletionTimestamp);
    const shop = ['-n', 'shop'];
    const created = await expectKubectl(
      kubectl,
      ['create', 'namespace', 'shop', '-v=8'],
      'namespace/shop created',
    );
    // kubectl 1.32 and later send protobuf bodies for built-in kinds; older ones JSON.
    assert.match(
      created.stderr,
      (await kubectlMinor) >= 32
        ? /Content-Type: application\/vnd\.kubernetes\.protobuf/
        : /Request Body: \{"apiVersion":"v1","kind":"Namespace"/,
    );
    await expectKubectl(
      kubectl,
      ['get', 'namespace', 'shop'],
      /^shop\s+Active\s+/m,
    );

    await expectKubectl(
      kubectl,
      [
        'create',
        'deployment',
        'web',
        '--image=nginx:1.27',
        '--replicas=2',
        '--port=80',
        ...shop,
      ],
      'deployment.apps/web created',
    );
    const stored = emu.store.get(
      { group: 'apps', resource: 'deployments' },
      'shop',
      'web',
    )!;
    assert.equal(stored.spec.replicas, 2);
    assert.deepEqual(stored.spec.selector, { matchLabels: { app: 'web' } });
    assert.deepEqual(stored.spec.template.spec.containers[0].ports, [
      { containerPort: 80, protocol: 'TCP' },
    ]);
    assert.equal(stored.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(stored.metadata.labels?.app, 'web');
    const rollout = [
      'rollout',
      'status',
      'deployment/web',
      ...shop,
      '--timeout=20s',
    ];
    await expectKubectl(kubectl, rollout);
    assert.equal(pods('shop').length, 2);
    // As on a real cluster: the controller's revision annotation does not bump the generation.
    await expectKubectl(
      kubectl,
      [
        'get',
        'deployment',
        'web',
        ...shop,
        '-o',
        'jsonpath={.metadata.generation}/{.status.observedGeneration}/{.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
      ],
      '1/1/1',
    );

    await expectKubectl(kubectl, [
      'create',
      'deployment',
      'idle',
      '--image=nginx',
      '--replicas=0',
      ...shop,
    ]);
    assert.equal(
      emu.store.get({ group: 'apps', resource: 'deployments' }, 'shop', 'idle')
        ?.spec.replicas,
      0,
      'an explicit replicas: 0 is kept (a pointer field set to zero)',
    );

    await expectKubectl(
      kubectl,
      ['scale', 'deployment', 'web', '--replicas=4', ...shop],
      'deployment.apps/web scaled',
    );
    await expectKubectl(kubectl, rollout);
    await expectKubectl(
      kubectl,
      ['get', 'deployment', 'web', ...shop],
      /^web\s+4\/4\s+4\s+4\s+/m,
    );

    await expectKubectl(
      kubectl,
      ['delete', 'deployment', 'web', ...shop],
      'deployment.apps "web" deleted',
    );
    await expectKubectlError(
      kubectl,
      ['get', 'deployment', 'web', ...shop],
      /Error from server \(NotFound\): deployments.apps "web" not found/,
    );
    const deadline = Date.now() + 10_000;
    while (
      pods('shop').some(p => p.metadata.labels?.app === 'web') &&
      Date.now() < deadline
    )
      await new Promise(r => setTimeout(r, 100));
    assert.equal(
      pods('shop').filter(p => p.metadata.labels?.app === 'web').length,
      0,
      'the pods were garbage-collected with the Deployment',
    );
    await expectKubectl(
      kubectl,
      ['delete', 'namespace', 'shop'],
      'namespace "shop" deleted',
    );
  });

  it('set image rolls to a new ReplicaSet and scales the old one to zero', async () => {
    const ns = ['-n', 'images'];
    await expectKubectl(kubectl, ['create', 'namespace', 'images']);
    await expectKubectl(kubectl, [
      'create',
      'deployment',
      'web',
      '--image=nginx:1.26',
      '--replicas=3',
      ...ns,
    ]);
    const rollout = [
      'rollout',
      'status',
      'deployment/web',
      ...ns,
      '--timeout=20s',
    ];
    await expectKubectl(kubectl, rollout);
    const replicaSets = async () =>
      (
        await expectKubectl(kubectl, [
          'get',
          'rs',
          ...ns,
          '-l',
          'app=web',
          '-o',
          'jsonpath={range .items[*]}{.metadata.name} {.spec.template.spec.containers[0].image} {.spec.replicas} {.status.replicas} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}{"\\n"}{end}',
        ])
      ).stdout
        .trim()
        .split('\n')
        .map(line => {
          const [name, image, spec, status, revision] = line.split(' ');
          return { name, image, spec, status, revision };
        });
    const [first] = await replicaSets();
    assert.deepEqual(
      { ...first, name: undefined },
      {
        name: undefined,
        image: 'nginx:1.26',
        spec: '3',
        status: '3',
        revision: '1',
      },
    );

    await expectKubectl(
      kubectl,
      ['set', 'image', 'deployment/web', 'nginx=nginx:1.27', ...ns],
      'deployment.apps/web image updated',
    );
    await expectKubectl(
      kubectl,
      rollout,
      /deployment "web" successfully rolled out/,
    );
    const after2 = await replicaSets();
    assert.equal(after2.length, 2, JSON.stringify(after2));
    const old = after2.find(rs => rs.name === first.name)!;
    const current = after2.find(rs => rs.name !== first.name)!;
    assert.deepEqual(
      { image: old.image, spec: old.spec, status: old.status },
      { image: 'nginx:1.26', spec: '0', status: '0' },
    );
    assert.deepEqual(
      {
        image: current.image,
        spec: current.spec,
        status: current.status,
        revision: current.revision,
      },
      { image: 'nginx:1.27', spec: '3', status: '3', revision: '2' },
    );
    // The table a user looks at: the old ReplicaSet at 0/0/0, the new one ready.
    const table = await expectKubectl(kubectl, ['get', 'rs', ...ns]);
    assert.match(
      table.stdout,
      new RegExp(`^${first.name}\\s+0\\s+0\\s+0\\s+`, 'm'),
    );
    assert.match(
      table.stdout,
      new RegExp(`^${current.name}\\s+3\\s+3\\s+3\\s+`, 'm'),
    );
    // Every pod runs the new image.
    await expectKubectl(
      kubectl,
      [
        'get',
        'pods',
        ...ns,
        '-l',
        'app=web',
        '--field-selector=status.phase=Running',
        '-o',
        'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}',
      ],
      'nginx:1.27\nnginx:1.27\nnginx:1.27',
    );
    await expectKubectl(kubectl, [
      'rollout',
      'history',
      'deployment/web',
      ...ns,
    ]);
    await expectKubectl(kubectl, ['delete', 'namespace', 'images']);
  });

  it('kubectl create service, configmap and secret (protobuf bodies)', async () => {
    await expectKubectl(kubectl, ['create', 'namespace', 'pb']);
    for (const [args, created] of [
      [['service', 'clusterip', 'api', '--tcp=80:8080'], 'service/api'],
      [
        ['configmap', 'cfg', '--from-literal=a=b', '--from-literal=empty='],
        'configmap/cfg',
      ],
      [['secret', 'generic', 'pw', '--from-literal=p=q'], 'secret/pw'],
    ] as const) {
      await expectKubectl(
        kubectl,
        ['create', ...args, '-n', 'pb'],
        `${created} created`,
      );
    }
    const svc = emu.store.get(
      { group: '', resource: 'services' },
      'pb',
      'api',
    )!;
    assert.deepEqual(svc.spec.ports, [
      { name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 },
    ]);
    assert.deepEqual(svc.spec.selector, { app: 'api' });
    assert.deepEqual(
      emu.store.get({ group: '', resource: 'configmaps' }, 'pb', 'cfg')!.data,
      { a: 'b', empty: '' },
    );
    const secret = emu.store.get(
      { group: '', resource: 'secrets' },
      'pb',
      'pw',
    )!;
    assert.deepEqual(secret.data, { p: Buffer.from('q').toString('base64') });
    assert.equal(secret.type, 'Opaque');
  });
});

describe('kubectl against the demo scenario', () => {
  it("picks the live run with the document's --sort-by command, and shows the past runs' true ages", async () => {
    const emu = await startTestEmulator({
      scenario: 'demo',
      controllers: true,
      timeScale: 60,
      podReadyDelayMs: 200,
    });
    const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-kubectl-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, emu.kubeconfig);
    const sh = (command: string) =>
      new Promise<Run>(resolve =>
        execFile(
          'bash',
          ['-c', command],
          {
            timeout: 30_000,
            env: { ...process.env, KUBECONFIG: kubeconfig },
          },
          (err, stdout, stderr) =>
            resolve({ code: err ? 1 : 0, stdout, stderr }),
        ),
      );
    const events = { group: 'asm.alauda.io', resource: 'canaryevents' };
    try {
      const deadline = Date.now() + 10_000;
      let live: string | undefined;
      while (!live && Date.now() < deadline) {
        live = emu.store
          .list(events, { namespace: 'flagger-demo' })
          .find(
            e =>
              e.metadata.labels?.['asm.cpaas.io/msname'] === 'canary-demo' &&
              e.spec.phase === 'Progressing',
          )?.metadata.name;
        if (!live) await new Promise(r => setTimeout(r, 100));
      }
      assert.ok(live, 'the live run has its CanaryEvent');
      const newest = await sh(
        "kubectl get canaryevents.asm.alauda.io -n flagger-demo -l asm.cpaas.io/msname=canary-demo --sort-by='{.metadata.creationTimestamp}' -o name | tail -n 1",
      );
      assert.equal(newest.code, 0, newest.stderr);
      assert.equal(newest.stdout.trim(), `canaryevent.asm.alauda.io/${live}`);
      const list = await sh(
        'kubectl get canaryevents.asm.alauda.io -n flagger-demo -l asm.cpaas.io/msname=canary-demo',
      );
      assert.equal(list.code, 0, list.stderr);
      const ages = list.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map(line => line.trim().split(/\s+/).pop()!);
      assert.equal(ages.length, 4, list.stdout);
      assert.ok(
        ages.filter(age => /^\d+(h|d)/.test(age)).length >= 3,
        `past runs show hours or days:\n${list.stdout}`,
      );
    } finally {
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('older and newer kubectl minors', () => {
  const sdkBin = '/usr/lib/google-cloud-sdk/bin';
  for (const minor of ['1.27', '1.33']) {
    const binary = join(sdkBin, `kubectl.${minor}`);
    // The dispatcher's side-by-side minors; a machine with one kubectl says so in the report.
    const skip = existsSync(binary)
      ? false
      : `${binary} is not installed (only the kubectl on the PATH is tested)`;
    it(`kubectl ${minor} applies, gets and describes`, { skip }, async () => {
      const emu = await startTestEmulator();
      const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-kubectl-'));
      const run = kubectlIn(emu, dir, binary);
      const apply = (file: string, expected?: string) =>
        expectKubectl(run, ['apply', '-f', join(seedDir, file)], expected);
      try {
        await apply('blue-deployment.yaml');
        await apply('web-service.yaml');
        await apply('istio.yaml');
        await apply('httproute.yaml');
        await apply(
          'httproute2.yaml',
          'httproute.gateway.networking.k8s.io/web configured',
        );
        assert.equal(
          header((await run('get', 'deploy')).stdout),
          'NAME   READY   UP-TO-DATE   AVAILABLE   AGE',
        );
        await expectKubectl(run, ['describe', 'service', 'web'], /Endpoints:/);
        // 1.27 sends JSON, 1.33 protobuf for these typed-client writes.
        const typed = ['-n', 'typed'];
        await expectKubectl(
          run,
          ['create', 'namespace', 'typed'],
          'namespace/typed created',
        );
        await expectKubectl(
          run,
          ['create', 'deployment', 'api', '--image=nginx', ...typed],
          'deployment.apps/api created',
        );
        await expectKubectl(
          run,
          ['scale', 'deploy/api', '--replicas=3', ...typed],
          'deployment.apps/api scaled',
        );
        assert.equal(
          emu.store.get(
            { group: 'apps', resource: 'deployments' },
            'typed',
            'api',
          )?.spec.replicas,
          3,
        );
        await expectKubectl(
          run,
          ['delete', 'namespace', 'typed'],
          'namespace "typed" deleted',
        );
      } finally {
        await emu.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
