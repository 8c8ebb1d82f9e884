import { onBeforeUnmount, ref, watch, type Ref } from 'vue'

/** The width in px of an element while it is on the page (0 while it is not), following its resizes. */
export function useElementWidth(target: Ref<HTMLElement | null>): Ref<number> {
  const width = ref(0)
  const observer =
    typeof ResizeObserver === 'undefined'
      ? undefined
      : new ResizeObserver((entries) => {
          for (const entry of entries) width.value = entry.contentRect.width
        })
  watch(
    target,
    (element, previous) => {
      if (previous) observer?.unobserve(previous)
      width.value = element?.getBoundingClientRect().width ?? 0
      if (element) observer?.observe(element)
    },
    { immediate: true, flush: 'post' },
  )
  onBeforeUnmount(() => observer?.disconnect())
  return width
}
