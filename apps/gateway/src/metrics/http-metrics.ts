// Request counts and latencies by route template and status, recorded when each response finishes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsRegistry } from './metrics.registry.js';

type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/** Express middleware feeding `caravan_http_requests_total` and `caravan_http_request_duration_seconds`. */
export function httpMetrics(registry: MetricsRegistry) {
  const requests = registry.counter('caravan_http_requests_total', 'HTTP requests by method, route and status.');
  const latency = registry.histogram(
    'caravan_http_request_duration_seconds',
    'HTTP request latency in seconds by method, route and status.',
  );
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The route template, never the raw URL: ids in paths would explode the series count.
      const path = req.route?.path;
      const route = typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
      const labels = { method: req.method ?? 'GET', route, status: String(res.statusCode) };
      requests.inc(labels);
      latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
