import { describe, expect, it } from 'vitest'
import { useKeyset } from './keyset'

describe('useKeyset', () => {
  const data = Array.from({ length: 7 }, (_, i) => i + 1)
  const fetchPage = async (after: string | null, limit: number) => {
    const start = after ? Number(after) : 0
    const items = data.slice(start, start + limit)
    const end = start + items.length
    return { items, next: end < data.length ? String(end) : null }
  }

  it('walks forward and back with the cursors it was given', async () => {
    const k = useKeyset(fetchPage, 3)
    await k.reload()
    expect(k.items.value).toEqual([1, 2, 3])
    expect(k.hasNext.value).toBe(true)
    await k.nextPage()
    expect(k.items.value).toEqual([4, 5, 6])
    expect(k.page.value).toBe(2)
    await k.nextPage()
    expect(k.items.value).toEqual([7])
    expect(k.hasNext.value).toBe(false)
    await k.nextPage()
    expect(k.page.value).toBe(3)
    await k.prevPage()
    expect(k.items.value).toEqual([4, 5, 6])
    await k.prevPage()
    await k.prevPage()
    expect(k.page.value).toBe(1)
    expect(k.items.value).toEqual([1, 2, 3])
  })
})
