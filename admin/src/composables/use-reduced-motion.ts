import { onBeforeUnmount, ref, type Ref } from 'vue'

/** True while the reader has asked their system for less motion (prefers-reduced-motion); follows changes. */
export function useReducedMotion(): Ref<boolean> {
  const query = window.matchMedia('(prefers-reduced-motion: reduce)')
  const reduced = ref(query.matches)
  const update = (event: MediaQueryListEvent) => {
    reduced.value = event.matches
  }
  query.addEventListener('change', update)
  onBeforeUnmount(() => query.removeEventListener('change', update))
  return reduced
}
