import type { AppContext } from '../app-context.ts'
import { GatewayError } from '../errors.ts'
import type { TopupRedirect } from '../../schemas/admin/topups.ts'
import { epaySignatureValid, epaySubmitFields, epaySubmitUrl } from './epay-protocol.ts'
import { minorToText, textToMinor } from './topup-amounts.ts'
import type { TopupOrders } from './topup-orders.ts'
import type { TopupSettings } from './topup-settings.ts'

// EPay (易支付): the browser posts our signed submit.php form to the gateway; the gateway calls
// notify_url (GET or POST) with the result, which we verify — signature, merchant id, our order, and
// the money against the order's own figure — before crediting; we answer `success` or `fail` in plain
// text, as the protocol expects (the gateway retries until it reads `success`).

type EpaySettings = TopupSettings['epay']
type OrderRow = Awaited<ReturnType<TopupOrders['create']>>

/** The plain-text answer EPay reads, and what happened. */
export interface EpayNotifyResult {
  answer: 'success' | 'fail'
  outcome: 'credited' | 'unchanged' | 'refused'
}

/** EPay orders and notifications. */
export function createEpayTopup(context: AppContext, orders: TopupOrders) {
  /** Logs a refused notification (process log, and a system log row on the order's user when known). */
  function refuse(reason: string, fields: Record<string, string>, order?: OrderRow): EpayNotifyResult {
    context.logger.log('warn', 'EPay notify refused', { reason, outTradeNo: fields.out_trade_no, money: fields.money })
    if (order) {
      context.logWriter.write({
        type: 'system',
        userId: order.userId,
        content: `top-up ${order.tradeNo} notify refused: ${reason}`,
        details: { topupId: order.id, notify: fields },
      })
    }
    return { answer: 'fail', outcome: 'refused' }
  }

  return {
    /** The signed submit.php form of a pending order. */
    submitForm(settings: EpaySettings, order: OrderRow, urls: { notifyUrl: string; returnUrl: string }): TopupRedirect {
      if (!settings.merchantKeySealed) throw new GatewayError(404, 'provider_disabled', 'EPay top-up is not configured')
      const fields = epaySubmitFields(
        {
          merchantId: settings.merchantId,
          type: order.method,
          tradeNo: order.tradeNo,
          notifyUrl: urls.notifyUrl,
          returnUrl: urls.returnUrl,
          name: `Top-up ${minorToText(order.amountMinor, order.currency)} ${order.currency}`,
          money: minorToText(order.paidMinor, order.currency),
        },
        context.secretBox.open(settings.merchantKeySealed),
      )
      return { method: 'POST', url: epaySubmitUrl(settings.gatewayUrl), fields }
    },

    /** Verifies one notification and credits its order once; repeated notices of a paid order answer `success` again. */
    async notify(settings: EpaySettings, fields: Record<string, string>): Promise<EpayNotifyResult> {
      if (!settings.merchantKeySealed || !settings.merchantId) return refuse('EPay is not configured', fields)
      if (!epaySignatureValid(fields, context.secretBox.open(settings.merchantKeySealed))) return refuse('bad signature', fields)
      if (fields.pid !== settings.merchantId) return refuse(`merchant id ${fields.pid ?? '(none)'} is not ours`, fields)
      const order = fields.out_trade_no ? await orders.byTradeNo(fields.out_trade_no) : undefined
      if (!order || order.provider !== 'epay') return refuse(`unknown order ${fields.out_trade_no ?? '(none)'}`, fields)
      const money = textToMinor(fields.money ?? '', order.currency)
      if (money !== order.paidMinor)
        return refuse(`money ${fields.money ?? '(none)'} differs from the order's ${minorToText(order.paidMinor, order.currency)}`, fields, order)
      if (fields.trade_status !== 'TRADE_SUCCESS') {
        await orders.note(order.id, { notify: fields })
        return { answer: 'success', outcome: 'unchanged' }
      }
      const outcome = await orders.credit(order.id, { lastEvent: { notify: fields }, ...(fields.trade_no ? { providerReference: fields.trade_no } : {}) })
      if (outcome.kind === 'credited') return { answer: 'success', outcome: 'credited' }
      if (outcome.kind === 'unchanged' && outcome.order.status === 'paid') return { answer: 'success', outcome: 'unchanged' }
      return refuse(`order is ${outcome.kind === 'unchanged' ? outcome.order.status : 'missing'}`, fields, order)
    },
  }
}
