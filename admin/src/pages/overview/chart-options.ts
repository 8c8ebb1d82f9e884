import type { ComposeOption } from 'echarts/core'
import type { BarSeriesOption, LineSeriesOption, PieSeriesOption } from 'echarts/charts'
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components'

// ECharts options of the overview's charts, built from already-formatted labels and values: the
// page formats dates and numbers with vue-i18n and passes the formatters in, so these stay pure.

/** The option shape of the charts the overview draws (the modules UsageChart registers). */
export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | PieSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption
>

/** Puts a number in words for axes and tooltips (localised by the caller). */
export type Formatter = (value: number) => string

/** The value of a tooltip parameter, whatever shape ECharts hands over. */
function numberOf(param: unknown): number {
  const value = (param as { value?: unknown }).value
  return typeof value === 'number' ? value : Number(Array.isArray(value) ? value[1] : value) || 0
}

/** Up to this many buckets are drawn as bars; more as a line. */
const MAX_BARS = 48

/** Room beside the plot that x-axis labels cannot use: the value axis's labels on the left and the grid's margins. */
const VALUE_AXIS_ROOM = 112
/** The least gap between two x-axis labels. */
const LABEL_GAP = 16

/**
 * Every how many buckets an x-axis label fits, for a chart `chartWidth` px wide whose widest label
 * is `labelWidth` px. The page measures both; with no width yet, about six labels.
 */
export function labelStep(count: number, labelWidth: number, chartWidth: number): number {
  if (count <= 1) return 1
  if (chartWidth <= 0) return Math.ceil(count / 6)
  const spacing = Math.max(1, chartWidth - VALUE_AXIS_ROOM) / count
  return Math.max(1, Math.ceil((labelWidth + LABEL_GAP) / spacing))
}

/**
 * Values over time, one per bucket: bars for a few buckets, an area line for many. One label every
 * `labelStep` buckets, counted back from the latest, so the latest bucket is always labelled.
 */
export function timeOption(input: {
  labels: string[]
  values: number[]
  name: string
  color: string
  axis: Formatter
  tooltip: Formatter
  integer: boolean
  labelStep: number
}): ChartOption {
  const bars = input.values.length <= MAX_BARS
  const last = input.labels.length - 1
  const step = Math.max(1, Math.round(input.labelStep))
  return {
    backgroundColor: 'transparent',
    grid: { left: 8, right: 32, top: 16, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      ...(bars ? { axisPointer: { type: 'shadow' as const } } : {}),
      formatter: (params: unknown) => {
        const list = Array.isArray(params) ? params : [params]
        const first = list[0] as { axisValueLabel?: string } | undefined
        return `${first?.axisValueLabel ?? ''}<br/>${input.name}: <b>${input.tooltip(numberOf(list[0]))}</b>`
      },
    },
    // The labels are chosen here, not by ECharts' overlap hiding: ECharts 6 keeps hiding a label its first
    // (estimating) layout pass hid, even the latest one asked for with showMaxLabel. The first and last
    // labels sit at the grid's edges on a line chart, so they are aligned inwards and never cut.
    xAxis: {
      type: 'category',
      data: input.labels,
      boundaryGap: bars,
      axisLabel: {
        interval: (index: number) => (last - index) % step === 0,
        hideOverlap: false,
        showMaxLabel: true,
        alignMinLabel: 'left',
        alignMaxLabel: 'right',
      },
    },
    yAxis: { type: 'value', axisLabel: { formatter: (value: number) => input.axis(value) }, ...(input.integer ? { minInterval: 1 } : {}) },
    series: [
      bars
        ? { type: 'bar', name: input.name, data: input.values, itemStyle: { color: input.color, borderRadius: [3, 3, 0, 0] }, barMaxWidth: 28 }
        : {
            type: 'line',
            name: input.name,
            data: input.values,
            showSymbol: false,
            areaStyle: { opacity: 0.15 },
            itemStyle: { color: input.color },
            lineStyle: { width: 2 },
          },
    ],
  }
}

/** A named share of the whole. */
export interface Slice {
  name: string
  value: number
}

/** A donut of shares, with a legend underneath that scrolls when there are many. */
export function shareOption(input: { slices: Slice[]; name: string; tooltip: Formatter }): ChartOption {
  return {
    backgroundColor: 'transparent',
    tooltip: {
      trigger: 'item',
      formatter: (param: unknown) => {
        const { name, percent } = param as { name?: string; percent?: number }
        return `${name ?? ''}<br/><b>${input.tooltip(numberOf(param))}</b> (${Math.round(percent ?? 0)}%)`
      },
    },
    legend: { type: 'scroll', bottom: 0, left: 'center' },
    series: [
      {
        type: 'pie',
        name: input.name,
        radius: ['42%', '68%'],
        center: ['50%', '44%'],
        avoidLabelOverlap: true,
        label: { show: false },
        data: input.slices,
      },
    ],
  }
}

/** Horizontal bars, largest on top. */
export function rankingOption(input: { slices: Slice[]; name: string; color: string; axis: Formatter; tooltip: Formatter; integer: boolean }): ChartOption {
  const ordered = [...input.slices].reverse()
  return {
    backgroundColor: 'transparent',
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const list = Array.isArray(params) ? params : [params]
        const first = list[0] as { name?: string } | undefined
        return `${first?.name ?? ''}<br/><b>${input.tooltip(numberOf(list[0]))}</b>`
      },
    },
    xAxis: {
      type: 'value',
      axisLabel: { formatter: (value: number) => input.axis(value), hideOverlap: true, alignMaxLabel: 'right' },
      ...(input.integer ? { minInterval: 1 } : {}),
    },
    yAxis: { type: 'category', data: ordered.map((slice) => slice.name), axisLabel: { width: 110, overflow: 'truncate' } },
    series: [
      {
        type: 'bar',
        name: input.name,
        data: ordered.map((slice) => slice.value),
        itemStyle: { color: input.color, borderRadius: [0, 4, 4, 0] },
        barMaxWidth: 22,
      },
    ],
  }
}
