import { useEffect, useState } from 'react';
import { StatusError, StatusOK } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { CanaryAnalysis } from '@kube-rollouts/plugin-rollouts-common';
import { formatDuration } from '../../utils/labels';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(2) },
  steps: {
    display: 'flex',
    justifyContent: 'space-between',
    marginTop: theme.spacing(0.5),
  },
  step: { color: theme.palette.text.secondary, fontSize: '0.75rem' },
  stepReached: {
    color: theme.palette.text.primary,
    fontWeight: theme.typography.fontWeightBold as number,
  },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))',
    gap: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
}));

/** The weights a run goes through: 0, stepWeight, 2·stepWeight, … maxWeight. */
export function canarySteps(analysis: CanaryAnalysis): number[] {
  const steps = [0];
  if (analysis.stepWeight <= 0) {
    return [0, analysis.maxWeight];
  }
  for (
    let weight = analysis.stepWeight;
    weight < analysis.maxWeight;
    weight += analysis.stepWeight
  ) {
    steps.push(weight);
  }
  steps.push(analysis.maxWeight);
  return steps;
}

/** Seconds until the next check, ticking every second on its own (the page does not re-render). */
function NextCheck(props: { at?: string }) {
  const target = props.at ? new Date(props.at).getTime() : undefined;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (target === undefined) {
      return undefined;
    }
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [target]);
  if (target === undefined || Number.isNaN(target)) {
    return <>no run in progress</>;
  }
  const seconds = (target - now) / 1000;
  return <>{seconds > 0 ? `in ${formatDuration(seconds)}` : 'due now'}</>;
}

function Measure(props: {
  label: string;
  value?: number;
  unit: string;
  limit?: number;
  limitLabel: string;
  ok: (value: number, limit: number) => boolean;
}) {
  const { label, value, unit, limit, limitLabel, ok } = props;
  let verdict = null;
  if (value !== undefined && limit !== undefined) {
    verdict = ok(value, limit) ? (
      <StatusOK>within threshold</StatusOK>
    ) : (
      <StatusError>outside threshold</StatusError>
    );
  }
  return (
    <Box>
      <Typography variant="overline" component="p">
        {label}
      </Typography>
      <Typography variant="body1">
        {value === undefined ? 'not measured yet' : `${value}${unit}`}
        {limit !== undefined && (
          <Typography component="span" variant="body2" color="textSecondary">
            {' '}
            ({limitLabel} {limit}
            {unit})
          </Typography>
        )}
      </Typography>
      {verdict}
    </Box>
  );
}

/** canary-delivery: where the automated analysis is, and how its checks are doing. */
export function CanaryAnalysisPanel(props: { analysis: CanaryAnalysis }) {
  const { analysis } = props;
  const classes = useStyles();
  const steps = canarySteps(analysis);
  const progress =
    analysis.maxWeight > 0
      ? Math.min(100, (analysis.canaryWeight / analysis.maxWeight) * 100)
      : 0;
  const failedShare =
    analysis.threshold > 0
      ? Math.min(100, (analysis.failedChecks / analysis.threshold) * 100)
      : 0;
  return (
    <Paper
      component="section"
      className={classes.root}
      aria-label="Canary analysis"
    >
      <Typography variant="h6" component="h2">
        Analysis
        {analysis.flaggerPhase && (
          <Typography component="span" variant="body2" color="textSecondary">
            {' '}
            — Flagger phase {analysis.flaggerPhase}
          </Typography>
        )}
      </Typography>
      <Box mt={1}>
        <Typography variant="body2">
          Canary weight {analysis.canaryWeight}% of {analysis.maxWeight}% in
          steps of {analysis.stepWeight}%
        </Typography>
        <LinearProgress
          variant="determinate"
          value={progress}
          aria-label={`Canary weight ${analysis.canaryWeight}% of ${analysis.maxWeight}%`}
        />
        <div className={classes.steps} aria-hidden>
          {steps.map(step => (
            <span
              key={step}
              className={`${classes.step} ${
                step <= analysis.canaryWeight ? classes.stepReached : ''
              }`}
            >
              {step}%
            </span>
          ))}
        </div>
      </Box>
      <div className={classes.grid}>
        <Box>
          <Typography variant="overline" component="p">
            Iterations
          </Typography>
          <Typography variant="body1">{analysis.iterations}</Typography>
        </Box>
        <Box>
          <Typography variant="overline" component="p">
            Failed checks
          </Typography>
          <Typography variant="body1">
            {analysis.failedChecks} of {analysis.threshold} allowed
          </Typography>
          <LinearProgress
            variant="determinate"
            color="secondary"
            value={failedShare}
            aria-label={`Failed checks ${analysis.failedChecks} of ${analysis.threshold}`}
          />
        </Box>
        <Measure
          label="Success rate"
          value={analysis.lastSuccessRate}
          unit="%"
          limit={analysis.minSuccessRate}
          limitLabel="min"
          ok={(value, limit) => value >= limit}
        />
        <Measure
          label="Response time"
          value={analysis.lastResponseTimeMs}
          unit=" ms"
          limit={analysis.maxResponseTimeMs}
          limitLabel="max"
          ok={(value, limit) => value <= limit}
        />
        <Box>
          <Typography variant="overline" component="p">
            Next check (every {analysis.interval})
          </Typography>
          <Typography variant="body1">
            <NextCheck at={analysis.nextCheckAt} />
          </Typography>
        </Box>
      </div>
    </Paper>
  );
}
