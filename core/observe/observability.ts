import type { AppContext } from '../app-context.ts'
import packageJson from '../../package.json' with { type: 'json' }
import { createGatewayMetrics, metricsEnabled, type GatewayMetrics } from './metrics.ts'
import { createGatewayTracing, type GatewayTracing } from './tracing.ts'
import type { OtlpProtocol } from './trace-export-worker.ts'
import { combineObservers, type RelayObserver } from './relay-observer.ts'

/** Metrics and traces of one gateway, each present only when configured. */
export interface Observability {
  /** The relay's one observer (metrics and traces); undefined when both are off, so the relay pays nothing. */
  observer?: RelayObserver
  /** Present when METRICS_TOKEN or METRICS_ALLOW_IPS is set. */
  metrics?: GatewayMetrics
  /** Present when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing?: GatewayTracing
}

/** OTEL_TRACES_SAMPLER_ARG as a ratio in [0, 1]; anything else (or unset) records every trace. */
function sampleRatioFrom(raw: string | undefined): number {
  const ratio = Number(raw)
  return raw !== undefined && raw.trim() !== '' && ratio >= 0 && ratio <= 1 ? ratio : 1
}

/**
 * OTEL_EXPORTER_OTLP_HEADERS then OTEL_EXPORTER_OTLP_TRACES_HEADERS (which wins on a clash) as headers:
 * comma-separated `name=value` pairs, values percent-decoded; a pair without `=` or with an undecodable
 * value is skipped. see https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specifying-headers-via-environment-variables
 */
export function otlpHeadersFrom(env: Record<string, string | undefined>): Record<string, string> | undefined {
  const headers: Record<string, string> = {}
  for (const raw of [env.OTEL_EXPORTER_OTLP_HEADERS, env.OTEL_EXPORTER_OTLP_TRACES_HEADERS])
    for (const pair of raw?.split(',') ?? []) {
      const equals = pair.indexOf('=')
      const name = pair.slice(0, equals).trim()
      if (equals < 1 || name === '') continue
      try {
        headers[name.toLowerCase()] = decodeURIComponent(pair.slice(equals + 1).trim())
      } catch {}
    }
  return Object.keys(headers).length > 0 ? headers : undefined
}

/**
 * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' (the default, as
 * the spec has it) or 'http/json'; `problem` says why another value (e.g. 'grpc', not spoken here) was
 * set aside. see https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specify-protocol
 */
export function otlpProtocolFrom(env: Record<string, string | undefined>): { protocol: OtlpProtocol; problem?: string } {
  const raw = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim()
  if (!raw || raw === 'http/protobuf') return { protocol: 'http/protobuf' }
  if (raw === 'http/json') return { protocol: 'http/json' }
  return { protocol: 'http/protobuf', problem: `OTLP protocol '${raw}' is not supported (http/protobuf or http/json); using http/protobuf` }
}

/** Builds what the configuration turns on: metrics (token or allowlist) and traces (an OTLP endpoint). */
export function createObservability(context: AppContext, env: Record<string, string | undefined> = process.env): Observability {
  const { config } = context
  const metrics = metricsEnabled(config) ? createGatewayMetrics(context) : undefined
  const { protocol, problem } = otlpProtocolFrom(env)
  if (config.otlpEndpoint && problem) context.logger.log('warn', problem)
  const tracing = config.otlpEndpoint
    ? createGatewayTracing({
        endpoint: config.otlpEndpoint,
        serviceName: env.OTEL_SERVICE_NAME?.trim() || 'hanggent-api',
        version: packageJson.version,
        sampleRatio: sampleRatioFrom(env.OTEL_TRACES_SAMPLER_ARG),
        headers: otlpHeadersFrom(env),
        protocol,
        onExportError: (message) => context.logger.log('warn', 'trace export failed', { error: message }),
      })
    : undefined
  return { metrics, tracing, observer: combineObservers([metrics?.observer, tracing?.observer]) }
}
