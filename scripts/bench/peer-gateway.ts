// The peer gateway measured in the same run: Portkey's open-source gateway (@portkey-ai/gateway), as
// its README starts it (Node, `build/start-server.js --port=N --headless`), in front of the same
// fixed upstream. It is installed from npm on first use into a cache directory outside this project's
// dependencies. Each request names the upstream in headers: `x-portkey-provider: openai` and
// `x-portkey-custom-host: http://127.0.0.1:PORT/v1` (loopback hosts are trusted by default), with the
// upstream key as the bearer token.
//
// @hono/node-server is pinned to 1.13.8 with an npm override: from 1.14 its lightweight Response
// reuses the immutable headers of a fetch() answer, and Portkey 1.15.2 then fails every streamed
// call on Node ("TypeError: immutable" when it appends its x-portkey-* headers; non-stream works).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { freePort, residentBytes, startService, stopService, type Service } from './child-processes.ts'

/** The peer version the bench pins. */
export const PEER_VERSION = '1.15.2'
const HONO_NODE_SERVER = '1.13.8'

/** A running peer gateway. */
export interface PeerGateway {
  url: string
  pid: number
  version: string
  /** Headers that route a request through the peer to the upstream. */
  headers: Record<string, string>
  rssBytes(): Promise<number | undefined>
  stop(): Promise<void>
}

/** Where the peer is installed: `${XDG_CACHE_HOME:-$HOME/.cache}/hanggent-bench/peer-<version>`. */
export function peerDirectory(version: string): string {
  const cache = process.env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache')
  return join(cache, 'hanggent-bench', `peer-${version}`)
}

/** Installs the peer with npm unless that version is already there; returns its start script. */
async function installPeer(version: string): Promise<string> {
  const directory = peerDirectory(version)
  const packageDir = join(directory, 'node_modules', '@portkey-ai', 'gateway')
  const script = join(packageDir, 'build', 'start-server.js')
  const installed =
    existsSync(join(packageDir, 'package.json')) &&
    (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version === version
  if (installed && existsSync(script)) return script
  mkdirSync(directory, { recursive: true })
  const manifest = { private: true, dependencies: { '@portkey-ai/gateway': version }, overrides: { '@hono/node-server': HONO_NODE_SERVER } }
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  console.log(`installing the peer gateway @portkey-ai/gateway@${version} into ${directory} (first use)`)
  // Its only install script is patch-package, and the published package ships no patches.
  const npm = Bun.spawn(['npm', 'install', '--prefix', directory, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [exitCode, errors] = await Promise.race([
    Promise.all([npm.exited, new Response(npm.stderr).text()]),
    Bun.sleep(300_000).then(() => {
      npm.kill('SIGKILL')
      return [-1, 'npm install took more than 5 minutes'] as const
    }),
  ])
  if (exitCode !== 0 || !existsSync(script)) throw new Error(`npm install failed (${exitCode}): ${errors.trim().slice(-800)}`)
  return script
}

/** Polls until the peer answers HTTP at all. */
async function waitForHttp(url: string, service: Service, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`exited with ${service.child.exitCode}: ${service.tail()}`)
    const answered = await fetch(`${url}/`, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    )
    if (answered) return
    await Bun.sleep(200)
  }
  throw new Error(`no HTTP answer after ${timeoutMs / 1000} s: ${service.tail()}`)
}

/** One call through the peer, non-stream and stream, must reach the upstream and come back whole. */
async function verifyRoute(url: string, headers: Record<string, string>): Promise<void> {
  for (const stream of [false, true]) {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }], max_tokens: 8, ...(stream ? { stream: true } : {}) })
    const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) })
    const text = await response.text()
    const whole = stream ? text.includes('data: [DONE]') && text.includes('"usage"') : text.includes('"chat.completion"')
    if (response.status !== 200 || !whole) throw new Error(`${stream ? 'stream' : 'non-stream'} call answered ${response.status}: ${text.slice(0, 300)}`)
  }
}

/** Installs (first use), starts and verifies the peer; throws with the reason when any step fails. */
export async function startPeerGateway(root: string, upstreamUrl: string, version = PEER_VERSION): Promise<PeerGateway> {
  const script = await installPeer(version)
  const port = freePort()
  // NODE_ENV=production and --headless: no log console UI, as a deployment would run it.
  const service = await startService('peer', ['node', script, `--port=${port}`, '--headless'], { cwd: root, env: { NODE_ENV: 'production' } })
  const url = `http://127.0.0.1:${port}`
  const headers = {
    'content-type': 'application/json',
    authorization: 'Bearer sk-bench',
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${upstreamUrl}/v1`,
  }
  try {
    await waitForHttp(url, service, 30_000)
    await verifyRoute(url, headers)
  } catch (error) {
    await stopService(service, 5_000)
    throw error
  }
  return { url, pid: service.child.pid, version, headers, rssBytes: () => residentBytes(service.child.pid), stop: () => stopService(service, 10_000) }
}
