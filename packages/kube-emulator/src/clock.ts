import type { Clock } from './store/types';

/**
 * Creates simulated time. `timeScale` 60 means one simulated minute passes in one real second.
 * Timers are unref'd so a running clock never keeps the process alive on its own.
 * @public
 */
export function createClock(timeScale = 1): Clock {
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  }
  const real = (simulatedMs: number) => Math.max(0, simulatedMs / timeScale);
  return {
    timeScale,
    real,
    after(simulatedMs, fn) {
      const timer = setTimeout(fn, real(simulatedMs));
      timer.unref?.();
      return () => clearTimeout(timer);
    },
    every(simulatedMs, fn) {
      // setInterval with 0 would spin; 1ms is the smallest useful real period.
      const timer = setInterval(fn, Math.max(1, real(simulatedMs)));
      timer.unref?.();
      return () => clearInterval(timer);
    },
    now: () => Date.now(),
  };
}
