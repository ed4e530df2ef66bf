import { createHash, webcrypto } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sha256Hex, sha256Pure } from './sha256'

const nodeHex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    b[i] = x & 0xff
  }
  return b
}

describe('sha256 fallback', () => {
  it('matches the published test vectors', () => {
    const enc = new TextEncoder()
    expect(sha256Pure(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(sha256Pure(enc.encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(sha256Pure(enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    )
  })

  it('matches node:crypto at every padding boundary and on photo-sized input', () => {
    // 55/56/63/64/65 bytes straddle the one-or-two final blocks case.
    for (const n of [1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4095, 65537]) {
      const b = bytes(n, n)
      expect(sha256Pure(b), `length ${n}`).toBe(nodeHex(b))
    }
    const photo = bytes(300 * 1024 + 17, 42)
    expect(sha256Pure(photo)).toBe(nodeHex(photo))
  })

  it('hashes a view into a larger buffer by its own bytes only', () => {
    const big = bytes(1000, 7)
    const view = big.subarray(100, 300)
    expect(sha256Pure(view)).toBe(nodeHex(Buffer.from(view)))
  })

  it('agrees with crypto.subtle, and sha256Hex works without it', async () => {
    const b = bytes(5000, 9)
    const d = new Uint8Array(await webcrypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>))
    const subtleHex = Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('')
    expect(sha256Pure(b)).toBe(subtleHex)
    expect(await sha256Hex(b)).toBe(subtleHex)

    // An insecure context (http://192.168.…) has no crypto.subtle.
    const orig = Object.getOwnPropertyDescriptor(globalThis, 'crypto')
    Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues: webcrypto.getRandomValues.bind(webcrypto) }, configurable: true })
    try {
      expect(globalThis.crypto.subtle).toBeUndefined()
      expect(await sha256Hex(b)).toBe(subtleHex)
    } finally {
      if (orig) Object.defineProperty(globalThis, 'crypto', orig)
    }
  })
})
