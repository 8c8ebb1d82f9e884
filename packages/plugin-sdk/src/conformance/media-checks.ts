// The conformance kit's checks of media dialects (contract 1.2, ClientDialect.media): the declaration is one the
// gateway can act on (request and answer kinds, file rules with distinct fields and counts of at least one, no
// file field required by the text-field schema, files only on multipart requests), `readUsage` reads nothing
// from an answer it cannot use without throwing (the answer has already reached the client when it runs), and
// every channel type whose transport lists the dialect builds its upstream request on the channel's own host.
import type { ChannelTypeSpec, ClientDialect, PluginDefinition } from '../contract.ts'
import type { MediaAnswer, MediaMeasure } from '../media-contract.ts'

const BASE_URL = 'https://upstream.example.test'

/** Answers a usage reader must survive: binary, text transcripts, broken JSON, JSON without usage. */
const ODD_ANSWERS: MediaAnswer[] = [
  { contentType: 'audio/mpeg' },
  { contentType: 'text/plain; charset=utf-8', text: 'Hello.\n' },
  { contentType: 'application/json', text: '{"text":"cut sho' },
  { contentType: 'application/json', text: '{}' },
  { contentType: 'application/json', text: 'null' },
]
const MEASURES: MediaMeasure[] = [{}, { audioSeconds: 1.5 }]

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** What is wrong with a media declaration itself. */
function declarationProblems(codec: ClientDialect): string[] {
  const media = codec.media!
  const problems: string[] = []
  if (media.request !== 'json' && media.request !== 'multipart') problems.push(`request must be "json" or "multipart", not "${String(media.request)}"`)
  if (media.response !== 'binary' && media.response !== 'whole') problems.push(`response must be "binary" or "whole", not "${String(media.response)}"`)
  const files = media.files ?? []
  if (media.request === 'json' && files.length > 0) problems.push('declares file fields on a JSON request')
  if (media.request === 'multipart' && files.length === 0) problems.push('takes a multipart form but declares no file field')
  const names = files.flatMap((rule) => [rule.field, ...(rule.aliases ?? [])])
  const repeated = names.filter((name, index) => names.indexOf(name) !== index)
  if (repeated.length > 0) problems.push(`file field ${[...new Set(repeated)].map((name) => `"${name}"`).join(', ')} declared twice`)
  for (const rule of files) {
    if (rule.maxCount !== undefined && (!Number.isInteger(rule.maxCount) || rule.maxCount < 1))
      problems.push(`file field "${rule.field}" has maxCount ${rule.maxCount}`)
    if (!['audio', 'image', 'any'].includes(rule.kind)) problems.push(`file field "${rule.field}" has an unknown kind "${String(rule.kind)}"`)
  }
  // The schema validates the text fields only: a file field it requires would refuse every request.
  const required = (codec.requestSchema as { required?: unknown }).required
  const clash = Array.isArray(required) ? names.filter((name) => required.includes(name)) : []
  if (clash.length > 0) problems.push(`requestSchema requires the file field ${clash.map((name) => `"${name}"`).join(', ')} (files are not text fields)`)
  return problems
}

/** readUsage on answers it cannot use: undefined or a usage, never a throw. */
function usageProblems(codec: ClientDialect): string[] {
  const problems: string[] = []
  for (const answer of ODD_ANSWERS)
    for (const measured of MEASURES) {
      try {
        const usage = codec.media!.readUsage(answer, { model: 'conformance-model' }, measured)
        if (usage !== undefined && (typeof usage !== 'object' || typeof usage.inputTokens !== 'number' || typeof usage.outputTokens !== 'number'))
          problems.push(`readUsage answered ${JSON.stringify(usage)} for a ${answer.contentType} answer: expected undefined or a Usage`)
      } catch (error) {
        problems.push(`readUsage threw ${describeThrown(error)} for a ${answer.contentType} answer ${JSON.stringify(answer.text ?? '(binary)')}`)
      }
    }
  return problems
}

/** Each channel type whose transport speaks the dialect builds its request on the channel's host. */
function transportProblems(plugin: PluginDefinition, codec: ClientDialect): string[] {
  const problems: string[] = []
  for (const spec of plugin.channelTypes.filter((type: ChannelTypeSpec) => type.transport.nativeDialects.includes(codec.dialect))) {
    const required = (spec.settings as { required?: unknown[] }).required
    if (Array.isArray(required) && required.length > 0) continue
    try {
      const request = spec.transport.buildRequest({
        channel: {
          id: 1,
          type: spec.id,
          baseUrl: BASE_URL,
          key: 'conformance-channel-key',
          settings: {},
          config: { azureDefaultApiVersion: '2025-04-01-preview' },
        },
        dialect: codec.dialect,
        endpoint: codec.endpoint,
        model: 'conformance-model',
        stream: false,
        body: { model: 'conformance-model' },
      })
      if (new URL(request.url).hostname !== new URL(BASE_URL).hostname)
        problems.push(`channel type "${spec.id}" sends it to ${request.url}, off the channel's host`)
    } catch (error) {
      problems.push(`channel type "${spec.id}" lists it as native but cannot build its request: ${describeThrown(error)}`)
    }
  }
  return problems
}

/** Every broken promise of the plugin's media dialects, each naming its dialect. */
export function mediaFailures(plugin: PluginDefinition): string[] {
  const failures: string[] = []
  for (const codec of plugin.dialects) {
    if (!('routes' in codec) || !codec.media) continue
    const problems = [...declarationProblems(codec), ...usageProblems(codec), ...transportProblems(plugin, codec)]
    failures.push(...problems.map((problem) => `media dialect "${codec.dialect}": ${problem}`))
  }
  return failures
}
