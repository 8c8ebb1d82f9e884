// The channel-type checks of the conformance kit: a transport building the upstream request for a
// recorded call (URL, method, auth headers, body), and a model listing reading a recorded page.
import type { ChannelContext, EndpointKind, PluginDefinition, PluginHostConfig } from '../contract.ts'
import type { ConformanceCase } from './case-file.ts'
import { findMismatch } from './expect-subset.ts'

/** The gateway's defaults for the settings it hands plugins (core/config.ts), used when a case gives none. */
const DEFAULT_HOST_CONFIG: PluginHostConfig = { azureDefaultApiVersion: '2025-04-01-preview' }

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** The body of a built request as JSON when it parses, else its text. */
function parsedBody(body: string | Uint8Array | undefined): unknown {
  if (body === undefined) return undefined
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body)
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** Runs a case's transport part; failures name the fixture and the field. */
export function transportFailures(plugin: PluginDefinition, testCase: ConformanceCase): string[] {
  const part = testCase.file.transport
  if (!part) return []
  const where = `fixture "${testCase.name}" (transport)`
  const spec = plugin.channelTypes.find((entry) => entry.id === part.channelType)
  if (!spec) return [`${where}: channel type "${part.channelType}" is not one the plugin serves`]
  const channel: ChannelContext = {
    id: 1,
    type: spec.id,
    baseUrl: part.channel.baseUrl,
    key: part.channel.key,
    settings: part.channel.settings ?? {},
    config: { ...DEFAULT_HOST_CONFIG, ...part.channel.config },
  }
  try {
    const built = spec.transport.buildRequest({
      channel,
      dialect: part.call.dialect,
      endpoint: part.call.endpoint as EndpointKind,
      model: part.call.model,
      stream: part.call.stream,
      body: part.call.body,
    })
    const mismatch = findMismatch(part.expect, { ...built, body: parsedBody(built.body) }, 'request')
    return mismatch ? [`${where}: ${mismatch.message}`] : []
  } catch (error) {
    return [`${where}: buildRequest threw ${describeThrown(error)}`]
  }
}

/** Runs a case's listing part. */
export function listingFailures(plugin: PluginDefinition, testCase: ConformanceCase): string[] {
  const part = testCase.file.listing
  if (!part) return []
  const where = `fixture "${testCase.name}" (model listing)`
  const listing = plugin.channelTypes.find((entry) => entry.id === part.channelType)?.modelListing
  if (!listing) return [`${where}: channel type "${part.channelType}" has no modelListing`]
  try {
    const mismatch = findMismatch(part.expect, listing.parsePage(testCase.listingPage), 'page')
    return mismatch ? [`${where}: ${mismatch.message}`] : []
  } catch (error) {
    return [`${where}: parsePage threw ${describeThrown(error)}`]
  }
}
