import type { DataTableColumns } from 'naive-ui'

// Column widths that never cut a header: a header is one line (no "Weigh t", "Completio n"), so a
// column is widened to its title's measured width in the language shown, and the table's scroll
// width follows. Pure: the page hands in how to measure text.

/** Width in pixels of a header title as drawn. */
export type MeasureText = (text: string) => number

/** Header cell padding (naive-ui's medium table: 12 px each side) plus a little room. */
export const HEADER_PADDING = 28
/** Room for the sort arrows of a sortable column. */
export const SORTER_ROOM = 22
/** What a column without a width is counted as when the table's scroll width is worked out. */
export const DEFAULT_COLUMN_WIDTH = 120

type Column<Row> = DataTableColumns<Row>[number]

/** The least width that shows a column's header on one line; 0 when its title is not plain text. */
export function headerWidth<Row>(column: Column<Row>, measure: MeasureText): number {
  const title = 'title' in column ? column.title : undefined
  if (typeof title !== 'string' || title === '') return 0
  const sortable = 'sorter' in column && column.sorter !== undefined && column.sorter !== false
  return Math.ceil(measure(title)) + HEADER_PADDING + (sortable ? SORTER_ROOM : 0)
}

/** The columns with each fixed width raised to fit its header (and each flexible one given that as its minimum). */
export function fitColumnsToHeaders<Row>(columns: DataTableColumns<Row>, measure: MeasureText): DataTableColumns<Row> {
  return columns.map((column) => {
    const least = headerWidth(column, measure)
    if (least === 0 || ('type' in column && column.type !== undefined)) return column
    if ('width' in column && typeof column.width === 'number') return column.width >= least ? column : { ...column, width: least }
    const minWidth = 'minWidth' in column && typeof column.minWidth === 'number' ? column.minWidth : 0
    return minWidth >= least ? column : { ...column, minWidth: least }
  }) as DataTableColumns<Row>
}

/** The width the columns need side by side: fixed widths, minimums, or the default. */
export function columnsWidth<Row>(columns: DataTableColumns<Row>): number {
  return columns.reduce((sum, column) => {
    if ('width' in column && typeof column.width === 'number') return sum + column.width
    if ('minWidth' in column && typeof column.minWidth === 'number') return sum + column.minWidth
    return sum + ('type' in column && column.type === 'selection' ? 48 : DEFAULT_COLUMN_WIDTH)
  }, 0)
}

/** Measures text in the page's font with a canvas (undefined outside a browser). */
export function canvasMeasure(font: string): MeasureText | undefined {
  if (typeof document === 'undefined') return undefined
  const context = document.createElement('canvas').getContext('2d')
  if (!context) return undefined
  context.font = font
  return (text) => context.measureText(text).width
}
