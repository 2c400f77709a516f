import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type {
  RolloutStrategy,
  TrafficSplit,
  VersionRole,
} from '@kube-rollouts/plugin-rollouts-common';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    height: theme.spacing(4),
    borderRadius: theme.shape.borderRadius,
    overflow: 'hidden',
    backgroundColor: theme.palette.action.disabledBackground,
  },
  segment: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    color: theme.palette.common.white,
    fontWeight: theme.typography.fontWeightBold as number,
    transition: 'flex-basis 400ms ease',
  },
  stable: { backgroundColor: theme.palette.primary.main },
  canary: { backgroundColor: theme.palette.warning.dark },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
  },
  swatch: {
    display: 'inline-block',
    width: 12,
    height: 12,
    marginRight: theme.spacing(0.5),
    borderRadius: 2,
    verticalAlign: 'middle',
  },
  selector: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) },
}));

/** Props of {@link TrafficSplitBar}. */
export interface TrafficSplitBarProps {
  traffic: TrafficSplit;
  strategy: RolloutStrategy;
  /** A slimmer bar without the routing details, for the overview card. */
  compact?: boolean;
}

/** Short name of who gets the traffic, for screen readers and the legend. */
export function describeSplit(traffic: TrafficSplit): string {
  return traffic.weights
    .map(weight => `${weight.version} ${weight.weight}%`)
    .join(', ');
}

/** The live split between the versions as a bar, with the weights. */
export function TrafficSplitBar(props: TrafficSplitBarProps) {
  const { traffic, strategy, compact } = props;
  const classes = useStyles();
  const roleClass = (role: VersionRole) =>
    role === 'stable' ? classes.stable : classes.canary;
  const selected = traffic.weights.find(weight => weight.weight === 100);
  return (
    <Box>
      <div
        className={classes.bar}
        role="img"
        aria-label={`Traffic split: ${describeSplit(traffic)}`}
        style={compact ? { height: 16 } : undefined}
      >
        {traffic.weights
          .filter(weight => weight.weight > 0)
          .map(weight => (
            <div
              key={weight.version}
              className={`${classes.segment} ${roleClass(weight.role)}`}
              style={{ flexBasis: `${weight.weight}%` }}
            >
              {!compact && weight.weight >= 10 && `${weight.weight}%`}
            </div>
          ))}
      </div>
      <div className={classes.legend}>
        {traffic.weights.map(weight => (
          <Typography key={weight.version} variant="body2">
            <span className={`${classes.swatch} ${roleClass(weight.role)}`} />
            <strong>{weight.version}</strong> ({weight.role}): {weight.weight}%
          </Typography>
        ))}
      </div>
      {!compact && strategy === 'service-selector' && traffic.selector && (
        <Box mt={2}>
          <Typography variant="body2" gutterBottom>
            Service {traffic.routedBy.name} selects{' '}
            {selected ? (
              <strong>version {selected.version}</strong>
            ) : (
              'no single version'
            )}{' '}
            with the selector:
          </Typography>
          <div className={classes.selector}>
            {Object.entries(traffic.selector).map(([key, value]) => (
              <Chip
                key={key}
                size="small"
                variant="outlined"
                label={`${key}=${value}`}
              />
            ))}
          </div>
        </Box>
      )}
      {!compact && (
        <Box mt={1}>
          <Typography variant="caption" color="textSecondary">
            Routed by {traffic.routedBy.kind} {traffic.routedBy.namespace}/
            {traffic.routedBy.name}
          </Typography>
        </Box>
      )}
    </Box>
  );
}
