import type { ModelCapability, ModelSpec } from '@hanggent/plugin-sdk'

// see https://docs.claude.com/en/docs/about-claude/models/overview — every current model takes
// text and images, uses tools and has a 200K-token context window; extended thinking starts with
// Claude 3.7 Sonnet. Aliases (`claude-sonnet-4-5`) and dated snapshots are both listed.

const CONTEXT_WINDOW = 200_000

const model = (id: string, thinking: boolean): ModelSpec => {
  const capabilities: ModelCapability[] = ['chat', 'tools', 'vision']
  if (thinking) capabilities.push('reasoning')
  return { id, capabilities, contextWindow: CONTEXT_WINDOW }
}

/** The Claude models the plugin knows, newest first. */
export const claudeModels: ModelSpec[] = [
  model('claude-opus-4-5', true),
  model('claude-opus-4-5-20251101', true),
  model('claude-sonnet-4-5', true),
  model('claude-sonnet-4-5-20250929', true),
  model('claude-haiku-4-5', true),
  model('claude-haiku-4-5-20251001', true),
  model('claude-opus-4-1', true),
  model('claude-opus-4-1-20250805', true),
  model('claude-opus-4-0', true),
  model('claude-opus-4-20250514', true),
  model('claude-sonnet-4-0', true),
  model('claude-sonnet-4-20250514', true),
  model('claude-3-7-sonnet-latest', true),
  model('claude-3-7-sonnet-20250219', true),
  model('claude-3-5-haiku-latest', false),
  model('claude-3-5-haiku-20241022', false),
  model('claude-3-haiku-20240307', false),
]
