import { act, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { canaryDeliveryView } from '../../__testUtils__/fixtures';
import { CanaryAnalysisPanel, canarySteps } from './CanaryAnalysisPanel';

const analysis = canaryDeliveryView.analysis!;

describe('CanaryAnalysisPanel', () => {
  it('lists the weights of a run from 0 to maxWeight in stepWeight steps', () => {
    expect(canarySteps(analysis)).toEqual([
      0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50,
    ]);
    expect(
      canarySteps({ ...analysis, stepWeight: 100, maxWeight: 100 }),
    ).toEqual([0, 100]);
    expect(canarySteps({ ...analysis, stepWeight: 20, maxWeight: 50 })).toEqual(
      [0, 20, 40, 50],
    );
  });

  it('shows the measures that are not there yet and no countdown without a run', async () => {
    await renderInTestApp(
      <CanaryAnalysisPanel
        analysis={{
          ...analysis,
          lastSuccessRate: undefined,
          lastResponseTimeMs: undefined,
          nextCheckAt: undefined,
        }}
      />,
    );
    expect(screen.getAllByText('not measured yet')).toHaveLength(2);
    expect(screen.getByText('no run in progress')).toBeInTheDocument();
    expect(screen.getByText('(max 500 ms)')).toBeInTheDocument();
  });

  it('counts down to the next check', async () => {
    jest.useFakeTimers();
    try {
      await renderInTestApp(
        <CanaryAnalysisPanel
          analysis={{
            ...analysis,
            nextCheckAt: new Date(Date.now() + 3_000).toISOString(),
          }}
        />,
      );
      expect(screen.getByText(/^in [23]s$/)).toBeInTheDocument();
      await act(() => jest.advanceTimersByTimeAsync(4_000));
      expect(await screen.findByText('due now')).toBeInTheDocument();
    } finally {
      jest.useRealTimers();
    }
  });
});
