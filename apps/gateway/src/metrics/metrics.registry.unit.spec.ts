import { MetricsRegistry } from './metrics.registry.js';

describe('MetricsRegistry', () => {
  it('renders counters, cumulative histogram buckets and scraped gauges in Prometheus text format', async () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('requests_total', 'Requests.');
    const histogram = registry.histogram('latency_seconds', 'Latency.', [0.1, 1]);
    registry.gauge('head_position', 'Head.', async () => [{ labels: {}, value: 42 }]);
    counter.inc({ route: '/v1/feed', status: '200' });
    counter.inc({ route: '/v1/feed', status: '200' });
    counter.inc({ status: '404', route: '/v1/"x"' });
    histogram.observe({ route: '/a' }, 0.05);
    histogram.observe({ route: '/a' }, 0.5);
    histogram.observe({ route: '/a' }, 5);

    const text = await registry.render();

    expect(text).toContain('# TYPE requests_total counter');
    expect(text).toContain('requests_total{route="/v1/feed",status="200"} 2');
    expect(text).toContain('requests_total{route="/v1/\\"x\\"",status="404"} 1');
    expect(text).toContain('latency_seconds_bucket{route="/a",le="0.1"} 1');
    expect(text).toContain('latency_seconds_bucket{route="/a",le="1"} 2');
    expect(text).toContain('latency_seconds_bucket{route="/a",le="+Inf"} 3');
    expect(text).toContain('latency_seconds_count{route="/a"} 3');
    expect(text).toContain('latency_seconds_sum{route="/a"} 5.55');
    expect(text).toContain('head_position 42');
  });

  it('leaves a gauge without samples when its source fails', async () => {
    const registry = new MetricsRegistry();
    registry.gauge('lag', 'Lag.', () => Promise.reject(new Error('down')));
    const text = await registry.render();
    expect(text).toContain('# TYPE lag gauge');
    expect(text.split('\n').filter((line) => line.startsWith('lag'))).toEqual([]);
  });
});
