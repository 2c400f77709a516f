import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { makeEntity } from '../../__testUtils__/fixtures';
import { findAnnotationProblem } from '../../utils/annotations';
import { annotationExample, RolloutsEmptyState } from './RolloutsEmptyState';

describe('RolloutsEmptyState', () => {
  it('names a wrong mode and the expected values', async () => {
    const entity = makeEntity('web', {
      'kube-rollouts.io/strategy': 'istio',
      'kube-rollouts.io/mode': 'fast',
    });
    const problem = findAnnotationProblem(entity)!;
    await renderInTestApp(
      <RolloutsEmptyState entity={entity} problem={problem} />,
    );
    expect(
      screen.getByText('Annotation kube-rollouts.io/mode has an unknown value'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        "Annotation kube-rollouts.io/mode has value 'fast' — expected one of blue-green, canary.",
      ),
    ).toBeInTheDocument();
  });

  it('gives an example for this entity with every annotation explained', () => {
    const example = annotationExample(
      makeEntity('checkout', {
        'backstage.io/kubernetes-namespace': 'shop',
      }),
    );
    expect(example).toContain('name: checkout');
    expect(example).toContain('kube-rollouts.io/strategy: gateway-api');
    expect(example).toContain('kube-rollouts.io/target: checkout');
    expect(example).toContain('kube-rollouts.io/namespace: shop');
    expect(example).toContain(
      'one of: service-selector, gateway-api, istio, canary-delivery',
    );
  });

  it('finds nothing wrong with valid annotations', () => {
    expect(
      findAnnotationProblem(
        makeEntity('web', {
          'kube-rollouts.io/strategy': 'gateway-api',
          'kube-rollouts.io/mode': 'blue-green',
        }),
      ),
    ).toBeUndefined();
  });
});
