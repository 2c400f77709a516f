import { RolloutStrategy } from '@kube-rollouts/plugin-rollouts-common';
import { CanaryDeliveryStrategy } from './canaryDelivery';
import { GatewayApiStrategy } from './gatewayApi';
import { IstioStrategy } from './istio';
import { ServiceSelectorStrategy } from './serviceSelector';
import { StrategyDriver } from './types';

export * from './types';
export { ServiceSelectorStrategy } from './serviceSelector';
export { GatewayApiStrategy } from './gatewayApi';
export { IstioStrategy } from './istio';
export { CanaryDeliveryStrategy, runEvent } from './canaryDelivery';

/**
 * One driver per strategy.
 * @public
 */
export function createStrategyDrivers(): Record<
  RolloutStrategy,
  StrategyDriver
> {
  return {
    'service-selector': new ServiceSelectorStrategy(),
    'gateway-api': new GatewayApiStrategy(),
    istio: new IstioStrategy(),
    'canary-delivery': new CanaryDeliveryStrategy(),
  };
}
