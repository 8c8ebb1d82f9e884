import { createHash } from 'node:crypto'
import type { Server } from 'bun'

// A fake EPay (易支付) gateway on 127.0.0.1: submit.php takes the merchant's signed form (and refuses
// a bad sign the way gateways do), remembers the order and, when "paid", calls notify_url with GET
// query parameters signed with the merchant key (pid, trade_no, out_trade_no, type, name, money,
// trade_status, sign, sign_type). The signing is written here on its own, from the protocol, so a
// mistake in the gateway's signing cannot cancel out in the tests.

/** An order submit.php accepted. */
export interface EpaySubmission {
  fields: Record<string, string>
  tradeNo: string
}

/** A running fake EPay gateway. */
export interface FakeEpay {
  /** Base URL for the gateway's `epay.gatewayUrl` setting. */
  readonly url: string
  readonly merchantId: string
  readonly merchantKey: string
  /** Accepted submissions, by out_trade_no. */
  readonly submissions: Map<string, EpaySubmission>
  /** The MD5 sign of a parameter set with a key (the merchant's by default). */
  sign(fields: Record<string, string>, key?: string): string
  /** The signed notify parameters of a submission, with `changes` applied before signing. */
  notifyFields(outTradeNo: string, changes?: Record<string, string>): Record<string, string>
  /** Calls the submission's notify_url with GET parameters; returns status and body text. */
  notify(outTradeNo: string, fields: Record<string, string>): Promise<{ status: number; text: string }>
  stop(): Promise<void>
}

/** Starts the fake with a merchant id and key. */
export function startFakeEpay(merchantId = '1001', merchantKey = 'epay-merchant-key-for-tests'): FakeEpay {
  const submissions = new Map<string, EpaySubmission>()
  let serial = 0

  function sign(fields: Record<string, string>, key = merchantKey): string {
    const text = Object.entries(fields)
      .filter(([name, value]) => name !== 'sign' && name !== 'sign_type' && value !== '')
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([name, value]) => `${name}=${value}`)
      .join('&')
    return createHash('md5').update(`${text}${key}`).digest('hex')
  }

  function notifyFields(outTradeNo: string, changes: Record<string, string> = {}): Record<string, string> {
    const submission = submissions.get(outTradeNo)
    const base = submission?.fields ?? { pid: merchantId, type: 'alipay', name: 'unknown', money: '1.00' }
    const fields: Record<string, string> = {
      pid: base.pid ?? merchantId,
      trade_no: submission?.tradeNo ?? `2026${String(++serial).padStart(10, '0')}`,
      out_trade_no: outTradeNo,
      type: base.type ?? 'alipay',
      name: base.name ?? '',
      money: base.money ?? '',
      trade_status: 'TRADE_SUCCESS',
      ...changes,
    }
    return { ...fields, sign: sign(fields), sign_type: 'MD5' }
  }

  async function notify(outTradeNo: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
    const target = submissions.get(outTradeNo)?.fields.notify_url ?? [...submissions.values()][0]?.fields.notify_url
    if (!target) throw new Error('no submission yet: nowhere to notify')
    const response = await fetch(`${target}?${new URLSearchParams(fields)}`)
    return { status: response.status, text: await response.text() }
  }

  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      if (url.pathname !== '/submit.php') return new Response('not found', { status: 404 })
      const fields = Object.fromEntries(request.method === 'POST' ? new URLSearchParams(await request.text()) : url.searchParams)
      if (fields.pid !== merchantId) return new Response('商户不存在 (unknown merchant)', { status: 400 })
      if (fields.sign !== sign(fields) || fields.sign_type !== 'MD5') return new Response('签名错误 (bad sign)', { status: 400 })
      for (const name of ['type', 'out_trade_no', 'notify_url', 'return_url', 'name', 'money'])
        if (!fields[name]) return new Response(`missing ${name}`, { status: 400 })
      const tradeNo = `2026${String(++serial).padStart(10, '0')}`
      submissions.set(fields.out_trade_no!, { fields, tradeNo })
      return new Response(`<!doctype html><title>Fake EPay</title><p id="order">${fields.out_trade_no} ${fields.money}</p>`, {
        headers: { 'content-type': 'text/html; charset=utf-8' },
      })
    },
  })
  const url = `http://127.0.0.1:${server.port}`

  return {
    url,
    merchantId,
    merchantKey,
    submissions,
    sign,
    notifyFields,
    notify,
    async stop() {
      await server.stop(true)
    },
  }
}
