import { Link as RouterLink } from 'react-router-dom';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { useRollout, type RolloutPollIntervals } from '../../hooks';
import { findAnnotationProblem } from '../../utils/annotations';
import { errorMessage } from '../../utils/errors';
import { modeLabels, strategyLabels } from '../../utils/labels';
import { RolloutPhase } from '../RolloutPhase';
import { TrafficSplitBar } from '../TrafficSplitBar';

/** Props of {@link RolloutsCard}. @public */
export interface RolloutsCardProps {
  /**
   * The path of the Rollouts tab below the entity page, with or without a leading `/`.
   * Default `rollouts`.
   */
  tabPath?: string;
  pollIntervals?: RolloutPollIntervals;
}

/** The entity page's URL, or undefined when the catalog's entity route is not bound. */
function useEntityPageUrl(): string | undefined {
  const { entity } = useEntity();
  try {
    const entityRoute = useRouteRef(entityRouteRef);
    return entityRoute(entityRouteParams(entity));
  } catch {
    return undefined;
  }
}

/**
 * A card for the entity's overview page: strategy, phase and traffic split of the rollout, with
 * a link to the Rollouts tab.
 * @public
 */
export function RolloutsCard(props: RolloutsCardProps) {
  const { tabPath = 'rollouts', pollIntervals } = props;
  const { entity } = useEntity();
  const problem = findAnnotationProblem(entity);
  const entityPageUrl = useEntityPageUrl();
  // `/deploys` (as the tab's path config is written) and `deploys` name the same tab
  const tabSegment = tabPath.replace(/^\/+/, '');
  const tabUrl = `${(entityPageUrl ?? '.').replace(/\/$/, '')}/${tabSegment}`;
  const { value, error, loading } = useRollout(
    problem ? '' : stringifyEntityRef(entity),
    pollIntervals,
  );

  const view = value?.rollouts[0];

  let content;
  if (problem) {
    content = (
      <Typography variant="body2">
        {problem.kind === 'missing'
          ? `Add the annotation ${problem.annotation} to show this entity's rollout.`
          : `Annotation ${problem.annotation} has value '${
              problem.value
            }' — expected one of ${problem.expected.join(', ')}.`}
      </Typography>
    );
  } else if (loading && !value) {
    content = <Progress />;
  } else if (!view) {
    content = error ? (
      <ResponseErrorPanel title={errorMessage(error)} error={error} />
    ) : (
      <Typography variant="body2">
        {value?.errors[0]?.message ?? 'No rollout found on any cluster.'}
      </Typography>
    );
  } else {
    content = (
      <>
        <Box display="flex" alignItems="center" style={{ gap: 16 }} mb={2}>
          <Typography variant="body2">
            {strategyLabels[view.strategy]} · {modeLabels[view.mode]}
            {value && value.rollouts.length > 1
              ? ` · ${value.rollouts.length} clusters`
              : ''}
          </Typography>
          <RolloutPhase phase={view.phase} />
        </Box>
        <TrafficSplitBar
          traffic={view.traffic}
          strategy={view.strategy}
          compact
        />
        <Box mt={2}>
          <Link component={RouterLink} to={tabUrl}>
            Open rollout
          </Link>
        </Box>
      </>
    );
  }
  return <InfoCard title="Rollout">{content}</InfoCard>;
}
