import { createHash } from 'node:crypto'
import { safeEqual } from '../security/crypto.ts'

// The common EPay (易支付) protocol, pure: the signed submit.php form and the check of a notify.
// Sign = MD5 over the parameters sorted by name, skipping empty values and sign/sign_type, joined as
// `k=v&k=v`, with the merchant key appended (lower-case hex).

/** EPay's signature of a parameter set with the merchant key. */
export function epaySign(parameters: Record<string, string>, merchantKey: string): string {
  const joined = Object.keys(parameters)
    .filter((name) => name !== 'sign' && name !== 'sign_type' && parameters[name] !== undefined && parameters[name] !== '')
    .sort()
    .map((name) => `${name}=${parameters[name]}`)
    .join('&')
  return createHash('md5')
    .update(joined + merchantKey, 'utf8')
    .digest('hex')
}

/** Whether a received parameter set carries a valid signature (constant-time compare, case-insensitive hex). */
export function epaySignatureValid(parameters: Record<string, string>, merchantKey: string): boolean {
  const given = (parameters.sign ?? '').toLowerCase()
  return given.length === 32 && safeEqual(given, epaySign(parameters, merchantKey))
}

/** What the submit.php form carries. */
export interface EpayOrderFields {
  merchantId: string
  type: string
  tradeNo: string
  notifyUrl: string
  returnUrl: string
  name: string
  money: string
}

/** The signed fields of a submit.php form. */
export function epaySubmitFields(order: EpayOrderFields, merchantKey: string): Record<string, string> {
  const fields: Record<string, string> = {
    pid: order.merchantId,
    type: order.type,
    out_trade_no: order.tradeNo,
    notify_url: order.notifyUrl,
    return_url: order.returnUrl,
    name: order.name,
    money: order.money,
  }
  return { ...fields, sign: epaySign(fields, merchantKey), sign_type: 'MD5' }
}

/** The submit.php address of a gateway base URL (`https://pay.example` or one already ending in submit.php). */
export function epaySubmitUrl(gatewayUrl: string): string {
  const base = gatewayUrl.replace(/\/+$/, '')
  return base.endsWith('.php') ? base : `${base}/submit.php`
}
