export { TrafficSplitBar, describeSplit } from './TrafficSplitBar';
export type { TrafficSplitBarProps } from './TrafficSplitBar';
