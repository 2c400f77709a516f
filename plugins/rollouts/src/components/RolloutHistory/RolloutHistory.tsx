import { Fragment, useState, type ReactNode } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Collapse from '@material-ui/core/Collapse';
import IconButton from '@material-ui/core/IconButton';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowUpIcon from '@material-ui/icons/KeyboardArrowUp';
import type { RolloutEvent } from '@kube-rollouts/plugin-rollouts-common';
import { useRolloutEvents } from '../../hooks';
import { errorMessage } from '../../utils/errors';
import { formatDuration, formatTime } from '../../utils/labels';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(2) },
  detail: { padding: theme.spacing(1, 2, 2, 6) },
  footer: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
  },
  // Keeps the table's height while a page loads: no jump, no lost scroll position
  loadingOverlay: { position: 'relative', minHeight: 120 },
}));

/** Warnings and failed or rolled-back runs stand out. */
function typeColor(event: RolloutEvent): 'default' | 'secondary' {
  return /warning|fail|rolledback|rollback/i.test(event.type)
    ? 'secondary'
    : 'default';
}

/** The time from `from` to `to`, formatted; undefined when either is missing or unreadable. */
function between(from: string | undefined, to: string | undefined) {
  const ms = Date.parse(to ?? '') - Date.parse(from ?? '');
  return Number.isNaN(ms) ? undefined : formatDuration(ms / 1000);
}

/** A titled table of a run's details, or a line saying there is nothing. */
function RunTable(props: {
  title: string;
  headers: string[];
  rows: { key: string; cells: ReactNode[] }[];
}) {
  const { title, headers, rows } = props;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2">{title}</Typography>
      {rows.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No {title.toLocaleLowerCase('en-US')} recorded.
        </Typography>
      ) : (
        <Table size="small" aria-label={title}>
          <TableHead>
            <TableRow>
              {headers.map(header => (
                <TableCell key={header}>{header}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => (
              <TableRow key={row.key}>
                {row.cells.map((cell, index) => (
                  <TableCell key={headers[index]}>{cell}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

function RunDetails(props: { run: NonNullable<RolloutEvent['run']> }) {
  const { run } = props;
  const took = between(run.startTime, run.endTime);
  return (
    <Box>
      {(run.revision || run.startTime) && (
        <Typography variant="body2">
          {run.revision && <>Revision {run.revision}. </>}
          {run.startTime && <>Started {formatTime(run.startTime)}</>}
          {run.endTime && <>, ended {formatTime(run.endTime)}</>}
          {took && <> (took {took})</>}
        </Typography>
      )}
      <RunTable
        title="Steps"
        headers={['Time', 'Canary weight', 'After']}
        rows={run.steps.map((step, index) => ({
          key: `${step.time}/${step.weight}`,
          cells: [
            formatTime(step.time),
            `${step.weight}%`,
            // Time spent on the step before (or since the run started)
            between(
              index === 0 ? run.startTime : run.steps[index - 1].time,
              step.time,
            ) ?? '—',
          ],
        }))}
      />
      <RunTable
        title="Checks"
        headers={[
          'Time',
          'Weight',
          'Success rate',
          'Response time',
          'Result',
          'Message',
        ]}
        rows={run.checks.map((check, index) => ({
          key: `${check.time}/${index}`,
          cells: [
            formatTime(check.time),
            `${check.weight}%`,
            check.successRate === undefined ? '—' : `${check.successRate}%`,
            check.responseTimeMs === undefined
              ? '—'
              : `${check.responseTimeMs} ms`,
            check.passed ? 'passed' : 'failed',
            check.message ?? '',
          ],
        }))}
      />
    </Box>
  );
}

function EventRow(props: { event: RolloutEvent }) {
  const { event } = props;
  const classes = useStyles();
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <TableRow>
        <TableCell padding="checkbox">
          {event.run && (
            <IconButton
              size="small"
              aria-label={
                open ? 'Hide steps and checks' : 'Show steps and checks'
              }
              aria-expanded={open}
              onClick={() => setOpen(value => !value)}
            >
              {open ? <KeyboardArrowUpIcon /> : <KeyboardArrowDownIcon />}
            </IconButton>
          )}
        </TableCell>
        <TableCell style={{ whiteSpace: 'nowrap' }}>
          {formatTime(event.time)}
        </TableCell>
        <TableCell>
          <Chip size="small" label={event.type} color={typeColor(event)} />
        </TableCell>
        <TableCell>{event.reason ?? ''}</TableCell>
        <TableCell>{event.message}</TableCell>
      </TableRow>
      {event.run && (
        <TableRow>
          <TableCell colSpan={5} style={{ padding: 0, borderBottom: 0 }}>
            <Collapse in={open} unmountOnExit>
              <div className={classes.detail}>
                <RunDetails run={event.run} />
              </div>
            </Collapse>
          </TableCell>
        </TableRow>
      )}
    </Fragment>
  );
}

/** Props of {@link RolloutHistory}. */
export interface RolloutHistoryProps {
  entityRef: string;
  cluster: string;
  /** Changes when the rollout changes; the page in view is reloaded then. */
  changeKey: string;
  pageSize?: number;
}

/** The events of the rollout, newest first, one page at a time; a run expands to its steps and checks. */
export function RolloutHistory(props: RolloutHistoryProps) {
  const classes = useStyles();
  const history = useRolloutEvents(
    props.entityRef,
    props.cluster,
    props.changeKey,
    props.pageSize,
  );
  const events = history.value?.events;
  return (
    <Paper component="section" className={classes.root} aria-label="History">
      <Typography variant="h6" component="h2" gutterBottom>
        History
      </Typography>
      {history.error && (
        <ResponseErrorPanel
          title={errorMessage(history.error)}
          error={history.error}
        />
      )}
      {!events && !history.error && <Progress />}
      {events && events.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          Nothing has happened to this rollout yet.
        </Typography>
      )}
      {events && events.length > 0 && (
        <div className={classes.loadingOverlay}>
          <Table size="small" aria-label="Rollout events">
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox" />
                <TableCell>Time</TableCell>
                <TableCell>Phase or type</TableCell>
                <TableCell>Reason</TableCell>
                <TableCell>Message</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {events.map(event => (
                <EventRow key={event.id} event={event} />
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {(history.hasNewer || history.hasOlder) && (
        <div className={classes.footer}>
          <Button
            size="small"
            disabled={!history.hasNewer || history.loading}
            onClick={history.showNewer}
          >
            Newer
          </Button>
          <Typography variant="body2">Page {history.page}</Typography>
          <Button
            size="small"
            disabled={!history.hasOlder || history.loading}
            onClick={history.showOlder}
          >
            Older
          </Button>
        </div>
      )}
    </Paper>
  );
}
