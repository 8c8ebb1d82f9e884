import { parseBuffer } from 'music-metadata'
import { GatewayError } from '../errors.ts'

// The length of an uploaded audio file, read from its own bytes (container headers, frame counts), never
// from anything the client states: per-second billing and the duration limit both rest on it. music-metadata
// recognises the format from the bytes (mp3, wav, m4a/mp4, ogg/opus, flac, webm/mka, aac, …).

/** Seconds of audio in a file, or a 400 naming the field when the bytes are not audio whose length can be read. */
export async function readAudioSeconds(bytes: Uint8Array, field: string, contentType: string): Promise<number> {
  if (bytes.byteLength === 0) throw unreadable(field, 'the file is empty')
  let duration: number | undefined
  try {
    const metadata = await parseBuffer(bytes, { mimeType: audioMimeHint(contentType), size: bytes.byteLength }, { duration: true, skipCovers: true })
    duration = metadata.format.duration
  } catch (error) {
    throw unreadable(field, error instanceof Error ? error.message : String(error))
  }
  if (duration === undefined || !Number.isFinite(duration) || duration <= 0) throw unreadable(field, 'its duration could not be determined')
  return duration
}

/** The client's Content-Type as a hint only when it names audio or video; the format is still recognised from the bytes. */
function audioMimeHint(contentType: string): string | undefined {
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  return type.startsWith('audio/') || type.startsWith('video/') ? type : undefined
}

function unreadable(field: string, why: string): GatewayError {
  return new GatewayError(
    400,
    'invalid_request',
    `The \`${field}\` file is not audio whose duration can be read (${why}); send mp3, mp4, mpeg, mpga, m4a, wav, webm, ogg or flac`,
    {
      param: field,
    },
  )
}

/** Refuses audio longer than the gateway's maximum (MAX_AUDIO_SECONDS) before any upstream call. */
export function checkAudioLength(seconds: number, maxSeconds: number, field: string): void {
  if (seconds > maxSeconds)
    throw new GatewayError(
      400,
      'invalid_request',
      `The \`${field}\` audio lasts ${roundSeconds(seconds)} s, longer than this gateway's ${maxSeconds} s maximum`,
      {
        param: field,
      },
    )
}

/** Seconds to at most three decimals, for messages and bills. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000
}
