import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { copyFileSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { conformance } from '@hanggent/plugin-sdk/conformance'
import { freshPostgresDatabase, gatewayEnv, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts'
import { claudeClient, geminiClient, openAIChatClient, type ClientAdapter, type Turn } from './matrix/clients.ts'
import { startFakeQuillon, type FakeQuillon } from '../../examples/plugins/quillon/test/fake-quillon.ts'
import { startFakeOllama, type FakeOllama } from '../../examples/plugins/ollama/test/fake-ollama.ts'

// Issue 15 item 5: the external example plugins shipped as npm packages (examples/plugins/quillon, an
// OpenAI-compatible vendor with quirks, and examples/plugins/ollama, Ollama's native API: its own dialect,
// object tool arguments, thinking, a newline-delimited JSON stream), as an operator gets them into a gateway. A fresh install of the gateway is made from this checkout's sources
// (its dependencies hard-linked from this checkout's node_modules, since the test runs offline); the
// example is packed with `npm pack` from its own folder and installed with `npm install <tarball>`, then
// the gateway process starts with PLUGINS=<package names>. The official OpenAI, Anthropic and Google SDKs
// call it (chat, stream, a tool call and its result) in front of a fake upstream replaying the package's
// recorded fixtures, and every call's bill is checked in the usage log. (Cohere's own dialect is the
// built-in plugins/cohere, tested in tests/integration/cohere-chat.test.ts, so the second example is Ollama.)

const root = fileURLToPath(new URL('../..', import.meta.url))
const ROOT_TOKEN = 'external-plugins-root-token-0123456789'
const QUILLON_KEY = 'quillon_live_e2e_key'
/** The bearer token of the proxy in front of the (fake) Ollama. */
const OLLAMA_PROXY_TOKEN = 'ollama-proxy-e2e-token'

/** The examples under test: folder in examples/plugins, npm package name, plugin id. */
const EXAMPLES = [
  { folder: 'quillon', name: 'hanggent-plugin-quillon', id: 'quillon' },
  { folder: 'ollama', name: 'hanggent-plugin-ollama', id: 'ollama' },
] as const

/** Runs a command to completion (killed after `timeoutMs`); throws with its output when it fails. */
async function run(command: string[], cwd: string, timeoutMs = 120_000): Promise<string> {
  const child = Bun.spawn(command, { cwd, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false' } })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  clearTimeout(timer)
  if (code !== 0) throw new Error(`${command.join(' ')} (in ${cwd}) exited with ${code}:\n${stdout}\n${stderr}`)
  return stdout
}

/**
 * A gateway install as a fresh clone gives it: the sources copied, the dependencies already
 * installed (hard links of this checkout's node_modules, with npm's own lockfile copied since npm
 * rewrites it in place), then each example packed from its own folder and installed with npm.
 */
async function prepareInstall(dir: string, packs: string): Promise<void> {
  for (const entry of ['core', 'plugins', 'schemas', 'packages', 'package.json', 'package-lock.json', 'tsconfig.json', 'bunfig.toml']) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true })
  }
  // Hard links keep this quick; across file systems (no hard links there) a full copy does the same job.
  await run(['cp', '-al', join(root, 'node_modules'), join(dir, 'node_modules')], dir).catch(async () => {
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true })
    await run(['cp', '-a', join(root, 'node_modules'), join(dir, 'node_modules')], dir, 300_000)
  })
  rmSync(join(dir, 'node_modules', '.package-lock.json'))
  copyFileSync(join(root, 'node_modules', '.package-lock.json'), join(dir, 'node_modules', '.package-lock.json'))
  const tarballs: string[] = []
  for (const example of EXAMPLES) {
    const output = await run(['npm', 'pack', '--silent', '--pack-destination', packs, join(root, 'examples', 'plugins', example.folder)], dir)
    tarballs.push(join(packs, output.trim().split('\n').at(-1)!))
  }
  // Offline, and the peers (the SDK, TypeBox) are the gateway's own: npm is told not to look them up.
  await run(['npm', 'install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', ...tarballs], dir)
}

/** Every file under a folder, as paths. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

/** USD as quota units, rounded as the gateway rounds (500 000 units per dollar). */
const units = (usd: number) => Math.max(1, Math.round(usd * 500_000 - 1e-9))

