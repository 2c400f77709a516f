import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import type { RolloutVersion } from '@kube-rollouts/plugin-rollouts-common';
import { serviceSelectorView } from '../../__testUtils__/fixtures';
import { RolloutVersions } from './RolloutVersions';

/** The blue version of the fixture with other replica counts. */
function blueWith(replicas: RolloutVersion['replicas']): RolloutVersion {
  return { ...serviceSelectorView.versions[0], replicas };
}

describe('RolloutVersions', () => {
  it.each([
    [
      'every replica current and available',
      'Ready',
      { desired: 2, ready: 2, available: 2, updated: 2 },
    ],
    [
      'all ready but a new template is still rolling out',
      'Rolling out: 1 of 3 updated',
      { desired: 3, ready: 3, available: 3, updated: 1 },
    ],
    [
      'current but not all ready',
      'Not ready',
      { desired: 2, ready: 1, available: 1, updated: 2 },
    ],
    [
      'scaled to zero',
      'Scaled to zero',
      { desired: 0, ready: 0, available: 0, updated: 0 },
    ],
  ])('%s: says %s', async (_what, status, replicas) => {
    await renderInTestApp(<RolloutVersions versions={[blueWith(replicas)]} />);
    const card = screen.getByRole('region', { name: 'Version blue' });
    expect(within(card).getByText(status)).toBeInTheDocument();
    expect(
      within(card).getByText(
        `${replicas.ready} of ${replicas.desired} ready (${replicas.available} available, ${replicas.updated} updated)`,
      ),
    ).toBeInTheDocument();
  });
});
