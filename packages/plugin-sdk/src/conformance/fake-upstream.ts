// The kit's fake upstream: an HTTP server on 127.0.0.1 that answers the next request with whatever
// recorded answer the kit set (a fixture's response JSON or stream bytes) and records what it received.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request the fake received. */
export interface ReceivedRequest {
  /** HTTP method. */
  method: string
  /** Path and query. */
  path: string
  /** Headers as Node reads them (lowercase names). */
  headers: Record<string, string | string[] | undefined>
  /** The body as text. */
  body: string
}

/** The answer the fake gives until told otherwise. */
export interface RecordedAnswer {
  /** HTTP status. */
  status: number
  /** The content-type header. */
  contentType: string
  /** The body, sent as it is. */
  body: Uint8Array | string
}

/** A running fake upstream. */
export interface FakeUpstream {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** Requests received, in order. */
  received: ReceivedRequest[]
  /** Sets the answer for the following requests. */
  answer(answer: RecordedAnswer): void
  /** Closes the server and its connections. */
  stop(): Promise<void>
}

/** Reads a request body as text. */
async function bodyText(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  for await (const part of request) parts.push(part as Buffer)
  return Buffer.concat(parts).toString('utf8')
}

/** Starts the fake on an ephemeral port of 127.0.0.1. */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const received: ReceivedRequest[] = []
  let current: RecordedAnswer = { status: 500, contentType: 'application/json', body: '{"error":{"message":"the conformance kit set no answer"}}' }
  const server: Server = createServer((request, response) => {
    void bodyText(request).then((body) => {
      received.push({ method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers, body })
      response.writeHead(current.status, { 'content-type': current.contentType })
      response.end(current.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (answer) => {
      current = answer
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
