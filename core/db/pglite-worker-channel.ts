import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import type { Logger } from '../app-context.ts'
import { deserializeError, type QueryContext, type UnnumberedRequest, type WorkerReply, type WorkerSetup } from './pglite-protocol.ts'

// Requests go to the worker by postMessage. Replies come back on a MessagePort that has no listener,
// read with receiveMessageOnPort when the worker bumps a shared counter (Atomics.waitAsync). Why not
// simply `worker.onmessage`: Bun does not dispatch a thread's messages while it is still inside the
// dispatch of an earlier one, and code that continues from a reply (every `await db…`) runs inside
// that dispatch. Anything there that spins the event loop in place, such as bun:test's
// `expect(promise).rejects`, would then wait forever for the next reply.

/** The worker thread's name, as /proc/self/task/<id>/comm and `ps -L` show it. */
export const PGLITE_THREAD_NAME = 'pglite'

/** Numbered requests to the worker and their replies; fails everything waiting when the worker stops. */
export interface WorkerChannel {
  /** Sends one request; settles with the worker's reply (errors rebuilt with the query attached). `transfer` moves buffers instead of copying them. */
  request(message: UnnumberedRequest, context?: QueryContext, transfer?: Transferable[]): Promise<unknown>
  /** False once the worker stopped, on purpose or not. */
  running(): boolean
  /** Ends the thread; whatever still waits, and every later request, fails with `reason`. */
  terminate(reason: Error): void
}

interface PendingRequest {
  resolve(value: unknown): void
  reject(error: Error): void
  context: QueryContext | undefined
}

/** Atomics.waitAsync (ES2024) is in Bun but not in the ES2023 library this project compiles against. */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string } })
  .waitAsync

/** Starts the worker script and connects to it; the logger hears why if the thread dies. */
export function createWorkerChannel(workerUrl: string, logger: Logger): WorkerChannel {
  // Bun's Worker has ref/unref as Node's does; the DOM typings in scope do not list them.
  const worker = new Worker(workerUrl, { name: PGLITE_THREAD_NAME }) as Worker & { ref(): void; unref(): void }
  // Only requests in flight keep the process alive, as PGlite on the main thread never did by itself.
  worker.unref()
  const { port1: replies, port2 } = new MessageChannel()
  const announced = new Int32Array(new SharedArrayBuffer(4))
  worker.postMessage({ kind: 'setup', replies: port2, announced: announced.buffer } satisfies WorkerSetup, [port2 as unknown as Transferable])

  const pending = new Map<number, PendingRequest>()
  let nextId = 1
  let stopped: Error | undefined
  let lastError = ''
  const inbox = createInbox(replies, announced, {
    settle(reply) {
      const request = pending.get(reply.id)
      if (!request) return
      pending.delete(reply.id)
      if (pending.size === 0) worker.unref()
      if (reply.ok) request.resolve(reply.value)
      else request.reject(deserializeError(reply.error, request.context))
    },
    expecting: () => !stopped && pending.size > 0,
  })
  const stop = (reason: Error) => {
    stopped = reason
    for (const request of pending.values()) request.reject(reason)
    pending.clear()
    worker.unref()
    inbox.release()
  }
  worker.addEventListener('error', (event) => {
    lastError = conciseReason(event.message)
    logger.log('error', 'embedded database worker failed', { error: event.message })
  })
  worker.addEventListener('close', (event) => {
    if (stopped) return
    const exitCode = (event as Event & { code?: number }).code
    logger.log('error', 'embedded database worker stopped', { exitCode, error: lastError || undefined })
    stop(new Error(`The embedded database worker stopped unexpectedly (exit code ${exitCode})${lastError ? `: ${lastError}` : ''}; restart the gateway`))
  })

  return {
    request(message, context, transfer) {
      if (stopped) return Promise.reject(stopped)
      const id = nextId++
      return new Promise((resolve, reject) => {
        try {
          worker.postMessage({ ...message, id }, transfer ?? [])
        } catch (error) {
          // Parameters that cannot be cloned (a function, a symbol) fail here, before reaching PGlite.
          reject(error as Error)
          return
        }
        pending.set(id, { resolve, reject, context })
        worker.ref()
        inbox.listen()
      })
    },
    running: () => !stopped,
    terminate(reason) {
      if (!stopped) stop(reason)
      void worker.terminate()
    },
  }
}

/** Bun formats a worker's uncaught error as source excerpt, `error: message`, stack; the message line says it. */
function conciseReason(formatted: string): string {
  return /^error: (.+)$/m.exec(formatted)?.[1] ?? formatted.split('\n')[0] ?? formatted
}

/** Reads replies off the port whenever the worker announces one, for as long as some are expected. */
function createInbox(port: MessagePort, announced: Int32Array, handlers: { settle(reply: WorkerReply): void; expecting(): boolean }) {
  let received = 0
  let listening = false
  const receive = (): void => {
    for (;;) {
      // Read the count before draining: a reply announced after this read wakes the wait below.
      const count = Atomics.load(announced, 0)
      for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
        received += 1
        handlers.settle(message.message as WorkerReply)
      }
      if (!handlers.expecting()) {
        listening = false
        return
      }
      if (received < count) {
        // Announced but not yet readable on this side of the port; look again shortly.
        setTimeout(receive, 0)
        return
      }
      const wait = waitAsync(announced, 0, count)
      if (wait.async) {
        void (wait.value as Promise<string>).then(receive)
        return
      }
    }
  }
  return {
    /** Makes sure someone is waiting for the next reply. */
    listen() {
      if (listening) return
      listening = true
      receive()
    },
    /** Wakes the wait so it sees nothing is expected any more and ends. */
    release() {
      Atomics.notify(announced, 0)
    },
  }
}
