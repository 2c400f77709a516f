import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClock } from '../clock';
import { createMemoryStore } from '../store/memoryStore';
import { R } from './resources';
import { EventRecorder } from './runtime';

describe('EventRecorder', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      uid: 'u1',
      resourceVersion: '7',
    },
  };

  it('aggregates repeats into count and lastTimestamp, as client-go does', () => {
    const store = createMemoryStore();
    const recorder = new EventRecorder(store, createClock(1));
    recorder.warning(pod, 'Unhealthy', 'Readiness probe failed', {
      component: 'kubelet',
      host: 'node-1',
    });
    recorder.warning(pod, 'Unhealthy', 'Readiness probe failed', {
      component: 'kubelet',
      host: 'node-1',
    });
    recorder.normal(pod, 'Started', 'Started container web', {
      component: 'kubelet',
      host: 'node-1',
    });
    const events = store.list(R.events, { namespace: 'default' });
    assert.equal(events.length, 2);
    const unhealthy = events.find(e => e.reason === 'Unhealthy')! as any;
    assert.equal(unhealthy.count, 2);
    assert.equal(unhealthy.type, 'Warning');
    assert.deepEqual(unhealthy.involvedObject, {
      kind: 'Pod',
      namespace: 'default',
      name: 'web-1',
      uid: 'u1',
      apiVersion: 'v1',
      resourceVersion: '7',
    });
    assert.deepEqual(unhealthy.source, {
      component: 'kubelet',
      host: 'node-1',
    });
    assert.equal(unhealthy.reportingComponent, 'kubelet');
    assert.match(unhealthy.metadata.name, /^web-1\.[0-9a-f]+$/);
  });

  it('prunes events past their TTL and beyond the per-namespace cap', () => {
    const store = createMemoryStore();
    const recorder = new EventRecorder(store, createClock(1));
    for (let i = 0; i < 5; i++)
      recorder.normal(pod, 'Started', `message ${i}`, { component: 'kubelet' });
    const [first] = store.list(R.events, { namespace: 'default' });
    store.modify(
      R.events,
      'default',
      first.metadata.name,
      ev => void ((ev as any).lastTimestamp = '2020-01-01T00:00:00Z'),
    );
    recorder.prune(3_600_000, 3);
    const left = store.list(R.events, { namespace: 'default' });
    assert.equal(left.length, 3);
    assert.ok(!left.some(e => e.metadata.name === first.metadata.name));
  });
});
