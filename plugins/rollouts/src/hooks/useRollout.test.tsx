import type { ReactNode } from 'react';
import { act, renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import type { RolloutResponse } from '@kube-rollouts/plugin-rollouts-common';
import { rolloutsApiRef } from '../api';
import {
  canaryDeliveryView,
  responseOf,
  serviceSelectorView,
} from '../__testUtils__/fixtures';
import { mockRolloutsApi } from '../__testUtils__/render';
import { useRollout } from './useRollout';

const intervals = { activeMs: 1_000, idleMs: 10_000 };

function setup(getRollout: jest.Mock, initialRef = 'component:default/web') {
  const rolloutsApi = mockRolloutsApi({ getRollout });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestApiProvider apis={[[rolloutsApiRef, rolloutsApi]]}>
      {children}
    </TestApiProvider>
  );
  return renderHook(
    ({ entityRef }: { entityRef: string }) => useRollout(entityRef, intervals),
    { wrapper, initialProps: { entityRef: initialRef } },
  );
}

describe('useRollout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('polls fast while a rollout progresses and slowly once it is stable', async () => {
    const getRollout = jest
      .fn()
      .mockResolvedValueOnce(responseOf(canaryDeliveryView))
      .mockResolvedValueOnce(responseOf(canaryDeliveryView))
      .mockResolvedValue(responseOf(serviceSelectorView));
    const { result } = setup(getRollout);
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.value?.rollouts[0].phase).toBe('Progressing');

    await act(() => jest.advanceTimersByTimeAsync(1_000));
    expect(getRollout).toHaveBeenCalledTimes(2);
    await act(() => jest.advanceTimersByTimeAsync(1_000));
    expect(getRollout).toHaveBeenCalledTimes(3);
    expect(result.current.value?.rollouts[0].phase).toBe('Stable');

    // Stable: nothing for the next 9 seconds, then one request
    await act(() => jest.advanceTimersByTimeAsync(9_000));
    expect(getRollout).toHaveBeenCalledTimes(3);
    await act(() => jest.advanceTimersByTimeAsync(1_000));
    expect(getRollout).toHaveBeenCalledTimes(4);
  });

  it('never has two requests in flight: callers during a request get one more request after it', async () => {
    let resolveFirst: (value: RolloutResponse) => void = () => {};
    const getRollout = jest
      .fn()
      .mockImplementationOnce(
        () => new Promise<RolloutResponse>(resolve => (resolveFirst = resolve)),
      )
      .mockResolvedValue(responseOf(serviceSelectorView));
    const { result } = setup(getRollout);
    act(() => {
      result.current.refresh();
      result.current.refresh();
      result.current.refresh();
    });
    expect(getRollout).toHaveBeenCalledTimes(1);
    await act(async () => resolveFirst(responseOf(serviceSelectorView)));
    await waitFor(() => expect(getRollout).toHaveBeenCalledTimes(2));
    expect(result.current.loading).toBe(false);
  });

  it('keeps the last value when a refresh fails, and reports the error', async () => {
    const getRollout = jest
      .fn()
      .mockResolvedValueOnce(responseOf(serviceSelectorView))
      .mockRejectedValueOnce(new Error('Bad gateway'))
      .mockResolvedValue(responseOf(serviceSelectorView));
    const { result } = setup(getRollout);
    await waitFor(() => expect(result.current.value).toBeDefined());
    await act(async () => result.current.refresh());
    await waitFor(() =>
      expect(result.current.error?.message).toBe('Bad gateway'),
    );
    expect(result.current.value?.rollouts[0].phase).toBe('Stable');
    await act(async () => result.current.refresh());
    await waitFor(() => expect(result.current.error).toBeUndefined());
  });

  it('does not poll while the browser tab is hidden, and catches up when it is shown', async () => {
    const getRollout = jest
      .fn()
      .mockResolvedValue(responseOf(canaryDeliveryView));
    const hidden = jest.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    try {
      setup(getRollout);
      await waitFor(() => expect(getRollout).toHaveBeenCalledTimes(1));
      await act(() => jest.advanceTimersByTimeAsync(5_000));
      expect(getRollout).toHaveBeenCalledTimes(1);
      hidden.mockReturnValue(false);
      act(() => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await waitFor(() => expect(getRollout).toHaveBeenCalledTimes(2));
    } finally {
      hidden.mockRestore();
    }
  });

  it('asks nothing for an entity without a rollout', async () => {
    const getRollout = jest.fn();
    const { result } = setup(getRollout, '');
    await act(() => jest.advanceTimersByTimeAsync(20_000));
    expect(getRollout).not.toHaveBeenCalled();
    expect(result.current.value).toBeUndefined();
  });
});
