import { useState } from 'react';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import type { RolloutClusterError } from '@kube-rollouts/plugin-rollouts-common';
import { useRollout, type RolloutPollIntervals } from '../../hooks';
import {
  annotationProblemFromError,
  findAnnotationProblem,
} from '../../utils/annotations';
import { errorMessage } from '../../utils/errors';
import { CanaryAnalysisPanel } from '../CanaryAnalysisPanel';
import { RolloutHeader } from '../RolloutHeader';
import { RolloutHistory } from '../RolloutHistory';
import { RolloutsEmptyState } from '../RolloutsEmptyState';
import { RolloutVersions } from '../RolloutVersions';
import { TrafficSplitBar } from '../TrafficSplitBar';

/** Props of {@link RolloutsContent}. @public */
export interface RolloutsContentProps {
  /** How often to poll the backend, while a rollout moves and while it is stable. */
  pollIntervals?: RolloutPollIntervals;
  /** Events per page of the history. Default 10. */
  historyPageSize?: number;
}

function ClusterErrors(props: { errors: RolloutClusterError[] }) {
  return (
    <>
      {props.errors.map(error => (
        <WarningPanel
          key={error.cluster}
          severity={error.statusCode === 404 ? 'info' : 'error'}
          defaultExpanded
          title={`Cluster ${error.cluster}: ${
            error.statusCode === 404 ? 'no rollout found' : 'cannot be read'
          }`}
          message={error.message}
        />
      ))}
    </>
  );
}

function RolloutsView(props: { entity: Entity } & RolloutsContentProps) {
  const { entity, pollIntervals, historyPageSize } = props;
  const entityRef = stringifyEntityRef(entity);
  const { value, error, loading } = useRollout(entityRef, pollIntervals);
  const [selectedCluster, setSelectedCluster] = useState<string>();

  if (loading && !value) {
    return <Progress />;
  }
  if (!value) {
    const rejected = annotationProblemFromError(error);
    if (rejected) {
      return <RolloutsEmptyState entity={entity} problem={rejected} />;
    }
    const failure = error ?? new Error('No response from the rollouts backend');
    return <ResponseErrorPanel title={errorMessage(failure)} error={failure} />;
  }
  if (value.rollouts.length === 0) {
    return value.errors.length > 0 ? (
      <ClusterErrors errors={value.errors} />
    ) : (
      <EmptyState
        missing="data"
        title="No rollout found"
        description="The backend found no rollout for this entity on any cluster."
      />
    );
  }

  const view =
    value.rollouts.find(rollout => rollout.cluster === selectedCluster) ??
    value.rollouts[0];
  const clusters = value.rollouts.map(rollout => rollout.cluster);

  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <RolloutHeader
          view={view}
          clusters={clusters}
          onClusterChange={setSelectedCluster}
        />
      </Grid>
      {error && (
        <Grid item xs={12}>
          <WarningPanel
            severity="warning"
            defaultExpanded
            title="Showing the last known state: the latest refresh failed"
            message={errorMessage(error)}
          />
        </Grid>
      )}
      {value.errors.length > 0 && (
        <Grid item xs={12}>
          <ClusterErrors errors={value.errors} />
        </Grid>
      )}
      <Grid item xs={12}>
        <Paper component="section" style={{ padding: 16 }} aria-label="Traffic">
          <Typography variant="h6" component="h2" gutterBottom>
            Traffic
          </Typography>
          <TrafficSplitBar traffic={view.traffic} strategy={view.strategy} />
        </Paper>
      </Grid>
      {view.analysis && (
        <Grid item xs={12}>
          <CanaryAnalysisPanel analysis={view.analysis} />
        </Grid>
      )}
      <Grid item xs={12}>
        <Typography variant="h6" component="h2" gutterBottom>
          Versions
        </Typography>
        <RolloutVersions versions={view.versions} />
      </Grid>
      <Grid item xs={12}>
        <RolloutHistory
          entityRef={entityRef}
          cluster={view.cluster}
          changeKey={`${view.revision}/${view.phase}`}
          pageSize={historyPageSize}
        />
      </Grid>
    </Grid>
  );
}

/**
 * The Rollouts tab of an entity, read-only: the live traffic split, the versions, the canary
 * analysis and the history, for the entity in context.
 * @public
 */
export function RolloutsContent(props: RolloutsContentProps) {
  const { entity } = useEntity();
  const problem = findAnnotationProblem(entity);
  if (problem) {
    return <RolloutsEmptyState entity={entity} problem={problem} />;
  }
  return <RolloutsView entity={entity} {...props} />;
}
