// Dify apps built on reasoning models stream the model's thinking inside the answer, between
// `<think>` and `</think>` (Dify's own "Thinking…" `<details>` block is rendered from the same tags).
// This splits answer text into text and reasoning as it streams; a tag cut across two pieces is held
// back until the next piece tells what it is.

/** A piece of answer text, told apart. */
export interface AnswerSegment {
  /** `reasoning` inside `<think>…</think>`, `text` elsewhere. */
  kind: 'text' | 'reasoning'
  text: string
}

const OPEN_TAG = '<think>'
const CLOSE_TAG = '</think>'

/** How many characters at the end of `text` could be the start of `tag` (0 when none). */
function partialTagLength(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length
  }
  return 0
}

/** Splits streamed answer text on think tags; `push` for each piece, `flush` at the end for what was held back. */
export class ThinkSplitter {
  private inside = false
  private pending = ''

  /** The segments this piece completes. */
  push(piece: string): AnswerSegment[] {
    let text = this.pending + piece
    this.pending = ''
    const segments: AnswerSegment[] = []
    for (;;) {
      const tag = this.inside ? CLOSE_TAG : OPEN_TAG
      const at = text.indexOf(tag)
      if (at < 0) {
        const held = partialTagLength(text, tag)
        this.pending = text.slice(text.length - held)
        this.add(segments, text.slice(0, text.length - held))
        return segments
      }
      this.add(segments, text.slice(0, at))
      this.inside = !this.inside
      text = text.slice(at + tag.length)
    }
  }

  /** What was held back as a possible tag, once the answer has ended. */
  flush(): AnswerSegment[] {
    const segments: AnswerSegment[] = []
    this.add(segments, this.pending)
    this.pending = ''
    return segments
  }

  private add(segments: AnswerSegment[], text: string): void {
    if (text !== '') segments.push({ kind: this.inside ? 'reasoning' : 'text', text })
  }
}

/** A complete answer split into its reasoning and its text (leading blank lines after `</think>` dropped). */
export function splitThinking(answer: string): { reasoning: string; text: string } {
  const splitter = new ThinkSplitter()
  const segments = [...splitter.push(answer), ...splitter.flush()]
  const pick = (kind: AnswerSegment['kind']) =>
    segments
      .filter((segment) => segment.kind === kind)
      .map((segment) => segment.text)
      .join('')
  return { reasoning: pick('reasoning'), text: pick('text').replace(/^\s+/, '') }
}
