import type { Ref } from 'vue'
import { useMediaQuery } from './use-media-query.ts'

/** Below this width the menu moves into a drawer (phones held upright). */
export const NARROW_SCREEN_PX = 768

/** True while the window is narrower than `NARROW_SCREEN_PX`; follows resizes and rotations. */
export function useNarrowScreen(): Ref<boolean> {
  return useMediaQuery(`(max-width: ${NARROW_SCREEN_PX - 0.02}px)`)
}
