import { definePlugin, HUB_VERSION, PLUGIN_SPEC_VERSION, tokensByCharacters } from '@hanggent/plugin-sdk'
import { COHERE_DIALECT, cohereDialect } from './cohere-dialect.ts'
import { CohereSettings } from './cohere-settings.ts'

// An example provider plugin for Cohere's v2 chat API, loaded only through PLUGINS: installed as a
// package, PLUGINS=hanggent-plugin-cohere-example (or the folder's path). Streaming and tool calls go
// both ways through the hub, and it shows the contract's optional parts: decoders reading the call's
// context, non-token usage priced per unit, a tokenizer for estimates, and translated settings labels.
// see https://docs.cohere.com/reference/chat

export default definePlugin({
  id: 'cohere-example',
  specVersion: PLUGIN_SPEC_VERSION,
  hubVersion: HUB_VERSION,
  name: 'Cohere (example)',
  channelTypes: [
    {
      id: 'cohere-example',
      label: 'Cohere (example plugin)',
      defaultBaseUrl: 'https://api.cohere.com',
      settings: CohereSettings,
      transport: {
        nativeDialects: [COHERE_DIALECT],
        buildRequest: (call) => ({
          url: `${call.channel.baseUrl}/v2/chat`,
          method: 'POST',
          headers: {
            authorization: `Bearer ${call.channel.key}`,
            'content-type': 'application/json',
            accept: call.stream ? 'text/event-stream' : 'application/json',
          },
          body: JSON.stringify(call.body),
        }),
      },
    },
  ],
  models: [
    { id: 'command-a-03-2025', capabilities: ['chat', 'tools'] },
    { id: 'command-a-reasoning-08-2025', capabilities: ['chat', 'tools', 'reasoning'] },
  ],
  pricing: {
    // see https://cohere.com/pricing; web search connectors bill search units on top of tokens.
    'command-a-03-2025': { inputPerMTok: 2.5, outputPerMTok: 10, perUnit: { searchUnits: 0.002 } },
    'command-a-reasoning-08-2025': { inputPerMTok: 2.5, outputPerMTok: 10 },
  },
  // Cohere's tokenizer is not shipped with the gateway: estimates count one token per three characters.
  tokenizers: { 'command-*': tokensByCharacters(3) },
  dialects: [cohereDialect],
})
