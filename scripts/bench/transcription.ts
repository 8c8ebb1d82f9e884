// Transcription scenario: a 5 MB audio file (a WAV of silence, built here) posted as multipart/form-data to
// POST /v1/audio/transcriptions at concurrency 10 for the run's duration, through the gateway to the fixed
// upstream. The gateway's RSS is sampled every 50 ms; the figure is the peak over the load minus the RSS
// just before it (after a short warm-up, so one-time loading is not counted), set against 3× the bytes in
// flight (concurrency × file size): the bound for a gateway that holds each upload once and streams
// it to the upstream without a second copy.
import { residentBytes } from './child-processes.ts'
import type { Gateway } from './gateway-under-test.ts'

/** What the transcription scenario measured. */
export interface TranscriptionSummary {
  concurrency: number
  fileBytes: number
  requests: number
  /** Answers that were not 200, and connection errors. */
  failures: number
  baselineRssBytes: number
  peakRssBytes: number
  /** Peak minus baseline. */
  addedRssBytes: number
  /** 3 × concurrency × file size. */
  boundBytes: number
}

/** A mono 16-bit 8 kHz WAV of silence of about `bytes` bytes. */
function silentWav(bytes: number): Uint8Array<ArrayBuffer> {
  const dataBytes = Math.floor((bytes - 44) / 2) * 2
  const wav = new Uint8Array(44 + dataBytes)
  const view = new DataView(wav.buffer)
  const ascii = (offset: number, text: string) => wav.set(new TextEncoder().encode(text), offset)
  ascii(0, 'RIFF')
  view.setUint32(4, 36 + dataBytes, true)
  ascii(8, 'WAVEfmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, 1, true)
  view.setUint16(22, 1, true)
  view.setUint32(24, 8000, true)
  view.setUint32(28, 16000, true)
  view.setUint16(32, 2, true)
  view.setUint16(34, 16, true)
  ascii(36, 'data')
  view.setUint32(40, dataBytes, true)
  return wav
}

/** One multipart body (model + file), built once and sent by every request. */
function multipartBody(file: Uint8Array<ArrayBuffer>, boundary: string): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder()
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  )
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`)
  const body = new Uint8Array(head.byteLength + file.byteLength + tail.byteLength)
  body.set(head, 0)
  body.set(file, head.byteLength)
  body.set(tail, head.byteLength + file.byteLength)
  return body
}

/** Runs the scenario against the gateway with this key. */
export async function runTranscription(
  gateway: Gateway,
  key: string,
  options: { durationSeconds: number; concurrency?: number; fileBytes?: number },
): Promise<TranscriptionSummary> {
  const concurrency = options.concurrency ?? 10
  const fileBytes = options.fileBytes ?? 5 * 1024 * 1024
  const boundary = '----hanggent-bench-transcription'
  const body = multipartBody(silentWav(fileBytes), boundary)
  const headers = { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}` }
  let requests = 0
  let failures = 0
  const post = async () => {
    try {
      const response = await fetch(`${gateway.url}/v1/audio/transcriptions`, { method: 'POST', headers, body })
      await response.arrayBuffer()
      requests += 1
      if (response.status !== 200) failures += 1
    } catch {
      failures += 1
    }
  }
  // Warm-up: every code path loaded once, then the baseline.
  for (let index = 0; index < 3; index++) await post()
  requests = 0
  failures = 0
  await Bun.sleep(500)
  const baselineRssBytes = (await residentBytes(gateway.pid)) ?? 0
  let peakRssBytes = baselineRssBytes
  const deadline = performance.now() + options.durationSeconds * 1000
  let loading = true
  const sampler = (async () => {
    while (loading) {
      peakRssBytes = Math.max(peakRssBytes, (await residentBytes(gateway.pid)) ?? 0)
      await Bun.sleep(50)
    }
  })()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await post()
    }),
  )
  loading = false
  await sampler
  return {
    concurrency,
    fileBytes,
    requests,
    failures,
    baselineRssBytes,
    peakRssBytes,
    addedRssBytes: peakRssBytes - baselineRssBytes,
    boundBytes: 3 * concurrency * fileBytes,
  }
}

/** The scenario's lines for the report, with the verdict against 3× the bytes in flight. */
export function formatTranscription(summary: TranscriptionSummary): string {
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`
  const met = summary.addedRssBytes < summary.boundBytes && summary.failures === 0
  return [
    `transcription: ${mb(summary.fileBytes)} file, c=${summary.concurrency}, ${summary.requests} requests, ${summary.failures} failed`,
    `  gateway RSS ${mb(summary.baselineRssBytes)} before, peak ${mb(summary.peakRssBytes)}: added ${mb(summary.addedRssBytes)} vs 3× the file size in flight ${mb(summary.boundBytes)} — ${met ? 'met' : 'NOT met'}`,
  ].join('\n')
}
