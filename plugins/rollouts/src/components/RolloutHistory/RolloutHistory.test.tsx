import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import type {
  RolloutEvent,
  RolloutEventsResponse,
} from '@kube-rollouts/plugin-rollouts-common';
import { rolloutsApiRef, type GetRolloutEventsOptions } from '../../api';
import { mockRolloutsApi } from '../../__testUtils__/render';
import { canaryEvents } from '../../__testUtils__/fixtures';
import { RolloutHistory } from './RolloutHistory';

function render(
  rolloutsApi: ReturnType<typeof mockRolloutsApi>,
  pageSize?: number,
) {
  return renderInTestApp(
    <TestApiProvider apis={[[rolloutsApiRef, rolloutsApi]]}>
      <RolloutHistory
        entityRef="component:default/web"
        cluster="local"
        changeKey="1"
        pageSize={pageSize}
      />
    </TestApiProvider>,
  );
}

/** A backend with `total` Kubernetes events, newest first, paged by an offset cursor. */
function pagedHistory(total: number) {
  const events: RolloutEvent[] = Array.from({ length: total }, (_, index) => ({
    id: `event-${index}`,
    // One minute apart, the newest first
    time: new Date(Date.UTC(2026, 0, 1, 12, 0) - index * 60_000).toISOString(),
    kind: 'kubernetes-event',
    type: index === 1 ? 'Warning' : 'Normal',
    reason: 'SelectorChanged',
    message: `Event number ${total - index}`,
  }));
  return jest.fn(
    async (
      _entityRef: string,
      options: GetRolloutEventsOptions = {},
    ): Promise<RolloutEventsResponse> => {
      const start = Number(options.cursor ?? 0);
      const end = start + (options.limit ?? 10);
      return {
        cluster: 'local',
        events: events.slice(start, end),
        nextCursor: end < total ? String(end) : undefined,
      };
    },
  );
}

/** The messages of the rows in view, top to bottom. */
function shownMessages() {
  const table = screen.getByRole('table', { name: 'Rollout events' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row => within(row).getAllByRole('cell')[4].textContent);
}

describe('RolloutHistory', () => {
  it('says when nothing happened yet, without pagination', async () => {
    await render(mockRolloutsApi());
    expect(
      await screen.findByText('Nothing has happened to this rollout yet.'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Older' }),
    ).not.toBeInTheDocument();
  });

  it('pages through a long history, newest first', async () => {
    const getRolloutEvents = pagedHistory(12);
    await render(mockRolloutsApi({ getRolloutEvents }), 5);
    expect(await screen.findByText('Event number 12')).toBeInTheDocument();
    expect(shownMessages()).toEqual([
      'Event number 12',
      'Event number 11',
      'Event number 10',
      'Event number 9',
      'Event number 8',
    ]);
    expect(screen.getByText('Page 1')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Newer' })).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Older' }));
    expect(await screen.findByText('Event number 7')).toBeInTheDocument();
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(screen.queryByText('Event number 12')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Older' }));
    expect(await screen.findByText('Page 3')).toBeInTheDocument();
    expect(shownMessages()).toEqual(['Event number 2', 'Event number 1']);
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();
    expect(getRolloutEvents).toHaveBeenLastCalledWith('component:default/web', {
      cluster: 'local',
      limit: 5,
      cursor: '10',
    });

    // Back to newer pages with the cursors already seen
    await userEvent.click(screen.getByRole('button', { name: 'Newer' }));
    expect(await screen.findByText('Page 2')).toBeInTheDocument();
    expect(await screen.findByText('Event number 7')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Newer' }));
    expect(await screen.findByText('Event number 12')).toBeInTheDocument();
    expect(screen.getByText('Page 1')).toBeInTheDocument();
  });

  it('shows one page without pagination when the history is short', async () => {
    await render(mockRolloutsApi({ getRolloutEvents: pagedHistory(3) }));
    expect(await screen.findByText('Event number 3')).toBeInTheDocument();
    expect(shownMessages()).toHaveLength(3);
    expect(screen.getAllByText('Warning')).toHaveLength(1);
    expect(
      screen.queryByRole('button', { name: 'Older' }),
    ).not.toBeInTheDocument();
    // Kubernetes events have no steps to expand
    expect(
      screen.queryByRole('button', { name: 'Show steps and checks' }),
    ).not.toBeInTheDocument();
  });

  it('says when a run recorded no steps and no checks', async () => {
    const [, emptyRun] = canaryEvents.events;
    await render(
      mockRolloutsApi({
        getRolloutEvents: jest
          .fn()
          .mockResolvedValue({ cluster: 'local', events: [emptyRun] }),
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Show steps and checks' }),
    );
    expect(await screen.findByText('No steps recorded.')).toBeInTheDocument();
    expect(screen.getByText('No checks recorded.')).toBeInTheDocument();
    expect(screen.getByText(/\(took 20m 00s\)/)).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'Steps' }),
    ).not.toBeInTheDocument();
  });

  it('shows the error of the history with its message', async () => {
    await render(
      mockRolloutsApi({
        getRolloutEvents: jest
          .fn()
          .mockRejectedValue(
            new Error('Events of cluster local cannot be read'),
          ),
      }),
    );
    expect(
      await screen.findByText('Error: Events of cluster local cannot be read'),
    ).toBeInTheDocument();
  });

  it('expands a run to its steps with the time each took, and the run with its duration', async () => {
    const [run] = canaryEvents.events;
    const finished = {
      ...run,
      run: { ...run.run!, endTime: '2026-01-01T09:58:30Z' },
    };
    await render(
      mockRolloutsApi({
        getRolloutEvents: jest
          .fn()
          .mockResolvedValue({ cluster: 'local', events: [finished] }),
      }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Show steps and checks' }),
    );
    expect(await screen.findByText(/\(took 8m 30s\)/)).toBeInTheDocument();
    const steps = screen.getByRole('table', { name: 'Steps' });
    const rows = within(steps).getAllByRole('row').slice(1);
    expect(
      rows.map(row =>
        within(row)
          .getAllByRole('cell')
          .slice(1)
          .map(cell => cell.textContent),
      ),
    ).toEqual([
      ['5%', '2m 00s'],
      ['10%', '2m 00s'],
      ['15%', '2m 00s'],
    ]);
  });
});
