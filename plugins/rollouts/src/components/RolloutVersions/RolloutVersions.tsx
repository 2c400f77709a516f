import {
  StatusAborted,
  StatusOK,
  StatusPending,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { RolloutVersion } from '@kube-rollouts/plugin-rollouts-common';

const useStyles = makeStyles(theme => ({
  image: {
    fontFamily: 'monospace',
    wordBreak: 'break-all',
  },
  pods: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
}));

/** Ready only when every replica runs the current template and is available. */
function Readiness(props: { version: RolloutVersion }) {
  const { desired, ready, available, updated } = props.version.replicas;
  if (desired === 0) {
    // Normal for the version without traffic (Flagger scales its target to zero): no warning
    return <StatusAborted>Scaled to zero</StatusAborted>;
  }
  if (updated < desired) {
    return (
      <StatusPending>
        Rolling out: {updated} of {desired} updated
      </StatusPending>
    );
  }
  if (ready >= desired && available >= desired) {
    return <StatusOK>Ready</StatusOK>;
  }
  return <StatusPending>Not ready</StatusPending>;
}

function VersionCard(props: { version: RolloutVersion }) {
  const { version } = props;
  const classes = useStyles();
  const { replicas } = version;
  return (
    <Card
      variant="outlined"
      component="section"
      aria-label={`Version ${version.name}`}
    >
      <CardContent>
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <Typography variant="h6" component="h3">
            {version.name}
          </Typography>
          <Chip
            size="small"
            label={version.role}
            color={version.role === 'stable' ? 'primary' : 'default'}
          />
          <Typography variant="body2" color="textSecondary">
            {version.weight}% of traffic
          </Typography>
        </Box>
        <Typography variant="body2" color="textSecondary" gutterBottom>
          {version.workload.kind} {version.workload.namespace}/
          {version.workload.name}
        </Typography>
        <Typography variant="overline" component="p">
          Images
        </Typography>
        {version.images.map(image => (
          <Typography key={image} variant="body2" className={classes.image}>
            {image}
          </Typography>
        ))}
        <Typography variant="overline" component="p">
          Replicas
        </Typography>
        <Typography variant="body2">
          {replicas.ready} of {replicas.desired} ready ({replicas.available}{' '}
          available, {replicas.updated} updated)
        </Typography>
        <Box mt={1}>
          <Readiness version={version} />
        </Box>
        {version.pods.length > 0 && (
          <Box mt={1} className={classes.pods}>
            {version.pods.map(pod => (
              <Tooltip
                key={pod.name}
                title={`${pod.phase}${pod.ip ? `, ${pod.ip}` : ''}`}
              >
                <Chip
                  size="small"
                  variant="outlined"
                  label={`${pod.name} ${pod.ready ? '✓' : '✗'}`}
                  aria-label={`Pod ${pod.name} ${
                    pod.ready ? 'ready' : 'not ready'
                  }`}
                />
              </Tooltip>
            ))}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

/** The versions side by side, stable first. */
export function RolloutVersions(props: { versions: RolloutVersion[] }) {
  const rank = (version: RolloutVersion) => (version.role === 'stable' ? 0 : 1);
  const ordered = [...props.versions].sort((a, b) => rank(a) - rank(b));
  if (ordered.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No Deployment serves this rollout yet.
      </Typography>
    );
  }
  return (
    <Grid container spacing={2}>
      {ordered.map(version => (
        <Grid item xs={12} md={6} key={`${version.role}/${version.name}`}>
          <VersionCard version={version} />
        </Grid>
      ))}
    </Grid>
  );
}
