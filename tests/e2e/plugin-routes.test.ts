import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gatewayEnv, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts'

// Route ownership (issue 20 item 2), as an operator meets it: the example plugin
// examples/plugins/route-claimer, loaded only through PLUGINS, declares POST /v1/chat/completions,
// which the built-in OpenAI plugin serves too. The gateway refuses to start naming both, until
// PLUGIN_ROUTE_OWNERS names the owner; then the route answers from the chosen plugin.

const root = fileURLToPath(new URL('../..', import.meta.url))
const dataDirs: string[] = []
const running: GatewayProcess[] = []
afterAll(async () => {
  for (const gateway of running) {
    gateway.process.kill('SIGTERM')
    await gateway.process.exited
  }
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
})

function env(extra: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'hanggent-routes-'))
  dataDirs.push(dir)
  return gatewayEnv({ DATA_DIR: dir, PLUGINS: './examples/plugins/route-claimer', ...extra })
}

/** Runs the gateway expecting it to refuse to start; returns exit code and output. */
async function failedStart(environment: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const child = Bun.spawn([process.execPath, 'core/main.ts'], { cwd: root, env: environment, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const code = await child.exited
  return { code, stderr: await new Response(child.stderr).text() }
}

/** A keyless chat call: whoever owns the route renders the 401 in its own error shape. */
async function keylessChat(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
  })
  return { status: response.status, body: await response.json() }
}

describe('route ownership between plugins', () => {
  test('a plugin declaring a built-in route stops start-up, naming both plugins, the route and the fix', async () => {
    const { code, stderr } = await failedStart(env({}))
    expect(code).toBe(1)
    expect(stderr.trim()).toBe(
      'Plugin error: Route POST /v1/chat/completions is declared by plugin "openai" (dialect openai.chat) and plugin "route-claimer" (dialect claimer.chat). ' +
        'Choose its owner with PLUGIN_ROUTE_OWNERS="POST /v1/chat/completions=<plugin id>" (e.g. "POST /v1/chat/completions=route-claimer"), or remove one of the plugins from PLUGINS',
    )
  }, 30_000)

  test('an owner naming a plugin that does not declare the route is refused too', async () => {
    const { code, stderr } = await failedStart(env({ PLUGIN_ROUTE_OWNERS: 'POST /v1/chat/completions=claude' }))
    expect(code).toBe(1)
    expect(stderr).toContain('PLUGIN_ROUTE_OWNERS: "POST /v1/chat/completions=claude" names plugin "claude", which does not declare that route')
  }, 30_000)

  test("the operator's choice starts the gateway and the route answers from the chosen plugin", async () => {
    const claimed = await startGatewayProcess(env({ PLUGIN_ROUTE_OWNERS: 'POST /v1/chat/completions=route-claimer' }))
    running.push(claimed)
    expect(await keylessChat(claimed.url)).toEqual({ status: 401, body: { claimer_error: { status: 401, message: expect.any(String) } } })
    // The plugin's other routes are untouched: the built-in still answers the rest of OpenAI's API.
    const completions = await fetch(`${claimed.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(((await completions.json()) as { error: { type: string } }).error.type).toBe('authentication_error')

    const kept = await startGatewayProcess(env({ PLUGIN_ROUTE_OWNERS: 'POST /v1/chat/completions=openai' }))
    running.push(kept)
    const answer = await keylessChat(kept.url)
    expect(answer.status).toBe(401)
    expect(answer.body).toMatchObject({ error: { type: 'authentication_error' } })
  }, 60_000)
})
