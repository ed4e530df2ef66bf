import { onBeforeUnmount, ref } from 'vue'

// True while the viewport matches the query (e.g. phone width).
export function useMedia(query: string) {
  const mql = window.matchMedia(query)
  const matches = ref(mql.matches)
  const on = (e: MediaQueryListEvent) => (matches.value = e.matches)
  mql.addEventListener('change', on)
  onBeforeUnmount(() => mql.removeEventListener('change', on))
  return matches
}

export const phoneQuery = '(max-width: 767px)'
