// Every process the bench starts (fake upstream, gateway, peer, load generators) is registered here,
// so an error, Ctrl-C, SIGTERM or the time bound ends all of them: the bench leaves no orphans.
import type { Subprocess } from 'bun'

/** A started child whose output is drained (a full pipe would stall it) and kept as a short tail for error messages. */
export interface Service {
  name: string
  child: Subprocess
  /** The first capture group of the readiness pattern, when one was given. */
  ready: string
  /** The last few KB the child printed. */
  tail(): string
  /** Resolves once both output streams have ended (after exit, the tail is then complete). */
  drained: Promise<unknown>
}

const running = new Set<Subprocess>()
const TAIL_BYTES = 4096

/** Sends SIGTERM to every registered child, then SIGKILL to those still alive after `graceMs`. */
export async function stopAll(graceMs = 10_000): Promise<void> {
  const children = [...running]
  for (const child of children) child.kill('SIGTERM')
  await Promise.race([Promise.all(children.map((child) => child.exited)), Bun.sleep(graceMs)])
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/** Stops one child: SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopService(service: Service, graceMs = 30_000): Promise<void> {
  const { child } = service
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(graceMs).then(() => false)])
  if (!exited) {
    child.kill('SIGKILL')
    await child.exited
  }
}

let handlersInstalled = false

/** On Ctrl-C or SIGTERM: stop every child, then exit (130 / 143). */
export function installExitHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping every child process`)
      void stopAll(5_000).then(() => process.exit(code))
    })
  }
  // Last resort when the bench exits on an uncaught error: no grace, but no orphan either.
  process.on('exit', () => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL')
  })
}

/**
 * Starts `command` and resolves once its output matches `ready` (or at once without a pattern).
 * Rejects with the child's output when it exits first or `timeoutMs` passes.
 */
export async function startService(
  name: string,
  command: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; ready?: RegExp; timeoutMs?: number },
): Promise<Service> {
  const child = Bun.spawn(command, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' })
  running.add(child)
  void child.exited.then(() => running.delete(child))
  let output = ''
  let resolveReady: (match: string) => void = () => {}
  const readyMatch = new Promise<string>((resolve) => (resolveReady = resolve))
  const drained = Promise.all(
    ([child.stdout, child.stderr] as ReadableStream<Uint8Array>[]).map(async (stream) => {
      const decoder = new TextDecoder()
      const reader = stream.getReader()
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        output = (output + decoder.decode(read.value, { stream: true })).slice(-TAIL_BYTES * 4)
        const match = options.ready?.exec(output)
        if (match) resolveReady(match[1] ?? match[0])
      }
    }),
  ).catch(() => undefined)
  const tail = () => output.slice(-TAIL_BYTES)
  if (!options.ready) return { name, child, ready: '', tail, drained }
  const timeoutMs = options.timeoutMs ?? 60_000
  const outcome = await Promise.race([
    readyMatch.then((match) => ({ match })),
    child.exited.then((code) => ({ failure: `${name} exited with ${code} before it was ready` })),
    Bun.sleep(timeoutMs).then(() => ({ failure: `${name} not ready after ${timeoutMs / 1000} s` })),
  ])
  if ('failure' in outcome) {
    child.kill('SIGKILL')
    throw new Error(`${outcome.failure}:\n${tail()}`)
  }
  return { name, child, ready: outcome.match, tail, drained }
}

/** Resident memory of a process in bytes (VmRSS: all its threads share it), or undefined once it is gone. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await Bun.file(`/proc/${pid}/status`).text()
    const kilobytes = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
    return kilobytes ? Number(kilobytes) * 1024 : undefined
  } catch {
    return undefined
  }
}

/** A TCP port free right now on 127.0.0.1, for children that cannot pick their own (the peer gateway). */
export function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const { port } = listener
  listener.stop(true)
  return port
}
