import type {
  RolloutMode,
  RolloutPhase,
  RolloutStrategy,
} from '@kube-rollouts/plugin-rollouts-common';

/** How each strategy is named for people. */
export const strategyLabels: Record<RolloutStrategy, string> = {
  'service-selector': 'Service selector',
  'gateway-api': 'Gateway API HTTPRoute weights',
  istio: 'Istio VirtualService weights',
  'canary-delivery': 'Canary delivery (Flagger)',
};

/** How each mode is named for people. */
export const modeLabels: Record<RolloutMode, string> = {
  'blue-green': 'Blue-green',
  canary: 'Canary',
};

/** Phases in which traffic may move without anybody acting: poll faster. */
export const activePhases: ReadonlySet<RolloutPhase> = new Set<RolloutPhase>([
  'Progressing',
  'Promoting',
  'Unknown',
]);

/** Formats a duration in seconds as `1m 05s`. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) {
    return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  }
  if (minutes > 0) {
    return `${minutes}m ${String(rest).padStart(2, '0')}s`;
  }
  return `${rest}s`;
}

/** Formats an ISO time for a table cell: local date and time. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return date.toLocaleString();
}
