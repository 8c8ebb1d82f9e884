import { describe, expect, test } from 'bun:test'
import { labelStep, timeOption } from './chart-options.ts'

const identity = (value: number) => String(value)

/** The indexes whose labels the chart's x-axis shows. */
function shownLabels(labels: string[], step: number): number[] {
  const option = timeOption({
    labels,
    values: labels.map(() => 1),
    name: 'Requests',
    color: '#000',
    axis: identity,
    tooltip: identity,
    integer: true,
    labelStep: step,
  })
  const axis = option.xAxis as { axisLabel: { interval: (index: number) => boolean } }
  return labels.map((_, index) => index).filter((index) => axis.axisLabel.interval(index))
}

describe('over-time chart labels', () => {
  test('labels are counted back from the latest bucket, which is always labelled', () => {
    const labels = Array.from({ length: 169 }, (_, index) => `hour ${index}`)
    const shown = shownLabels(labels, 40)
    expect(shown.at(-1)).toBe(168)
    expect(shown).toEqual([8, 48, 88, 128, 168])
  })

  test('the step leaves each label its width and a gap on the plot', () => {
    // 169 hourly labels 120 px wide on a 1,000 px chart: the plot is about 888 px, 5.25 px a bucket.
    const step = labelStep(169, 120, 1000)
    expect((step * (1000 - 112)) / 169).toBeGreaterThanOrEqual(120 + 16)
    expect(((step - 1) * (1000 - 112)) / 169).toBeLessThan(120 + 16)
    expect(labelStep(24, 30, 1920)).toBe(1)
    expect(labelStep(1, 30, 300)).toBe(1)
    // Before the chart has a width: about six labels.
    expect(labelStep(31, 80, 0)).toBe(6)
  })
})
