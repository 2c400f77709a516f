/**
 * Shares one cluster read among the requests for the same rollout that arrive together, so 50
 * open pages cost the cluster one read instead of 50, without ever answering with state read
 * before the request arrived: a request that finds a read in flight waits for the next one,
 * which starts when the current one ends and is shared by everyone who waits for it.
 * At most two reads per key are alive at any time (the running one and the queued one).
 * @public
 */
export class ReadCoalescer<T> {
  private readonly running = new Map<string, Promise<T>>();
  private readonly queued = new Map<string, Promise<T>>();

  /** `read` starts after this call; its result (or error) is shared with the others waiting. */
  run(key: string, read: () => Promise<T>): Promise<T> {
    const queued = this.queued.get(key);
    if (queued) return queued;
    const current = this.running.get(key);
    if (!current) return this.start(key, read);
    const next = current
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.queued.delete(key);
        return this.start(key, read);
      });
    this.queued.set(key, next);
    return next;
  }

  /** Reads in flight or queued, for tests and diagnostics. */
  get size(): number {
    return this.running.size + this.queued.size;
  }

  private start(key: string, read: () => Promise<T>): Promise<T> {
    const flight = Promise.resolve()
      .then(read)
      .finally(() => {
        if (this.running.get(key) === flight) this.running.delete(key);
      });
    this.running.set(key, flight);
    return flight;
  }
}
