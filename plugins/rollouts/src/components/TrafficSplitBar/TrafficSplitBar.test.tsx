import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import {
  gatewayApiView,
  serviceSelectorView,
} from '../../__testUtils__/fixtures';
import { TrafficSplitBar } from './TrafficSplitBar';

describe('TrafficSplitBar', () => {
  it('shows the weights of a split and the routing object', async () => {
    await renderInTestApp(
      <TrafficSplitBar
        traffic={gatewayApiView.traffic}
        strategy="gateway-api"
      />,
    );
    expect(
      screen.getByRole('img', {
        name: 'Traffic split: web-stable 80%, web-canary 20%',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('80%')).toBeInTheDocument();
    expect(screen.getByText('20%')).toBeInTheDocument();
    expect(
      screen.getByText('Routed by HTTPRoute gateway-api/web'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/selects/)).not.toBeInTheDocument();
  });

  it('says which version a Service selects', async () => {
    await renderInTestApp(
      <TrafficSplitBar
        traffic={serviceSelectorView.traffic}
        strategy="service-selector"
      />,
    );
    expect(screen.getByText('version blue')).toBeInTheDocument();
    expect(screen.getByText('app=web')).toBeInTheDocument();
    expect(screen.getByText('version=blue')).toBeInTheDocument();
  });

  it('leaves out the details when compact', async () => {
    await renderInTestApp(
      <TrafficSplitBar
        traffic={serviceSelectorView.traffic}
        strategy="service-selector"
        compact
      />,
    );
    expect(screen.queryByText('version=blue')).not.toBeInTheDocument();
    expect(screen.queryByText(/Routed by/)).not.toBeInTheDocument();
  });
});
