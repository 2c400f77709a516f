import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { RolloutEventsResponse } from '@kube-rollouts/plugin-rollouts-common';
import { rolloutsApiRef } from '../api';

/** @public */
export interface UseRolloutEventsResult {
  value?: RolloutEventsResponse;
  error?: Error;
  loading: boolean;
  /** 1-based page number, newest page first. */
  page: number;
  hasOlder: boolean;
  hasNewer: boolean;
  showOlder: () => void;
  showNewer: () => void;
}

/**
 * One page of an entity's rollout history on one cluster. Cursor pagination: the cursors of the
 * pages seen so far are kept, so "newer" goes back without asking the backend for a cursor. The
 * page in view is reloaded when `changeKey` changes (the rollout moved), keeping the old rows on
 * screen until the new ones arrive.
 */
export function useRolloutEvents(
  entityRef: string,
  cluster: string,
  changeKey: string,
  pageSize = 10,
): UseRolloutEventsResult {
  const rolloutsApi = useApi(rolloutsApiRef);
  // cursors[i] is the cursor of page i + 1; the first page has none
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);

  // Back to the newest page when the cluster changes
  useEffect(() => {
    setCursors([undefined]);
  }, [entityRef, cluster]);

  const cursor = cursors[cursors.length - 1];
  const { value, error, loading, retry } = useAsyncRetry(
    () =>
      rolloutsApi.getRolloutEvents(entityRef, {
        cluster,
        limit: pageSize,
        cursor,
      }),
    [rolloutsApi, entityRef, cluster, cursor, pageSize],
  );

  // Reload the page in view when the rollout changed, but not on the first render
  const [lastChangeKey, setLastChangeKey] = useState(changeKey);
  useEffect(() => {
    if (changeKey !== lastChangeKey) {
      setLastChangeKey(changeKey);
      retry();
    }
  }, [changeKey, lastChangeKey, retry]);

  const showOlder = useCallback(() => {
    if (value?.nextCursor) {
      setCursors(previous => [...previous, value.nextCursor]);
    }
  }, [value]);
  const showNewer = useCallback(() => {
    setCursors(previous =>
      previous.length > 1 ? previous.slice(0, -1) : previous,
    );
  }, []);

  return {
    value,
    error,
    loading,
    page: cursors.length,
    hasOlder: Boolean(value?.nextCursor),
    hasNewer: cursors.length > 1,
    showOlder,
    showNewer,
  };
}
