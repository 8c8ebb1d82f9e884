import { describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { epaySign, epaySignatureValid, epaySubmitFields, epaySubmitUrl } from './epay-protocol.ts'

const md5 = (text: string) => createHash('md5').update(text).digest('hex')

describe('EPay protocol', () => {
  test('the sign is MD5 over the sorted non-empty parameters without sign and sign_type, plus the key', () => {
    const fields = { type: 'alipay', pid: '1001', money: '10.00', name: 'Top-up', out_trade_no: 'TU1', device: '', sign: 'x', sign_type: 'MD5' }
    expect(epaySign(fields, 'KEY')).toBe(md5('money=10.00&name=Top-up&out_trade_no=TU1&pid=1001&type=alipayKEY'))
  })

  test('a received sign verifies only with the same parameters and key', () => {
    const signed = epaySubmitFields(
      { merchantId: '1001', type: 'wxpay', tradeNo: 'TU2', notifyUrl: 'https://gw/n', returnUrl: 'https://gw/r', name: 'n', money: '1.00' },
      'KEY',
    )
    expect(signed.sign_type).toBe('MD5')
    expect(epaySignatureValid(signed, 'KEY')).toBe(true)
    expect(epaySignatureValid({ ...signed, sign: signed.sign!.toUpperCase() }, 'KEY')).toBe(true)
    expect(epaySignatureValid(signed, 'OTHER')).toBe(false)
    expect(epaySignatureValid({ ...signed, money: '0.01' }, 'KEY')).toBe(false)
    expect(epaySignatureValid({ ...signed, sign: '' }, 'KEY')).toBe(false)
  })

  test('the submit address accepts a base URL or the script itself', () => {
    expect(epaySubmitUrl('https://pay.example/')).toBe('https://pay.example/submit.php')
    expect(epaySubmitUrl('https://pay.example/submit.php')).toBe('https://pay.example/submit.php')
  })
})
