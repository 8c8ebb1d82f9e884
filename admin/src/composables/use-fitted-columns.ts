import { computed, type ComputedRef } from 'vue'
import { useThemeVars, type DataTableColumns } from 'naive-ui'
import { canvasMeasure, columnsWidth, fitColumnsToHeaders } from '../components/fit-columns.ts'

/** A table's columns widened so every header fits on one line in the language shown, and the scroll width they need. */
export function useFittedColumns<Row>(
  columns: () => DataTableColumns<Row>,
  scrollX: () => number = () => 0,
): { columns: ComputedRef<DataTableColumns<Row>>; width: ComputedRef<number> } {
  const theme = useThemeVars()
  // Table headers are drawn in the theme's strong weight at the base size.
  const measure = computed(() => canvasMeasure(`${theme.value.fontWeightStrong} ${theme.value.fontSize} ${theme.value.fontFamily}`))
  const fitted = computed(() => (measure.value ? fitColumnsToHeaders(columns(), measure.value) : columns()))
  return { columns: fitted, width: computed(() => Math.max(scrollX(), columnsWidth(fitted.value))) }
}
