import type { Store } from '../store/types';
import { loadBase } from './common';
import { loadDemo } from './demo';

export { DEMO_IDS, DEMO_NAMESPACES } from './demo';

/** The built-in scenarios. @public */
export type ScenarioName = 'demo' | 'empty';

/**
 * Fills a store with a scenario's namespaces and workloads (the API server's CRDs are installed by the store):
 * `empty` = system namespaces and two nodes; `demo` = the product document's four chapters, one namespace each,
 * with a canary run in progress in flagger-demo.
 * @public
 */
export function loadScenario(store: Store, name: ScenarioName): void {
  if (name === 'empty') loadBase(store);
  else if (name === 'demo') loadDemo(store);
  else
    throw new Error(
      `unknown scenario '${String(name)}' — expected one of demo, empty`,
    );
}
