// A minimal Prometheus registry (text exposition format 0.0.4): counters and histograms kept in
// memory, gauges read when scraped. Enough for the gateway's few series without a dependency.

type Labels = Readonly<Record<string, string>>;

/** A gauge sample produced at scrape time. */
export interface GaugeSample {
  readonly labels: Labels;
  readonly value: number;
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`)
    .join(',');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function series(name: string, key: string, extra?: string): string {
  const all = [key, extra].filter((part) => part !== undefined && part !== '').join(',');
  return all ? `${name}{${all}}` : name;
}

/** A monotonically increasing count per label set. */
export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.values) lines.push(`${series(this.name, key)} ${value}`);
    return lines;
  }
}

/** Cumulative buckets, sum and count per label set. */
export class Histogram {
  private readonly values = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[] = DEFAULT_BUCKETS,
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    const entry = this.values.get(key) ?? { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
    this.bounds.forEach((bound, i) => {
      if (value <= bound) entry.buckets[i] = (entry.buckets[i] ?? 0) + 1;
    });
    entry.sum += value;
    entry.count += 1;
    this.values.set(key, entry);
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, entry] of this.values) {
      this.bounds.forEach((bound, i) =>
        lines.push(`${series(`${this.name}_bucket`, key, `le="${bound}"`)} ${entry.buckets[i] ?? 0}`),
      );
      lines.push(`${series(`${this.name}_bucket`, key, 'le="+Inf"')} ${entry.count}`);
      lines.push(`${series(`${this.name}_sum`, key)} ${entry.sum}`);
      lines.push(`${series(`${this.name}_count`, key)} ${entry.count}`);
    }
    return lines;
  }
}

/** A value read from elsewhere (the ledger head, a consumer's lag) each time metrics are scraped. */
export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => Promise<readonly GaugeSample[]>,
  ) {}

  async render(): Promise<string[]> {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    let samples: readonly GaugeSample[] = [];
    try {
      samples = await this.collect();
    } catch {
      // A source that is down yields no sample; /readyz is where unavailability is reported.
    }
    for (const sample of samples) lines.push(`${series(this.name, labelKey(sample.labels))} ${sample.value}`);
    return lines;
  }
}

/** Holds every metric of the process and renders them for GET /metrics. */
export class MetricsRegistry {
  private readonly metrics: (Counter | Histogram | Gauge)[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  histogram(name: string, help: string, bounds?: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, bounds));
  }

  gauge(name: string, help: string, collect: () => Promise<readonly GaugeSample[]>): Gauge {
    return this.add(new Gauge(name, help, collect));
  }

  async render(): Promise<string> {
    const blocks = await Promise.all(this.metrics.map(async (metric) => metric.render()));
    return blocks.flat().join('\n') + '\n';
  }

  private add<M extends Counter | Histogram | Gauge>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }
}
