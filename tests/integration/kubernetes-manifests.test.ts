import { describe, expect, test } from 'bun:test'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkManifests, describeProblem } from '../../scripts/check-kubernetes.ts'
import { parseDockerfile } from '../../scripts/dockerfile-replay.ts'

// deploy/kubernetes/ is validated against the Kubernetes OpenAPI schemas (scripts/check-kubernetes.ts),
// and agrees with the image (user, port), docker-compose.yml (the same env) and the gateway's shutdown
// (SHUTDOWN_GRACE_SECONDS fits inside the pod's grace period).

const root = fileURLToPath(new URL('../../', import.meta.url))
const folder = join(root, 'deploy', 'kubernetes')

interface Manifest {
  kind: string
  metadata: { name: string; annotations?: Record<string, string> }
  spec?: Record<string, unknown>
  data?: Record<string, string>
  stringData?: Record<string, string>
}

const manifests: Manifest[] = readdirSync(folder)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => Bun.YAML.parse(readFileSync(join(folder, name), 'utf8')) as Manifest)
const byKind = (kind: string) => {
  const found = manifests.find((manifest) => manifest.kind === kind)
  if (!found) throw new Error(`deploy/kubernetes has no ${kind}`)
  return found
}

interface Container {
  ports: Array<{ name: string; containerPort: number }>
  env?: Array<{ name: string; value?: string }>
  readinessProbe: { httpGet: { path: string } }
  livenessProbe: { httpGet: { path: string } }
  lifecycle: { preStop: { exec?: { command: string[] }; sleep?: { seconds: number } } }
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean }
  resources: { requests: Record<string, string> }
}
interface PodSpec {
  terminationGracePeriodSeconds: number
  securityContext: { runAsNonRoot: boolean; runAsUser: number }
  containers: Container[]
}
const deployment = byKind('Deployment')
const pod = (deployment.spec as { template: { spec: PodSpec } }).template.spec
const gateway = pod.containers[0]!
const configMap = byKind('ConfigMap')
const secret = byKind('Secret')

describe('Kubernetes manifests', () => {
  test('every manifest in deploy/kubernetes is valid against the Kubernetes OpenAPI schemas', async () => {
    const problems = await checkManifests(folder)
    expect(problems.map(describeProblem)).toEqual([])
    expect(manifests.map((manifest) => manifest.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'PodDisruptionBudget',
      'Secret',
      'Service',
    ])
  }, 60_000)

  test('an invalid manifest is refused, naming the file, the kind and the field', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'hanggent-kubernetes-'))
    try {
      cpSync(folder, broken, { recursive: true })
      const text = readFileSync(join(broken, 'deployment.yaml'), 'utf8')
      // A misspelled field (a strict schema refuses it) and a wrong type.
      writeFileSync(join(broken, 'deployment.yaml'), text.replace('readinessProbe:', 'readinessProb:').replace('replicas: 2', 'replicas: two'))
      const lines = (await checkManifests(broken)).map(describeProblem)
      expect(lines).toContainEqual(
        expect.stringMatching(
          /deployment\.yaml: Deployment hanggent-gateway field spec\.template\.spec\.containers\[0\]\.readinessProb: .*does not exist in type 'IContainer'/,
        ),
      )
      expect(lines).toContainEqual(expect.stringMatching(/deployment\.yaml: Deployment hanggent-gateway field spec\.replicas: must be integer/))
      expect(lines).toHaveLength(2)
    } finally {
      rmSync(broken, { recursive: true, force: true })
    }
  }, 60_000)

  test('readiness asks /ready, liveness /health, on the port the image listens on', () => {
    const image = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8')).at(-1)!
    const imagePort = /\bPORT=(\d+)/.exec(image.instructions.find((instruction) => instruction.keyword === 'ENV')?.text ?? '')?.[1]
    expect(gateway.readinessProbe.httpGet.path).toBe('/ready')
    expect(gateway.livenessProbe.httpGet.path).toBe('/health')
    expect(String(gateway.ports[0]!.containerPort)).toBe(imagePort!)
  })

  test("the pod's grace period covers the preStop pause and SHUTDOWN_GRACE_SECONDS", () => {
    const shutdownGrace = Number(configMap.data?.SHUTDOWN_GRACE_SECONDS)
    const preStop = gateway.lifecycle.preStop.sleep?.seconds ?? Number(gateway.lifecycle.preStop.exec?.command.at(-1))
    expect(shutdownGrace).toBeGreaterThan(0)
    expect(preStop).toBeGreaterThan(0)
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + shutdownGrace)
  })

  test("the pod runs as the image's non-root user, without privilege escalation, with resource requests for the autoscaler", () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')
    const imageUid = Number(/useradd[^\n]*--uid (\d+)/.exec(dockerfile)?.[1])
    expect(pod.securityContext.runAsNonRoot).toBe(true)
    expect(pod.securityContext.runAsUser).toBe(imageUid)
    expect(gateway.securityContext.allowPrivilegeEscalation).toBe(false)
    expect(gateway.resources.requests.cpu).toBeDefined()
  })

  test('the pods get every variable the compose replicas get (external PostgreSQL and Redis by URL)', () => {
    const compose = Bun.YAML.parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { environment?: Record<string, string> }>
    }
    const composeKeys = Object.keys(compose.services['gateway-1']?.environment ?? {})
    const podKeys = new Set([
      ...Object.keys(configMap.data ?? {}),
      ...Object.keys(secret.stringData ?? {}),
      ...(gateway.env ?? []).map((variable) => variable.name),
    ])
    expect(composeKeys.filter((key) => !podKeys.has(key))).toEqual([])
    for (const secretKey of ['DATABASE_URL', 'REDIS_URL', 'CRYPTO_SECRET', 'SESSION_SECRET', 'ROOT_PASSWORD'])
      expect(Object.keys(secret.stringData ?? {})).toContain(secretKey)
  })

  test('the autoscaler, disruption budget and Service select the Deployment; the ingress does not buffer streams', () => {
    const labels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels
    const hpa = byKind('HorizontalPodAutoscaler').spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number }
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name })
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(2)
    expect((byKind('PodDisruptionBudget').spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels).toEqual(labels)
    expect((byKind('Service').spec as { selector: Record<string, string> }).selector).toEqual(labels)
    const annotations = byKind('Ingress').metadata.annotations ?? {}
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off')
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThan(Number(configMap.data?.STREAMING_TIMEOUT))
  })
})
