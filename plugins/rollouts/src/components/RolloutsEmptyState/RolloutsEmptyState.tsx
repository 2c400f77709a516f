import { CodeSnippet, EmptyState } from '@backstage/core-components';
import type { Entity } from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  ANNOTATION_CLUSTER,
  ANNOTATION_MODE,
  ANNOTATION_NAMESPACE,
  ANNOTATION_STRATEGY,
  ANNOTATION_TARGET,
  ROLLOUT_STRATEGIES,
} from '@kube-rollouts/plugin-rollouts-common';
import type { AnnotationProblem } from '../../utils/annotations';

/** A catalog-info.yaml for this entity with the rollout annotations, for copying. */
export function annotationExample(entity: Entity): string {
  const name = entity.metadata.name;
  const namespace =
    entity.metadata.annotations?.['backstage.io/kubernetes-namespace'] ??
    'default';
  return `apiVersion: ${entity.apiVersion}
kind: ${entity.kind}
metadata:
  name: ${name}
  annotations:
    # required, one of: ${ROLLOUT_STRATEGIES.join(', ')}
    ${ANNOTATION_STRATEGY}: gateway-api
    # the Service, HTTPRoute, VirtualService or CanaryDelivery (default: the entity's name)
    ${ANNOTATION_TARGET}: ${name}
    ${ANNOTATION_NAMESPACE}: ${namespace}
    # optional: blue-green or canary (gateway-api and istio)
    ${ANNOTATION_MODE}: canary
    # optional: one cluster, or several separated by commas
    # ${ANNOTATION_CLUSTER}: production`;
}

/** Props of {@link RolloutsEmptyState}. */
export interface RolloutsEmptyStateProps {
  entity: Entity;
  problem: AnnotationProblem;
}

/** Names the missing or wrong annotation and shows an example to copy. */
export function RolloutsEmptyState(props: RolloutsEmptyStateProps) {
  const { entity, problem } = props;
  let title: string;
  let description: string;
  switch (problem.kind) {
    case 'missing':
      title = `Missing annotation ${problem.annotation}`;
      description = `The Rollouts tab needs the annotation ${
        problem.annotation
      } on this ${entity.kind.toLocaleLowerCase(
        'en-US',
      )} to know how its traffic is switched.`;
      break;
    case 'invalid':
      title = `Annotation ${problem.annotation} has an unknown value`;
      description = `Annotation ${problem.annotation} has value '${
        problem.value
      }' — expected one of ${problem.expected.join(', ')}.`;
      break;
    default:
      title = `Annotation ${problem.annotation} needs a change`;
      description = problem.message;
  }
  return (
    <EmptyState
      missing="field"
      title={title}
      description={description}
      action={
        <>
          <Typography variant="body1">
            Add the annotations to the entity's catalog-info.yaml, for example:
          </Typography>
          <Box mt={1} mb={1}>
            <CodeSnippet
              text={annotationExample(entity)}
              language="yaml"
              showCopyCodeButton
            />
          </Box>
        </>
      }
    />
  );
}
