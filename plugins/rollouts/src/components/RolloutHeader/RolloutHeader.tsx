import { WarningPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import Select from '@material-ui/core/Select';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ReactNode } from 'react';
import type { RolloutView } from '@kube-rollouts/plugin-rollouts-common';
import { modeLabels, strategyLabels } from '../../utils/labels';
import { RolloutPhase } from '../RolloutPhase';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(2) },
  facts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(4),
    alignItems: 'flex-start',
  },
  clusterSelect: { minWidth: 180 },
  message: { marginTop: theme.spacing(1) },
}));

function Fact(props: { label: string; children: ReactNode }) {
  return (
    <Box component="dl" m={0}>
      <Typography component="dt" variant="overline" color="textSecondary">
        {props.label}
      </Typography>
      <Typography component="dd" variant="body1" style={{ margin: 0 }}>
        {props.children}
      </Typography>
    </Box>
  );
}

/** Props of {@link RolloutHeader}. */
export interface RolloutHeaderProps {
  view: RolloutView;
  /** Every cluster the entity runs on; a selector is shown when there are several. */
  clusters: string[];
  onClusterChange: (cluster: string) => void;
}

/** Strategy, mode, cluster, namespace, target and phase, and the GitOps warning. */
export function RolloutHeader(props: RolloutHeaderProps) {
  const { view, clusters, onClusterChange } = props;
  const classes = useStyles();
  return (
    <Paper
      component="section"
      className={classes.root}
      aria-label="Rollout summary"
    >
      <div className={classes.facts}>
        <Fact label="Strategy">{strategyLabels[view.strategy]}</Fact>
        <Fact label="Mode">{modeLabels[view.mode]}</Fact>
        {clusters.length > 1 ? (
          <FormControl className={classes.clusterSelect}>
            <InputLabel id="rollouts-cluster-label">Cluster</InputLabel>
            <Select
              labelId="rollouts-cluster-label"
              value={view.cluster}
              onChange={event => onClusterChange(event.target.value as string)}
            >
              {clusters.map(cluster => (
                <MenuItem key={cluster} value={cluster}>
                  {cluster}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        ) : (
          <Fact label="Cluster">{view.cluster}</Fact>
        )}
        <Fact label="Namespace">{view.namespace}</Fact>
        <Fact label="Target">
          {view.target.kind} {view.target.name}
        </Fact>
        <Fact label="Phase">
          <RolloutPhase phase={view.phase} />
        </Fact>
      </div>
      {view.message && (
        <Typography className={classes.message} variant="body2">
          {view.message}
        </Typography>
      )}
      {view.gitOps?.map(warning => (
        <Box
          mt={2}
          key={`${warning.tool}/${warning.object.kind}/${warning.object.namespace}/${warning.object.name}`}
        >
          <WarningPanel
            severity="warning"
            defaultExpanded
            title={`${warning.object.kind} ${warning.object.name} is managed by ${warning.tool}`}
            message={warning.message}
          />
        </Box>
      ))}
    </Paper>
  );
}
