import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { RolloutResponse } from '@kube-rollouts/plugin-rollouts-common';
import { rolloutsApiRef } from '../api';
import { activePhases } from '../utils/labels';

/** How often to poll, by what the rollout is doing. */
export interface RolloutPollIntervals {
  /** While traffic may move on its own (Progressing, Promoting). */
  activeMs: number;
  /** While stable, paused or finished. */
  idleMs: number;
}

/**
 * The default poll intervals: a change made outside the portal (kubectl, GitOps, Flagger) shows
 * within 5 s while a rollout moves, within 15 s while it is stable.
 */
export const defaultPollIntervals: RolloutPollIntervals = {
  activeMs: 5_000,
  idleMs: 15_000,
};

/** @public */
export interface UseRolloutResult {
  /** The last response; kept while a refresh is in flight or after a failed refresh. */
  value?: RolloutResponse;
  /** The error of the last request; with `value` set it means the view is stale. */
  error?: Error;
  /** True only until the first response or error: refreshes never blank the page. */
  loading: boolean;
  /** Ask the backend again now. */
  refresh: () => void;
}

/**
 * The entity's rollout (none for an empty `entityRef`), kept fresh: polled fast while a rollout
 * progresses and slowly otherwise, never two requests at a time, no poll while the browser tab
 * is hidden and one as soon as it is shown again.
 */
export function useRollout(
  entityRef: string,
  intervals: RolloutPollIntervals = defaultPollIntervals,
): UseRolloutResult {
  const rolloutsApi = useApi(rolloutsApiRef);
  const [state, setState] = useState<{
    entityRef: string;
    value?: RolloutResponse;
    error?: Error;
    loading: boolean;
  }>({ entityRef, loading: true });

  const inFlight = useRef<
    { entityRef: string; request: Promise<void>; token: object } | undefined
  >(undefined);
  const again = useRef<(() => Promise<void>) | undefined>(undefined);
  const current = useRef(entityRef);
  current.current = entityRef;

  const load = useCallback((): Promise<void> => {
    if (!entityRef) {
      return Promise.resolve();
    }
    if (inFlight.current?.entityRef === entityRef) {
      // Coalesce: one more request after the one in flight, however many callers asked
      again.current = load;
      return inFlight.current.request;
    }
    const token = {};
    let settled = false;
    const request = (async () => {
      try {
        const value = await rolloutsApi.getRollout(entityRef);
        if (current.current === entityRef) {
          setState({ entityRef, value, loading: false });
        }
      } catch (error) {
        if (current.current === entityRef) {
          setState(previous => ({
            entityRef,
            value:
              previous.entityRef === entityRef ? previous.value : undefined,
            error: error as Error,
            loading: false,
          }));
        }
      } finally {
        if (inFlight.current?.token === token) {
          inFlight.current = undefined;
        }
      }
      settled = true;
      const next = again.current;
      again.current = undefined;
      if (next && current.current === entityRef) {
        await next();
      }
    })();
    if (!settled) {
      inFlight.current = { entityRef, request, token };
    }
    return request;
  }, [rolloutsApi, entityRef]);

  // First load, and again whenever the entity changes
  useEffect(() => {
    setState({ entityRef, loading: true });
    load();
  }, [entityRef, load]);

  // Poll: fast while any cluster's rollout progresses
  const active =
    state.value?.rollouts.some(view => activePhases.has(view.phase)) ?? false;
  const delay = active ? intervals.activeMs : intervals.idleMs;
  useEffect(() => {
    const timer = setInterval(() => {
      if (typeof document !== 'undefined' && document.hidden) {
        return;
      }
      load();
    }, delay);
    return () => clearInterval(timer);
  }, [delay, load]);

  // Catch up at once when the browser tab is shown again
  useEffect(() => {
    if (typeof document === 'undefined') {
      return undefined;
    }
    const onVisibilityChange = () => {
      if (!document.hidden) {
        load();
      }
    };
    document.addEventListener('visibilitychange', onVisibilityChange);
    return () =>
      document.removeEventListener('visibilitychange', onVisibilityChange);
  }, [load]);

  const refresh = useCallback(() => {
    load();
  }, [load]);

  const isCurrent = state.entityRef === entityRef;
  return {
    value: isCurrent ? state.value : undefined,
    error: isCurrent ? state.error : undefined,
    loading: isCurrent ? state.loading : true,
    refresh,
  };
}
