// Keyset paging for list endpoints ({items, next}): remembers the cursor of
// every page seen, so "previous page" works without offsets.
import { ref, shallowRef } from 'vue'
import type { Page } from '../api/types'

export function useKeyset<T>(fetchPage: (after: string | null, limit: number) => Promise<Page<T>>, pageSize = 20) {
  const items = shallowRef<T[]>([])
  const loading = ref(false)
  const page = ref(1)
  const limit = ref(pageSize)
  const hasNext = ref(false)
  let cursors: (string | null)[] = [null]
  let next: string | null = null
  let generation = 0

  async function load(index: number) {
    const mine = ++generation
    loading.value = true
    try {
      const res = await fetchPage(cursors[index] ?? null, limit.value)
      if (mine !== generation) return // a newer request won
      items.value = res.items ?? []
      next = res.next ?? null
      hasNext.value = !!next
      page.value = index + 1
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  return {
    items,
    loading,
    page,
    limit,
    hasNext,
    reload() {
      cursors = [null]
      return load(0)
    },
    refresh() {
      return load(page.value - 1)
    },
    nextPage() {
      if (!next) return Promise.resolve()
      cursors[page.value] = next
      return load(page.value)
    },
    prevPage() {
      if (page.value <= 1) return Promise.resolve()
      return load(page.value - 2)
    },
  }
}
