import { describe, expect, test } from 'bun:test'
import { offersChat } from './chat-models.ts'

describe('models the playground offers', () => {
  test('a plugin-described model is offered only when it can chat', () => {
    expect(offersChat('gpt-4o-mini', { id: 'gpt-4o-mini', capabilities: ['chat', 'vision'] })).toBe(true)
    expect(offersChat('text-embedding-3-small', { id: 'text-embedding-3-small', capabilities: ['embeddings'] })).toBe(false)
  })

  test('a model no plugin knows is judged by its name', () => {
    expect(offersChat('my-finetuned-llama', undefined)).toBe(true)
    expect(offersChat('bge-m3-embedding', undefined)).toBe(false)
    expect(offersChat('jina-reranker-v2', undefined)).toBe(false)
    expect(offersChat('nomic-embed-text', undefined)).toBe(false)
    expect(offersChat('tts-1-hd', undefined)).toBe(false)
  })
})