describe('the example plugins installed from their folders as npm packages and loaded by package name', () => {
  let workDir: string
  let installDir: string
  let gateway: GatewayProcess
  let quillon: FakeQuillon
  let ollama: FakeOllama
  let ollamaChannel: number
  let database: { url: string; drop(): Promise<void> } | undefined
  let key: string
  let quillonChannel: number

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'hanggent-plugin-install-'))
    installDir = join(workDir, 'gateway')
    mkdirSync(join(workDir, 'packs'))
    mkdirSync(installDir)
    await prepareInstall(installDir, join(workDir, 'packs'))
    quillon = startFakeQuillon({ keys: [QUILLON_KEY] })
    ollama = startFakeOllama({ bearer: OLLAMA_PROXY_TOKEN })
    const storage: Record<string, string> = process.env.TEST_DATABASE_URL
      ? {
          DATABASE_URL: (database = await freshPostgresDatabase(process.env.TEST_DATABASE_URL, 'plugins')).url,
          CRYPTO_SECRET: 'external-plugins-crypto-secret-0123456789',
        }
      : { DATA_DIR: join(workDir, 'data') }
    gateway = await startGatewayProcess(
      gatewayEnv({ ...storage, ROOT_ACCESS_TOKEN: ROOT_TOKEN, PLUGINS: EXAMPLES.map((example) => example.name).join(',') }),
      60_000,
      installDir,
    )
    quillonChannel = (
      await gateway.admin<{ id: number }>(ROOT_TOKEN, 'POST', '/api/channels', {
        name: 'quillon',
        type: 'quillon',
        key: QUILLON_KEY,
        baseUrl: quillon.url,
        models: ['quillon-chat-large'],
        settings: { project: 'prj_e2e' },
      })
    ).id
    ollamaChannel = (
      await gateway.admin<{ id: number }>(ROOT_TOKEN, 'POST', '/api/channels', {
        name: 'ollama',
        type: 'ollama',
        key: OLLAMA_PROXY_TOKEN,
        baseUrl: ollama.url,
        models: ['qwen3:8b'],
        settings: { keepAlive: '10m' },
      })
    ).id
    const user = await gateway.admin<{ id: number }>(ROOT_TOKEN, 'POST', '/api/users', { username: 'plugin-user', password: 'password-123', quota: 50_000_000 })
    key = (await gateway.admin<{ key: string }>(ROOT_TOKEN, 'POST', '/api/tokens', { name: 'plugins', userId: user.id, unlimited: true })).key
  }, 240_000)

  afterAll(async () => {
    gateway?.process.kill()
    await gateway?.process.exited
    await quillon?.stop()
    await ollama?.stop()
    await database?.drop()
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  })

  /** Usage rows logged after row `afterId`, oldest first, once `count` of them are there (the writer flushes in batches). */
  async function newUsageRows(afterId: number, count: number): Promise<Array<Record<string, unknown>>> {
    const deadline = Date.now() + 15_000
    for (;;) {
      const page = await gateway.admin<{ items: Array<Record<string, unknown>> }>(ROOT_TOKEN, 'GET', '/api/logs?type=consume&pageSize=100')
      const rows = page.items.filter((row) => Number(row.id) > afterId).sort((a, b) => Number(a.id) - Number(b.id))
      if (rows.length >= count || Date.now() > deadline) return rows
      await Bun.sleep(200)
    }
  }

  /** The id of the newest usage row so far (0 when there is none). */
  async function lastUsageRowId(): Promise<number> {
    const page = await gateway.admin<{ items: Array<Record<string, unknown>> }>(ROOT_TOKEN, 'GET', '/api/logs?type=consume&pageSize=100')
    return Math.max(0, ...page.items.map((row) => Number(row.id)))
  }

  test('each example is a real package folder in the install, loaded by name, and core/ names none of them', () => {
    const manifest = JSON.parse(readFileSync(join(installDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    for (const example of EXAMPLES) {
      const folder = join(installDir, 'node_modules', example.name)
      expect(lstatSync(folder).isSymbolicLink()).toBe(false)
      expect(realpathSync(folder).startsWith(installDir)).toBe(true)
      expect((JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name: string }).name).toBe(example.name)
      expect(manifest.dependencies[example.name]).toMatch(/^file:.*\.tgz$/)
    }
    const loaded = /"message":"gateway listening"[^\n]*"plugins":(\[[^\]]*\])/.exec(gateway.log())?.[1]
    expect(JSON.parse(loaded ?? '[]')).toEqual(expect.arrayContaining(EXAMPLES.map((example) => example.id)))

    // The plugins by name: Quillon is invented, so any mention of it counts. Ollama by what the plugin defines (its
    // channel type id, dialect, package name, NDJSON): core/import's report labels New API's type numbers, "Ollama"
    // among them, which is New API's name for its own channel type, not this plugin.
    const mentions = filesUnder(join(root, 'core')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => ({ where: `${relative(root, file)}:${index + 1}`, line }))
        .filter(({ line }) => /quillon/i.test(line) || /['"`]ollama['"`.]|ollama\.chat|hanggent-plugin-ollama|x-ndjson/.test(line)),
    )
    expect(mentions).toEqual([])
  })

  test("each example type-checks on its own against the SDK package: nothing from the gateway's sources", async () => {
    const tsc = join(root, 'node_modules', '.bin', 'tsc')
    const sdk = realpathSync(join(root, 'node_modules', '@hanggent', 'plugin-sdk'))
    const checked = await Promise.all(
      EXAMPLES.map(async ({ folder }) => {
        const base = join(root, 'examples', 'plugins', folder)
        return { folder, base, listed: (await run([tsc, '--noEmit', '--listFiles', '-p', join(base, 'tsconfig.json')], base)).split('\n').filter(Boolean) }
      }),
    )
    for (const { folder, base, listed } of checked) {
      const outside = listed.filter((file) => !file.startsWith(`${base}/`) && !file.includes('/node_modules/') && !file.startsWith(`${sdk}/`))
      expect({ folder, outside }).toEqual({ folder, outside: [] })
      for (const file of filesUnder(base).filter((path) => path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.includes('/test/'))) {
        const imports = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm)].map(
          (match) => (match[1] ?? match[2])!,
        )
        expect({
          file: relative(root, file),
          foreign: imports.filter((source) => !source.startsWith('./') && source !== '@hanggent/plugin-sdk' && source !== '@sinclair/typebox'),
        }).toEqual({ file: relative(root, file), foreign: [] })
      }
    }
  }, 180_000)

  /** Text, streamed text, a streamed tool call and the answer to its result, through one SDK; the args and texts each fixture holds. */
  async function conversation(client: ClientAdapter, model: string, texts: { text: string; afterTool: string }) {
    const question: Turn = { role: 'user', text: 'What is the capital of France?' }
    expect((await client.ask({ model, turns: [question], stream: false })).text).toBe(texts.text)
    expect((await client.ask({ model, turns: [question], stream: true })).text).toBe(texts.text)
    const weather: Turn = { role: 'user', text: 'What is the weather in Paris?' }
    const called = await client.ask({ model, turns: [weather], tools: true, stream: true })
    expect(called.toolCalls.map((call) => [call.name, call.args])).toEqual([['get_weather', { location: 'Paris', unit: 'celsius' }]])
    const call = called.toolCalls[0]!
    const answered = await client.ask({
      model,
      tools: true,
      stream: false,
      turns: [
        weather,
        { role: 'assistant-call', id: call.id, name: call.name, args: call.args },
        { role: 'tool', id: call.id, name: call.name, result: '{"temperature":18,"sky":"sunny"}' },
      ],
    })
    expect(answered.text).toBe(texts.afterTool)
  }

  const clients: Array<[string, (url: string, key: string) => ClientAdapter]> = [
    ['OpenAI', openAIChatClient],
    ['Anthropic', claudeClient],
    ['Google', geminiClient],
  ]

  for (const [sdk, makeClient] of clients) {
    test(`Quillon (X-Api-Key, usage in x_usage) through the ${sdk} SDK: chat, stream, tools both ways, billed from x_usage`, async () => {
      const afterId = await lastUsageRowId()
      quillon.requests.length = 0
      await conversation(makeClient(gateway.url, key), 'quillon-chat-large', {
        text: 'The capital of France is Paris — about 2.1 million people live there.',
        afterTool: 'It is 18 °C and sunny in Paris.',
      })

      // Quillon's own key header and the channel's project on every call; never a bearer token.
      expect(quillon.requests.map((request) => [request.path, request.apiKey, request.authorization, request.project])).toEqual(
        Array(4).fill(['/v1/chat/completions', QUILLON_KEY, null, 'prj_e2e']),
      )
      const toolTurn = quillon.requests[3]!.body!.messages as Array<{ role: string; tool_call_id?: string }>
      expect(toolTurn.at(-1)).toMatchObject({ role: 'tool', content: '{"temperature":18,"sky":"sunny"}' })

      // quillon-chat-large: $1/M input, $0.25/M cached input, $3/M output, from each recorded x_usage.
      const rows = await newUsageRows(afterId, 4)
      expect(rows.map((row) => [row.model, row.quota])).toEqual([
        ['quillon-chat-large', units((176 * 1 + 1024 * 0.25 + 18 * 3) / 1e6)],
        ['quillon-chat-large', units((176 * 1 + 1024 * 0.25 + 18 * 3) / 1e6)],
        ['quillon-chat-large', units((210 * 1 + 24 * 3) / 1e6)],
        ['quillon-chat-large', units((260 * 1 + 12 * 3) / 1e6)],
      ])
      expect(rows.map((row) => (row.details as { usageSource?: string }).usageSource)).toEqual(['upstream', 'upstream', 'upstream', 'upstream'])
    }, 60_000)
  }

  for (const [sdk, makeClient] of clients) {
    test(`Ollama (native /api/chat, NDJSON stream, object tool arguments) through the ${sdk} SDK: chat, stream, tools both ways, usage from its counters`, async () => {
      const afterId = await lastUsageRowId()
      ollama.requests.length = 0
      await conversation(makeClient(gateway.url, key), 'qwen3:8b', {
        text: 'The capital of France is Paris — about 2.1 million people live there.',
        afterTool: 'It is 18 °C and sunny in Paris.',
      })

      // Ollama's own route, the proxy's bearer token, NDJSON asked for on streams, the channel's keep_alive.
      expect(ollama.requests.map((request) => [request.path, request.authorization, request.accept, request.body?.stream, request.body?.keep_alive])).toEqual([
        ['/api/chat', `Bearer ${OLLAMA_PROXY_TOKEN}`, 'application/json', false, '10m'],
        ['/api/chat', `Bearer ${OLLAMA_PROXY_TOKEN}`, 'application/x-ndjson', true, '10m'],
        ['/api/chat', `Bearer ${OLLAMA_PROXY_TOKEN}`, 'application/x-ndjson', true, '10m'],
        ['/api/chat', `Bearer ${OLLAMA_PROXY_TOKEN}`, 'application/json', false, '10m'],
      ])
      // The call goes back with object arguments, its result as a tool message naming the tool.
      const toolTurn = ollama.requests[3]!.body!.messages as Array<Record<string, unknown>>
      expect(toolTurn.slice(-2)).toEqual([
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { location: 'Paris', unit: 'celsius' } } }] },
        { role: 'tool', content: '{"temperature":18,"sky":"sunny"}', tool_name: 'get_weather' },
      ])

      // qwen3:* is a local model priced at zero: each call is served and logged with Ollama's token counts, charging 0 units.
      const rows = await newUsageRows(afterId, 4)
      expect(rows.map((row) => [row.model, row.quota, row.promptTokens, row.completionTokens])).toEqual([
        ['qwen3:8b', 0, 26, 17],
        ['qwen3:8b', 0, 26, 17],
        ['qwen3:8b', 0, 180, 22],
        ['qwen3:8b', 0, 230, 12],
      ])
      expect(rows.map((row) => (row.details as { usageSource?: string }).usageSource)).toEqual(['upstream', 'upstream', 'upstream', 'upstream'])
    }, 60_000)
  }

  test('the installed packages pass the conformance kit, its gateway step run by this install with the official SDKs', async () => {
    const reports = await Promise.all(
      EXAMPLES.map((example) => conformance(join(installDir, 'node_modules', example.name), { gateway: true, gatewayRoot: installDir })),
    )
    for (const [index, report] of reports.entries()) {
      expect({ plugin: report.plugin, failures: report.failures }).toEqual({ plugin: EXAMPLES[index]!.id, failures: [] })
      for (const sdk of ['OpenAI SDK', 'Anthropic SDK', 'Google Gen AI SDK'])
        expect(report.passed).toContain(
          `fixture "chat-tool-call" (gateway, ${sdk}${sdk === 'OpenAI SDK' ? ' chat' : sdk === 'Anthropic SDK' ? ' messages' : ' generateContent'}, streamed)`,
        )
    }
  }, 120_000)

  test('the dashboard\'s "fetch upstream models" reads Quillon\'s own paginated catalog with its key header', async () => {
    quillon.requests.length = 0
    const listed = await gateway.admin<{ models: string[] }>(ROOT_TOKEN, 'GET', `/api/channels/${quillonChannel}/upstream-models`)
    expect(listed.models).toEqual(['quillon-chat-large', 'quillon-chat-small', 'quillon-chat-large-2025-10'])
    expect(quillon.requests.map((request) => [request.method, request.path, request.query.page_token ?? null, request.apiKey, request.authorization])).toEqual([
      ['GET', '/v1/catalog', null, QUILLON_KEY, null],
      ['GET', '/v1/catalog', 'cat_p2_Zm9vYmFy', QUILLON_KEY, null],
    ])
  })

  test('"fetch upstream models" on an Ollama channel reads /api/tags with the proxy\'s bearer token', async () => {
    ollama.requests.length = 0
    const listed = await gateway.admin<{ models: string[] }>(ROOT_TOKEN, 'GET', `/api/channels/${ollamaChannel}/upstream-models`)
    expect(listed.models).toEqual(['qwen3:8b', 'llama3.2:3b', 'nomic-embed-text:latest'])
    expect(ollama.requests.map((request) => [request.method, request.path, request.authorization])).toEqual([
      ['GET', '/api/tags', `Bearer ${OLLAMA_PROXY_TOKEN}`],
    ])
  })
})
