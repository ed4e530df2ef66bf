import { describe, expect, it } from 'vitest'
import { passwordStrength } from './password'

describe('passwordStrength', () => {
  it('rates short and trivial passwords very weak', () => {
    expect(passwordStrength('')).toBe(0)
    expect(passwordStrength('abc')).toBe(0)
    expect(passwordStrength('aaaaaaaaaaaa')).toBe(0)
    expect(passwordStrength('password123!')).toBe(0)
  })
  it('grows with length and variety', () => {
    expect(passwordStrength('abcdefgh')).toBe(1)
    expect(passwordStrength('Abcdefgh12')).toBe(2)
    expect(passwordStrength('Abcdefgh1234')).toBe(3)
    expect(passwordStrength('Sunshine#2026')).toBe(4)
  })
})
