import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { RolloutPhase as Phase } from '@kube-rollouts/plugin-rollouts-common';

const phaseLabels: Record<Phase, string> = {
  Stable: 'Stable',
  Progressing: 'Progressing',
  Paused: 'Paused',
  Promoting: 'Promoting',
  Promoted: 'Promoted',
  Failed: 'Failed',
  RolledBack: 'Rolled back',
  Unknown: 'Unknown',
};

/** The phase with a status light, the same vocabulary for every strategy. */
export function RolloutPhase(props: { phase: Phase }) {
  const label = phaseLabels[props.phase] ?? props.phase;
  switch (props.phase) {
    case 'Stable':
    case 'Promoted':
      return <StatusOK>{label}</StatusOK>;
    case 'Progressing':
    case 'Promoting':
      return <StatusRunning>{label}</StatusRunning>;
    case 'Paused':
      return <StatusPending>{label}</StatusPending>;
    case 'Failed':
      return <StatusError>{label}</StatusError>;
    case 'RolledBack':
      return <StatusWarning>{label}</StatusWarning>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
}
