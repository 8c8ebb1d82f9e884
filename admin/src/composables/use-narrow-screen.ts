import { onBeforeUnmount, ref, type Ref } from 'vue'

/** Below this width the menu moves into a drawer (phones held upright). */
export const NARROW_SCREEN_PX = 768

/** True while the window is narrower than `NARROW_SCREEN_PX`; follows resizes and rotations. */
export function useNarrowScreen(): Ref<boolean> {
  const query = window.matchMedia(`(max-width: ${NARROW_SCREEN_PX - 0.02}px)`)
  const narrow = ref(query.matches)
  const update = (event: MediaQueryListEvent) => {
    narrow.value = event.matches
  }
  query.addEventListener('change', update)
  onBeforeUnmount(() => query.removeEventListener('change', update))
  return narrow
}
