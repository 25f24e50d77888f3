/**
 * The compose stack cannot run here (no Docker engine): check what can be checked without it —
 * valid YAML, every service healthy-checked or gated, ports bound to loopback, the settings each
 * image documents, and dependencies that point at services that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderRules } from '../deploy/prometheus/rendered-rules.js';

interface Service {
  image?: string;
  volumes?: string[];
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(new URL('./docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, Service>;
};
const services = compose.services;

describe('docker/docker-compose.yml', () => {
  it('has the stack of the seed plus the engine, the producer and a schema registry', () => {
    expect(Object.keys(services).sort()).toEqual([
      'elasticsearch',
      'engine',
      'grafana',
      'kafka',
      'kibana',
      'kibana-setup',
      'producer',
      'prometheus',
      'schema-registry',
      'setup',
    ]);
  });

  it('runs Kafka in KRaft mode with the image documented variables', () => {
    const env = services.kafka.environment!;
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(String(env.KAFKA_CONTROLLER_QUORUM_VOTERS)).toMatch(/^1@kafka:9093$/);
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(1);
    expect(JSON.stringify(env)).not.toMatch(/ZOOKEEPER/);
  });

  it('runs Elasticsearch 9 single-node and Kibana against it', () => {
    expect(services.elasticsearch.image).toMatch(/elasticsearch:9\./);
    expect(services.elasticsearch.environment!['discovery.type']).toBe('single-node');
    expect(services.kibana.environment!.ELASTICSEARCH_HOSTS).toContain('http://elasticsearch:9200');
    expect(services.kibana.image!.split(':')[1]).toBe(services.elasticsearch.image!.split(':')[1]);
  });

  it('health-checks every long-running service and gates the rest on them', () => {
    for (const name of ['kafka', 'elasticsearch', 'kibana', 'engine']) {
      expect(services[name].healthcheck?.test.length, name).toBeGreaterThan(0);
    }
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, cond] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        if (cond.condition === 'service_healthy') expect(services[dep].healthcheck, dep).toBeDefined();
      }
    }
  });

  it('imports the Kibana saved objects from the file in the repository', () => {
    const ks = services['kibana-setup'];
    expect(ks.depends_on?.kibana.condition).toBe('service_healthy');
    expect(JSON.stringify(ks)).toContain('./kibana/dashboard.ndjson');
    expect(ks.command?.join(' ')).toContain('/api/saved_objects/_import');
  });

  it('publishes ports on loopback only and points our services at the compose hosts', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) expect(p, name).toMatch(/^127\.0\.0\.1:/);
    }
    for (const name of ['setup', 'producer', 'engine']) {
      expect(services[name].build).toBeDefined();
      expect(services[name].environment!.KAFKA_BROKER).toBe('kafka:9092');
      expect(services[name].environment!.ELASTICSEARCH_HOST).toBe('http://elasticsearch:9200');
    }
  });

  it('builds the image with the node-rdkafka batch calls: scripts/ is in place before npm ci', () => {
    const dockerfile = readFileSync(new URL('./Dockerfile', import.meta.url), 'utf8').split('\n');
    const copyScripts = dockerfile.findIndex((l) => /^COPY scripts\b/.test(l));
    const npmCi = dockerfile.findIndex((l) => /^RUN npm ci\b/.test(l));
    expect(copyScripts).toBeGreaterThan(-1);
    expect(npmCi).toBeGreaterThan(copyScripts);
    // npm ci runs the postinstall that applies the version-named patch (failing on any mismatch).
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.scripts.postinstall).toContain('patch-package --error-on-warn');
    expect(pkg.dependencies['patch-package']).toBeDefined();
    const rdkafka = pkg.dependencies['node-rdkafka'];
    expect(
      readFileSync(
        new URL(`../scripts/node-rdkafka/patches/node-rdkafka+${rdkafka}.patch`, import.meta.url),
        'utf8',
      ),
    ).toContain('NodeConsumeBatch');
    // The production image has no benchmarks (they need dev dependencies).
    expect(dockerfile.some((l) => /^COPY bench\b/.test(l))).toBe(false);
  });

  it('provisions Prometheus (the chart-rendered rules) and Grafana (data source and dashboard): no clicks', () => {
    const mounted = (svc: string) =>
      (services[svc].volumes ?? []).map((v) => {
        const [from, to] = v.split(':');
        return { from: new URL(from, new URL('./', import.meta.url)), to };
      });
    for (const svc of ['prometheus', 'grafana'])
      for (const { from } of mounted(svc)) expect(existsSync(from), from.pathname).toBe(true);
    const prom = parse(readFileSync(new URL('./prometheus/prometheus.yml', import.meta.url), 'utf8'));
    expect(prom.scrape_configs[0].static_configs[0].targets).toEqual(['engine:8080']);
    expect(mounted('prometheus').map((m) => m.to)).toContain(prom.rule_files[0]);
    // The committed rules file is the chart's rendering with its defaults.
    expect(readFileSync(new URL('../deploy/prometheus/ria-rules.yaml', import.meta.url), 'utf8')).toBe(
      readFileSync(renderRules().path, 'utf8'),
    );
    const ds = parse(
      readFileSync(new URL('./grafana/provisioning/datasources/prometheus.yml', import.meta.url), 'utf8'),
    );
    expect(ds.datasources[0]).toMatchObject({
      uid: 'prometheus',
      type: 'prometheus',
      url: 'http://prometheus:9090',
    });
    const boards = parse(
      readFileSync(new URL('./grafana/provisioning/dashboards/ria.yml', import.meta.url), 'utf8'),
    );
    const dashboardMount = mounted('grafana').find((m) => m.to.endsWith('ria-dashboard.json'))!;
    expect(dashboardMount.to.startsWith(boards.providers[0].options.path)).toBe(true);
    const dashboard = JSON.parse(readFileSync(dashboardMount.from, 'utf8'));
    expect(JSON.stringify(dashboard)).toContain('"uid":"prometheus"');
  });
});
