import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type Socket } from 'node:net'
import { createServer, type TLSSocket } from 'node:tls'

// A TLS front on 127.0.0.1 for a plain-HTTP test server, with a self-signed certificate made for the run:
// clients that insist on `https:`/`wss:` (the openai SDK's realtime client always dials wss) reach the test
// gateway through it. Bytes pass through untouched both ways.

/** A running TLS front. */
export interface TlsFront {
  /** `https://127.0.0.1:<port>`. */
  url: string
  stop(): Promise<void>
}

/** A self-signed certificate for 127.0.0.1, made with the system's openssl. */
function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tls-front-'))
  try {
    const made = Bun.spawnSync([
      'openssl',
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ])
    if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`)
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Starts a TLS front forwarding every connection to `targetPort` on 127.0.0.1. */
export async function startTlsFront(targetPort: number): Promise<TlsFront> {
  const sockets = new Set<Socket | TLSSocket>()
  const server = createServer(selfSigned(), (client) => {
    const target = connect(targetPort, '127.0.0.1')
    sockets.add(client)
    sockets.add(target)
    client.pipe(target).pipe(client)
    const done = () => {
      client.destroy()
      target.destroy()
      sockets.delete(client)
      sockets.delete(target)
    }
    client.on('error', done).on('close', done)
    target.on('error', done).on('close', done)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `https://127.0.0.1:${port}`,
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
