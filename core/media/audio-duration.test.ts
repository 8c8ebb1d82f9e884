import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { GatewayError } from '../errors.ts'
import { silentWav } from '../../tests/support/fake-openai-audio.ts'
import { checkAudioLength, readAudioSeconds } from './audio-duration.ts'

// Durations read from the bytes of files built here (WAV, FLAC, Ogg Opus) or committed (a 40-frame MP3), whatever
// name or type the client gives them; bytes that are not audio are refused with a 400 naming the field.

/** A FLAC stream holding only its STREAMINFO block: `samples` samples at `rate` Hz, enough for its duration. */
function flacHeader(samples: number, rate: number): Uint8Array {
  const bytes = new Uint8Array(4 + 4 + 34)
  bytes.set([0x66, 0x4c, 0x61, 0x43], 0) // fLaC
  bytes.set([0x80, 0x00, 0x00, 0x22], 4) // last metadata block, STREAMINFO, 34 bytes
  const info = new DataView(bytes.buffer, 8)
  info.setUint16(0, 4096) // min block size
  info.setUint16(2, 4096) // max block size
  // 20 bits rate, 3 bits channels-1 (mono), 5 bits bits-per-sample-1 (16), 36 bits total samples.
  const packed = (BigInt(rate) << 44n) | (0n << 41n) | (15n << 36n) | BigInt(samples)
  info.setBigUint64(10, packed)
  return bytes
}

/** One Ogg page carrying one packet (CRC left zero: the reader does not check it). */
function oggPage(headerType: number, granule: bigint, sequence: number, packet: Uint8Array): Uint8Array {
  const segments: number[] = []
  let left = packet.byteLength
  for (; left >= 255; left -= 255) segments.push(255)
  segments.push(left)
  const page = new Uint8Array(27 + segments.length + packet.byteLength)
  const view = new DataView(page.buffer)
  page.set(new TextEncoder().encode('OggS'), 0)
  page[5] = headerType
  view.setBigUint64(6, granule, true)
  view.setUint32(14, 1234, true) // stream serial
  view.setUint32(18, sequence, true)
  page[26] = segments.length
  page.set(segments, 27)
  page.set(packet, 27 + segments.length)
  return page
}

/** An Ogg Opus stream whose last page's granule position says `seconds` (48 kHz, 312 samples of pre-skip). */
function oggOpus(seconds: number): Uint8Array {
  const head = new Uint8Array(19)
  head.set(new TextEncoder().encode('OpusHead'), 0)
  head[8] = 1 // version
  head[9] = 1 // channels
  new DataView(head.buffer).setUint16(10, 312, true)
  new DataView(head.buffer).setUint32(12, 48_000, true)
  const tags = new Uint8Array(16)
  tags.set(new TextEncoder().encode('OpusTags'), 0)
  const pages = [oggPage(2, 0n, 0, head), oggPage(0, 0n, 1, tags), oggPage(4, BigInt(48_000 * seconds + 312), 2, new Uint8Array([0xf8, 0xff, 0xfe]))]
  const bytes = new Uint8Array(pages.reduce((sum, page) => sum + page.byteLength, 0))
  let offset = 0
  for (const page of pages) {
    bytes.set(page, offset)
    offset += page.byteLength
  }
  return bytes
}

describe('readAudioSeconds', () => {
  test('a WAV of 61.5 s, whatever type the client names', async () => {
    expect(await readAudioSeconds(silentWav(61.5), 'file', 'text/plain')).toBe(61.5)
  })
  test('an MP3 of 40 frames is 1.045 s', async () => {
    const mp3 = readFileSync(join(import.meta.dir, '../../plugins/openai/__fixtures__/openai-audio-silence-1s.mp3'))
    expect(await readAudioSeconds(mp3, 'file', 'audio/mpeg')).toBeCloseTo((40 * 1152) / 44100, 6)
  })
  test('a FLAC of 2.5 s at 44.1 kHz', async () => {
    expect(await readAudioSeconds(flacHeader(110_250, 44_100), 'file', 'audio/flac')).toBe(2.5)
  })
  test('an Ogg Opus stream of 3 s, the length its last granule position gives', async () => {
    expect(await readAudioSeconds(oggOpus(3), 'file', 'application/octet-stream')).toBe(3)
  })
  test('text, and an empty file, are refused with a 400 naming the field', async () => {
    for (const bytes of [new TextEncoder().encode('just some words, not audio\n'.repeat(10)), new Uint8Array(0)]) {
      const error = await readAudioSeconds(bytes, 'file', 'audio/mpeg').catch((thrown: unknown) => thrown)
      expect(error).toBeInstanceOf(GatewayError)
      expect(error).toMatchObject({ status: 400, options: { param: 'file' } })
    }
  })
})

describe('checkAudioLength', () => {
  test('up to the maximum passes; beyond it is a 400 that says both figures', () => {
    expect(() => checkAudioLength(90, 90, 'file')).not.toThrow()
    expect(() => checkAudioLength(90.5, 90, 'file')).toThrow("The `file` audio lasts 90.5 s, longer than this gateway's 90 s maximum")
  })
})
