import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_IDLE_SECONDS, IdleTimer, idleSecondsFrom } from './idle'

describe('IdleTimer', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function make(idleSeconds = 90) {
    const warns: number[] = []
    const events: string[] = []
    const t = new IdleTimer({
      idleSeconds,
      onWarn: (n) => warns.push(n),
      onExpire: () => events.push('expire'),
      onResume: () => events.push('resume'),
    })
    return { t, warns, events }
  }

  it('warns after the idle period, counts 10 seconds down, then expires once', () => {
    const { t, warns, events } = make(90)
    t.start()
    vi.advanceTimersByTime(89_999)
    expect(t.state).toBe('active')
    expect(warns).toEqual([])
    vi.advanceTimersByTime(1)
    expect(t.state).toBe('warning')
    expect(t.secondsLeft).toBe(10)
    expect(warns).toEqual([10])
    vi.advanceTimersByTime(9_000)
    expect(warns).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    expect(events).toEqual([])
    vi.advanceTimersByTime(1_000)
    expect(events).toEqual(['expire'])
    expect(t.state).toBe('expired')
    vi.advanceTimersByTime(600_000)
    expect(events).toEqual(['expire'])
  })

  it('restarts the idle period on every touch while active', () => {
    const { t, warns } = make(5)
    t.start()
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(4_000)
      t.activity()
    }
    expect(t.state).toBe('active')
    expect(warns).toEqual([])
    vi.advanceTimersByTime(5_000)
    expect(t.state).toBe('warning')
  })

  it('ignores stray touches during the countdown: only resume keeps the session', () => {
    const { t, events } = make(5)
    t.start()
    vi.advanceTimersByTime(5_000 + 3_000)
    t.activity()
    expect(t.state).toBe('warning')
    expect(t.secondsLeft).toBe(7)
    t.resume()
    expect(events).toEqual(['resume'])
    expect(t.state).toBe('active')
    // a fresh idle period, not the remainder of the countdown
    vi.advanceTimersByTime(4_999)
    expect(t.state).toBe('active')
    vi.advanceTimersByTime(1 + 10_000)
    expect(events).toEqual(['resume', 'expire'])
  })

  it('does nothing once stopped, and resume outside a warning is a no-op', () => {
    const { t, events, warns } = make(1)
    t.resume()
    t.start()
    t.resume()
    expect(events).toEqual([])
    t.stop()
    vi.advanceTimersByTime(60_000)
    expect(warns).toEqual([])
    expect(events).toEqual([])
    expect(t.state).toBe('stopped')
  })

  it('start() during a countdown begins a new idle period', () => {
    const { t, warns } = make(2)
    t.start()
    vi.advanceTimersByTime(2_000)
    expect(warns).toEqual([10])
    t.start()
    vi.advanceTimersByTime(1_999)
    expect(warns).toEqual([10])
    expect(t.state).toBe('active')
  })
})

describe('idleSecondsFrom', () => {
  it('reads whole seconds from 1 to 3600 and falls back to the default', () => {
    expect(idleSecondsFrom('5')).toBe(5)
    expect(idleSecondsFrom(['3', '9'])).toBe(3)
    expect(idleSecondsFrom('3600')).toBe(3600)
    for (const bad of [undefined, null, '', '0', '3601', '-5', '1.5', '1e3', ' 5', 'abc', 12]) {
      expect(idleSecondsFrom(bad)).toBe(DEFAULT_IDLE_SECONDS)
    }
  })
})
