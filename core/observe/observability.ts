import type { AppContext } from '../app-context.ts'
import packageJson from '../../package.json' with { type: 'json' }
import { createGatewayMetrics, metricsEnabled, type GatewayMetrics } from './metrics.ts'
import { createGatewayTracing, type GatewayTracing } from './tracing.ts'
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

/** Builds what the configuration turns on: metrics (token or allowlist) and traces (an OTLP endpoint). */
export function createObservability(context: AppContext, env: Record<string, string | undefined> = process.env): Observability {
  const { config } = context
  const metrics = metricsEnabled(config) ? createGatewayMetrics(context) : undefined
  const tracing = config.otlpEndpoint
    ? createGatewayTracing({
        endpoint: config.otlpEndpoint,
        serviceName: env.OTEL_SERVICE_NAME?.trim() || 'hanggent-api',
        version: packageJson.version,
        sampleRatio: sampleRatioFrom(env.OTEL_TRACES_SAMPLER_ARG),
        onExportError: (message) => context.logger.log('warn', 'trace export failed', { error: message }),
      })
    : undefined
  return { metrics, tracing, observer: combineObservers([metrics?.observer, tracing?.observer]) }
}
