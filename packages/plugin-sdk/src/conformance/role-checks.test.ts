import { describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import type { ClientDialectCodec, DialectCodec, PluginDefinition, UpstreamDialect } from '../contract.ts'
import { importPlugin, locatePlugin } from './load-plugin.ts'
import { roleFailures } from './role-checks.ts'

// The kit checks each dialect entry for the roles it declares: the client role of a client-only dialect alone,
// the upstream role of an upstream-only one alone, both of a dialect with both. A broken promise of either role
// fails naming the dialect, the role and what it answered.

const gatewayRoot = fileURLToPath(new URL('../../../..', import.meta.url))
const load = async (path: string) => (await importPlugin(locatePlugin(path, gatewayRoot))) as PluginDefinition
const memo = await load('./examples/plugins/memo')
const parrot = await load('./examples/plugins/parrot')
const openai = await load('./plugins/openai')
const withDialect = (plugin: PluginDefinition, dialect: PluginDefinition['dialects'][number]): PluginDefinition => ({ ...plugin, dialects: [dialect] })

describe('role checks', () => {
  test('a client-only, an upstream-only and the built-in OpenAI dialects pass, each checked for the roles it has', () => {
    expect(roleFailures(memo)).toEqual([])
    expect(roleFailures(parrot)).toEqual([])
    expect(roleFailures(openai)).toEqual([])
  })

  test('a broken client role fails naming the dialect and the role, whatever the entry declares', () => {
    const entry = memo.dialects[0] as ClientDialectCodec
    const broken: ClientDialectCodec = {
      ...entry,
      renderError: (error) => ({ status: 200, body: { error: error.message } }),
      renderStreamError: () => [{ data: { error: 'not a string' } as never }],
    }
    expect(roleFailures(withDialect(memo, broken))).toEqual([
      'dialect "memo.chat" (client role): renderError answered {"status":200,"body":{"error":"Conformance kit: too many requests"}} for a 429: expected { status: 429, body }',
      'dialect "memo.chat" (client role): renderStreamError answered [{"data":{"error":"not a string"}}]: expected SSE events with string data',
    ])
    const openAIChat = openai.dialects.find((candidate) => candidate.dialect === 'openai.chat') as DialectCodec
    expect(roleFailures(withDialect(openai, { ...openAIChat, readKey: () => 42 as never }))).toEqual([
      'dialect "openai.chat" (client role): readKey answered 42: expected a string or undefined',
    ])
  })

  test('a broken upstream role fails naming the dialect and the role; a client-only dialect is not asked for one', () => {
    const entry = parrot.dialects[0] as UpstreamDialect & PluginDefinition['dialects'][number]
    const broken = {
      ...entry,
      readUpstreamError: (_status: number, body: string) => ({ message: JSON.parse(body).problem as string }),
      usageMember: 'meter',
      decodeUsage: () => ({ tokens: 3 }) as never,
    }
    expect(roleFailures(withDialect(parrot, broken))).toEqual([
      `dialect "parrot.generate" (upstream role): readUpstreamError(502, "<html>Bad Gateway</html>") threw SyntaxError: JSON Parse error: Unrecognized token '<'`,
      'dialect "parrot.generate" (upstream role): readUpstreamError(500, "") threw SyntaxError: JSON Parse error: Unexpected EOF',
      'dialect "parrot.generate" (upstream role): decodeUsage({}) answered {"tokens":3}: expected undefined or a Usage',
    ])
    // Memo declares no upstream role: nothing of it is checked (it has no readUpstreamError to call).
    expect((memo.dialects[0] as Partial<UpstreamDialect>).readUpstreamError).toBeUndefined()
    expect(roleFailures(memo)).toEqual([])
  })
})
