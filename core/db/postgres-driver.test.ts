import { describe, expect, test } from 'bun:test'
import { EventEmitter } from 'node:events'
import postgres from 'postgres'

// postgres.js 3.4.9 batches small writes behind a setImmediate and, when a connection closed while such a
// write waited, cancelled the timer without forgetting it: that pooled connection could never send again.
// Every later query handed to it waited for connect_timeout (30 s by default) and failed, forever. The
// PostgreSQL-restart campaign (tests/reliability/dependency-faults.test.ts) met it as a dashboard read that
// hung 30 s and answered 503 long after PostgreSQL was back. patches/postgres+3.4.9.patch (applied by
// patch-package on install) forgets the timer and the pending bytes on close.
//
// A PostgreSQL restart is reproduced deterministically with the driver's own `socket` option: an in-process
// server socket that trusts the start-up, answers every simple query with no rows, and can drop the
// connection at the exact moment a query's bytes are waiting for their setImmediate.

/** One protocol message: a type byte, then the length (itself included) and the body. */
function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

const AUTHENTICATION_OK = message('R', Buffer.from([0, 0, 0, 0]))
const READY = message('Z', Buffer.from('I'))
const NO_ROWS = message('C', Buffer.from('SELECT 0\0'))

/** The client's end of a connection to a minimal PostgreSQL. */
class ServerSocket extends EventEmitter {
  readyState = 'open'
  /** Bytes each write delivered, so a test can tell a start-up that never reached the server. */
  received = 0
  private started = false
  private pending = Buffer.alloc(0)

  write(chunk: Uint8Array, callback?: () => void): boolean {
    this.received += chunk.length
    this.pending = Buffer.concat([this.pending, chunk])
    const replies: Buffer[] = []
    if (!this.started && this.pending.length >= 4 && this.pending.length >= this.pending.readInt32BE(0)) {
      this.pending = this.pending.subarray(this.pending.readInt32BE(0))
      this.started = true
      replies.push(AUTHENTICATION_OK, READY)
    }
    while (this.started && this.pending.length >= 5 && this.pending.length >= this.pending.readInt32BE(1) + 1) {
      const type = String.fromCharCode(this.pending[0] ?? 0)
      this.pending = this.pending.subarray(this.pending.readInt32BE(1) + 1)
      if (type === 'Q') replies.push(NO_ROWS, READY)
    }
    if (replies.length > 0) setTimeout(() => this.readyState === 'open' && this.emit('data', Buffer.concat(replies)), 1)
    callback?.()
    return true
  }

  /** The server went away, as every pooled connection sees a PostgreSQL restart. */
  drop(): void {
    if (this.readyState === 'closed') return
    this.readyState = 'closed'
    this.emit('close', false)
  }

  end(): void {
    this.drop()
  }

  destroy(): void {
    this.drop()
  }

  setKeepAlive(): void {}
}

async function outcome(query: Promise<unknown>): Promise<string> {
  return query.then(
    () => 'ok',
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  )
}

describe('postgres.js under a PostgreSQL restart', () => {
  test('a connection dropped while a query waited to be sent serves the next queries at once', async () => {
    const sockets: ServerSocket[] = []
    // `socket` is a documented option of postgres.js that its type declarations leave out.
    const options = {
      socket: () => {
        const socket = new ServerSocket()
        sockets.push(socket)
        return socket
      },
      max: 1,
      fetch_types: false,
      connect_timeout: 1,
    }
    const sql = postgres(options)
    try {
      expect(await outcome(sql.unsafe('select 1'))).toBe('ok')
      // The query's bytes wait for a setImmediate; the server drops the connection before it runs.
      const cut = outcome(sql.unsafe('select 2'))
      for (let turn = 0; turn < 3; turn++) await Promise.resolve()
      sockets.at(-1)?.drop()
      expect(await cut).toBe('CONNECTION_CLOSED')

      // Unpatched, the reconnected socket never receives its start-up message and each of these fails
      // with CONNECT_TIMEOUT after 1 s (30 s with the gateway's settings).
      const later = [await outcome(sql.unsafe('select 3')), await outcome(sql.unsafe('select 4'))]
      expect({ later, startUpSent: (sockets.at(-1)?.received ?? 0) > 0 }).toEqual({ later: ['ok', 'ok'], startUpSent: true })
    } finally {
      await sql.end({ timeout: 1 })
    }
  })
})
