/**
 * Emulator benchmarks (figures only, no assertions on time):
 *  1. list 10,000 CanaryEvents by label selector over HTTPS (p50, p99)
 *  2. 100 concurrent watches through 1,000 updates (events lost or reordered must be 0)
 *  3. heap per 10,000 stored objects
 */
import { Agent, request } from 'node:https';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEmulator, type Emulator } from '../src/index';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const canaryEvents = { group: 'asm.alauda.io', resource: 'canaryevents' };

function percentile(sorted: number[], p: number): number {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

function get(
  emu: Emulator,
  agent: Agent,
  path: string,
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${emu.url}${path}`,
      {
        agent,
        ca: emu.caCert,
        headers: { Authorization: `Bearer ${emu.token}` },
      },
      res => {
        let bytes = 0;
        res.on('data', c => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function canaryEvent(i: number) {
  return {
    apiVersion: 'asm.alauda.io/v1alpha1',
    kind: 'CanaryEvent',
    metadata: {
      name: `ev-${String(i).padStart(5, '0')}`,
      namespace: 'default',
      labels: {
        'asm.cpaas.io/msname': `svc-${i % 100}`,
        phase: i % 3 ? 'Succeeded' : 'Failed',
      },
    },
    spec: {
      phase: 'Succeeded',
      canaryWeight: i % 50,
      message: `Advance canary weight ${i % 50}`,
    },
  };
}

async function benchList(emu: Emulator) {
  for (let i = 0; i < 10_000; i++)
    emu.store.create(canaryEvents, canaryEvent(i));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const runs = async (path: string, n: number) => {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await get(emu, agent, path);
      times.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
      bytes = r.bytes;
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p99: percentile(times, 99), bytes };
  };
  const base = '/apis/asm.alauda.io/v1alpha1/namespaces/default/canaryevents';
  const selective = await runs(
    `${base}?labelSelector=${encodeURIComponent('asm.cpaas.io/msname=svc-7')}`,
    200,
  );
  const setBased = await runs(
    `${base}?labelSelector=${encodeURIComponent(
      'asm.cpaas.io/msname in (svc-1,svc-2),phase!=Failed',
    )}`,
    200,
  );
  const all = await runs(base, 30);
  agent.destroy();
  console.log('1. list 10,000 CanaryEvents over HTTPS');
  console.log(
    `   label selector (100 matches):      p50 ${selective.p50.toFixed(
      2,
    )} ms  p99 ${selective.p99.toFixed(2)} ms  (${selective.bytes} bytes)`,
  );
  console.log(
    `   set-based selector (~134 matches): p50 ${setBased.p50.toFixed(
      2,
    )} ms  p99 ${setBased.p99.toFixed(2)} ms  (${setBased.bytes} bytes)`,
  );
  console.log(
    `   no selector (10,000 items):        p50 ${all.p50.toFixed(
      2,
    )} ms  p99 ${all.p99.toFixed(2)} ms  (${all.bytes} bytes)`,
  );
}

async function benchWatches(emu: Emulator) {
  const watchers = 100;
  const updates = 1000;
  const cm = emu.store.create(
    { group: '', resource: 'configmaps' },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'counter', namespace: 'default' },
      data: { n: '0' },
    },
  );
  const agent = new Agent({ keepAlive: true, maxSockets: watchers + 5 });
  const received: number[][] = Array.from({ length: watchers }, () => []);
  const ready: Promise<void>[] = [];
  const requests: ReturnType<typeof request>[] = [];
  const done: Promise<void>[] = [];
  for (let w = 0; w < watchers; w++) {
    let onReady!: () => void;
    let onDone!: () => void;
    ready.push(new Promise(r => (onReady = r)));
    done.push(new Promise(r => (onDone = r)));
    const req = request(
      `${emu.url}/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dcounter&resourceVersion=${cm.metadata.resourceVersion}`,
      {
        agent,
        ca: emu.caCert,
        headers: { Authorization: `Bearer ${emu.token}` },
      },
      res => {
        onReady();
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          for (
            let nl = buffer.indexOf('\n');
            nl >= 0;
            nl = buffer.indexOf('\n')
          ) {
            const event = JSON.parse(buffer.slice(0, nl));
            buffer = buffer.slice(nl + 1);
            received[w].push(Number(event.object.data.n));
            if (received[w].length === updates) onDone();
          }
        });
      },
    );
    req.end();
    requests.push(req);
  }
  await Promise.all(ready);
  const t0 = performance.now();
  for (let i = 1; i <= updates; i++) {
    emu.store.modify(
      { group: '', resource: 'configmaps' },
      'default',
      'counter',
      o => {
        o.data = { n: String(i) };
      },
    );
    if (i % 50 === 0) await new Promise(r => setImmediate(r));
  }
  const timeout = new Promise<void>(r => setTimeout(r, 30_000).unref());
  await Promise.race([Promise.all(done), timeout]);
  const elapsed = performance.now() - t0;
  let lost = 0;
  let reordered = 0;
  for (const seq of received) {
    lost += updates - seq.length;
    for (let i = 1; i < seq.length; i++)
      if (seq[i] !== seq[i - 1] + 1) reordered++;
  }
  for (const r of requests) r.destroy();
  agent.destroy();
  console.log(`2. ${watchers} concurrent watches through ${updates} updates`);
  console.log(
    `   ${watchers * updates - lost} events delivered in ${elapsed.toFixed(
      0,
    )} ms; lost ${lost}, reordered ${reordered}`,
  );
  if (lost || reordered) process.exitCode = 1;
}

async function benchHeap() {
  const { createMemoryStore } = await import('../src/store/memoryStore');
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = createMemoryStore({ historySize: 1 });
  for (let i = 0; i < 10_000; i++) store.create(canaryEvents, canaryEvent(i));
  store.compact();
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log('3. heap per 10,000 stored CanaryEvents (history compacted)');
  console.log(
    `   ${((after - before) / 1024 / 1024).toFixed(1)} MiB (${(
      (after - before) /
      10_000 /
      1024
    ).toFixed(2)} KiB per object); store holds ${store.size()} objects`,
  );
}

async function main() {
  const emu = await startEmulator({ controllers: false });
  try {
    await benchList(emu);
    await benchWatches(emu);
  } finally {
    await emu.stop();
  }
  await benchHeap();
}

void main();
