import { describe, expect, it } from 'vitest'
import { fitWithin } from './image'
import { newClientId } from './uuid'

describe('photo size on the phone', () => {
  it('scales the long side down to 1600, never up', () => {
    expect(fitWithin(4000, 3000, 1600)).toEqual({ width: 1600, height: 1200 })
    expect(fitWithin(3000, 4000, 1600)).toEqual({ width: 1200, height: 1600 })
    expect(fitWithin(800, 600, 1600)).toEqual({ width: 800, height: 600 })
    expect(fitWithin(10000, 10, 1600)).toEqual({ width: 1600, height: 2 })
    expect(fitWithin(0, 10, 1600)).toEqual({ width: 0, height: 0 })
  })
})

describe('client_id', () => {
  it('is a UUID the server accepts (8-64 of [A-Za-z0-9-]) with and without randomUUID', () => {
    const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    expect(newClientId()).toMatch(re)
    const orig = Object.getOwnPropertyDescriptor(globalThis, 'crypto')
    const real = globalThis.crypto
    try {
      Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues: (b: Uint8Array<ArrayBuffer>) => real.getRandomValues(b) }, configurable: true })
      const ids = new Set(Array.from({ length: 1000 }, () => newClientId()))
      expect(ids.size).toBe(1000)
      for (const id of ids) expect(id).toMatch(re)
      Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true })
      expect(newClientId()).toMatch(re)
    } finally {
      if (orig) Object.defineProperty(globalThis, 'crypto', orig)
    }
  })
})
