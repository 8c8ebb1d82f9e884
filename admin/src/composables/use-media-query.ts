import { onBeforeUnmount, ref, type Ref } from 'vue'

/** True while the CSS media query matches (a screen width, prefers-reduced-motion); follows changes. */
export function useMediaQuery(media: string): Ref<boolean> {
  const query = window.matchMedia(media)
  const matches = ref(query.matches)
  const update = (event: MediaQueryListEvent) => {
    matches.value = event.matches
  }
  query.addEventListener('change', update)
  onBeforeUnmount(() => query.removeEventListener('change', update))
  return matches
}
