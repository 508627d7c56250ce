/**
 * The benchmark's data set: pods shaped like a real workload's (labels, annotations, one container
 * with resources, env, ports, probes and a mounted volume), about 2 kB of JSON each as posted,
 * spread round-robin over a few namespaces.
 */

/** The namespaces the pods live in. */
export function benchNamespaces(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-${i}`);
}

/** Where pod number `i` of the data set lives. */
export function podRef(namespaces: string[], i: number): { namespace: string; name: string } {
  const app = `svc-${i % 50}`;
  return { namespace: namespaces[i % namespaces.length]!, name: `${app}-${i.toString(36).padStart(5, '0')}` };
}

/** Pod number `i` of the data set, as a client would POST it. */
export function benchPod(namespaces: string[], i: number): any {
  const { namespace, name } = podRef(namespaces, i);
  const app = `svc-${i % 50}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: {
        app,
        'app.kubernetes.io/name': app,
        'app.kubernetes.io/part-of': 'bench-shop',
        'app.kubernetes.io/version': `1.${i % 7}.0`,
        'app.kubernetes.io/component': 'api',
        'app.kubernetes.io/managed-by': 'bench',
        tier: i % 3 === 0 ? 'frontend' : 'backend',
        'pod-template-hash': (0x5f3a9c + (i % 50)).toString(16),
      },
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9090',
        'bench.tugboat.dev/owner': `team-${i % 9}@example.com`,
        'bench.tugboat.dev/revision': `rev-${(i * 2654435761) % 100000}`,
        'bench.tugboat.dev/description': 'a replica of the shop backend, seeded by the API benchmark',
      },
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: `registry.example.com/bench/${app}:1.${i % 7}.0`,
          command: ['/usr/local/bin/server'],
          args: ['--listen=:8080', '--metrics=:9090', `--instance=${name}`],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          ],
          env: [
            { name: 'APP_NAME', value: app },
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'DATABASE_URL', value: `postgres://db.${namespace}.svc.cluster.local:5432/${app}` },
            { name: 'CACHE_URL', value: `redis://cache.${namespace}.svc.cluster.local:6379/0` },
            { name: 'GOMAXPROCS', value: '2' },
            { name: 'FEATURE_FLAGS', value: 'checkout-v2,async-payments,search-suggestions' },
            { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc:4317' },
            { name: 'HTTP_TIMEOUT', value: '30s' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
          resources: {
            requests: { cpu: '100m', memory: '128Mi' },
            limits: { cpu: '500m', memory: '256Mi' },
          },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 10 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
        },
      ],
      volumes: [{ name: 'config', emptyDir: {} }],
      terminationGracePeriodSeconds: 30,
    },
  };
}
