import { Type } from '@sinclair/typebox'
// From the SDK package: the contract the gateway checks this manifest against, and the toolkit.
import { parseJsonObject, type PluginDefinition, type UpstreamDialectCodec } from '@hanggent/plugin-sdk'
import { parrotHub } from './parrot-hub.ts'

// An upstream-only provider: Parrot speaks its own wire format (parrot-wire.ts), which no client
// speaks, so the plugin brings only the upstream side — a channel type with a transport, and a dialect
// with no routes, no request schema, no key reading and no error rendering. Clients call it in OpenAI,
// Claude or Gemini form; the core converts through the hub. `parrot-rerank-1` can only rerank: the
// gateway refuses chat calls to it and leaves it out of chat clients' model lists.

/** Parrot's dialect, reached only through the hub. */
const parrotGenerate: UpstreamDialectCodec = {
  dialect: 'parrot.generate',
  endpoint: 'chat',
  readUpstreamError(status, bodyText) {
    const problem = parseJsonObject(bodyText)?.problem
    if (typeof problem === 'string') return { message: problem }
    return { message: bodyText.slice(0, 300) || `Parrot answered HTTP ${status}` }
  },
  hub: parrotHub,
}

const plugin: PluginDefinition = {
  id: 'parrot',
  specVersion: 1,
  hubVersion: 1,
  name: 'Parrot (example)',
  channelTypes: [
    {
      id: 'parrot',
      label: 'Parrot',
      defaultBaseUrl: 'https://api.parrot.example',
      settings: Type.Object({}, { additionalProperties: false }),
      // The channel list's balance column: Parrot reports the account's credit at GET /v1/account.
      balanceReaders: [
        {
          id: 'parrot-credit',
          label: 'Parrot credit',
          hosts: ['api.parrot.example'],
          async read(channel, send) {
            const reply = await send({ url: `${channel.baseUrl}/v1/account`, method: 'GET', headers: { 'x-parrot-key': channel.key } })
            const credit = (reply.json as { credit?: { amount?: unknown; currency?: unknown } } | undefined)?.credit
            if (reply.status !== 200 || typeof credit?.amount !== 'number' || typeof credit.currency !== 'string')
              throw new Error(`Parrot answered HTTP ${reply.status} without a credit`)
            return { amount: credit.amount, currency: credit.currency }
          },
        },
      ],
      transport: {
        nativeDialects: ['parrot.generate'],
        buildRequest: (call) => ({
          url: `${call.channel.baseUrl}/v1/generate`,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-parrot-key': call.channel.key },
          body: JSON.stringify(call.body),
        }),
      },
    },
  ],
  models: [
    { id: 'parrot-chat-1', capabilities: ['chat'] },
    { id: 'parrot-rerank-1', capabilities: ['rerank'] },
  ],
  pricing: {
    'parrot-chat-1': { inputPerMTok: 1, outputPerMTok: 2 },
    'parrot-rerank-1': { perCall: 0.001 },
  },
  dialects: [parrotGenerate],
}

export default plugin
