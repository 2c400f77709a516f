export { CanaryAnalysisPanel, canarySteps } from './CanaryAnalysisPanel';
