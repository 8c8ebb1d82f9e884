import { definePlugin } from '@hanggent/plugin-sdk'
import { jinaTransport, JinaSettings } from './jina-transport.ts'

// Jina AI's rerank and embeddings APIs. Rerank calls arrive on the routes the cohere plugin brings (the
// `rerank` dialect) and embeddings on OpenAI's `/v1/embeddings`; both pass through unchanged, so Jina's
// answers (and its `usage.total_tokens`) reach clients as Jina wrote them.
// see https://jina.ai/reranker, https://jina.ai/embeddings and https://jina.ai/api-dashboard (pricing: tokens)

/** Jina AI: `jina` channels for rerank and embeddings. */
export default definePlugin({
  id: 'jina',
  specVersion: '1.2',
  name: 'Jina AI',
  channelTypes: [{ id: 'jina', label: 'Jina AI', defaultBaseUrl: 'https://api.jina.ai', settings: JinaSettings, transport: jinaTransport }],
  models: [
    { id: 'jina-reranker-v2-base-multilingual', capabilities: ['rerank'] },
    { id: 'jina-reranker-m0', capabilities: ['rerank'] },
    { id: 'jina-embeddings-v3', capabilities: ['embeddings'] },
  ],
  // Jina sells tokens in prepaid packs and bills every API by tokens (input tokens; nothing is output), at
  // one rate for all these models: USD 0.05 per 1M tokens (the 1B-token pack). Admins override in the dashboard.
  pricing: {
    'jina-reranker-v2-base-multilingual': { inputPerMTok: 0.05 },
    'jina-reranker-m0': { inputPerMTok: 0.05 },
    'jina-embeddings-v3': { inputPerMTok: 0.05 },
  },
  dialects: [],
})
