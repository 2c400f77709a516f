import { ReadCoalescer } from './ReadCoalescer';

/** A read the test finishes by hand, counting how often it was started. */
function controlledReads() {
  const pending: { resolve(v: number): void; reject(e: Error): void }[] = [];
  let started = 0;
  const read = () =>
    new Promise<number>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  const flush = () => new Promise(r => setImmediate(r));
  return { read, pending, flush, started: () => started };
}

describe('ReadCoalescer', () => {
  it('starts one read for requests that arrive while none is running, and gives each the result', async () => {
    const coalescer = new ReadCoalescer<number>();
    const reads = controlledReads();
    const first = coalescer.run('web', reads.read);
    await reads.flush();
    expect(reads.started()).toBe(1);
    reads.pending[0].resolve(1);
    expect(await first).toBe(1);
    expect(coalescer.size).toBe(0);
  });

  it('makes requests that arrive during a read wait for one fresh read, started after they arrived', async () => {
    const coalescer = new ReadCoalescer<number>();
    const reads = controlledReads();
    const early = coalescer.run('web', reads.read);
    await reads.flush();
    const late = Array.from({ length: 49 }, () =>
      coalescer.run('web', reads.read),
    );
    await reads.flush();
    // The 49 late requests must not get the first read: it started before they arrived.
    expect(reads.started()).toBe(1);
    reads.pending[0].resolve(1);
    expect(await early).toBe(1);
    await reads.flush();
    expect(reads.started()).toBe(2);
    reads.pending[1].resolve(2);
    expect(await Promise.all(late)).toEqual(Array(49).fill(2));
    expect(coalescer.size).toBe(0);
  });

  it('shares an error with the requests of the same read only', async () => {
    const coalescer = new ReadCoalescer<number>();
    const reads = controlledReads();
    const failing = coalescer.run('web', reads.read);
    await reads.flush();
    const next = coalescer.run('web', reads.read);
    reads.pending[0].reject(new Error('cluster embedded is unreachable'));
    await expect(failing).rejects.toThrow('cluster embedded is unreachable');
    await reads.flush();
    reads.pending[1].resolve(7);
    expect(await next).toBe(7);
  });

  it('keeps different rollouts apart', async () => {
    const coalescer = new ReadCoalescer<string>();
    const a = coalescer.run('a', async () => 'a');
    const b = coalescer.run('b', async () => 'b');
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
  });

  it('turns a read that throws synchronously into a rejection', async () => {
    const coalescer = new ReadCoalescer<number>();
    await expect(
      coalescer.run('web', () => {
        throw new Error('bad target');
      }),
    ).rejects.toThrow('bad target');
    expect(coalescer.size).toBe(0);
  });
});
