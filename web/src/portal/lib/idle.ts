// The kiosk's inactivity timer. A service-centre terminal is shared by strangers: when nobody
// has touched it for a while, a countdown warns whoever may still be there, and when it runs
// out the kiosk resets so the next person never sees the last one's ID number or payments.
//
//   active ──(idle for idleMs)──▶ warning ──(warnSeconds counted down)──▶ expired
//      ▲                              │
//      └────────── resume() ──────────┘
//
// During the warning, touches elsewhere do not count: only the overlay's 继续使用 (resume)
// keeps the session, so a palm on the screen does not hold someone's data up indefinitely.

export const DEFAULT_IDLE_SECONDS = 90
export const WARN_SECONDS = 10
// An installer may set anything from 1 s (tests) to an hour.
const MAX_IDLE_SECONDS = 3600

export type IdleState = 'stopped' | 'active' | 'warning' | 'expired'

export interface IdleOptions {
  idleSeconds: number
  warnSeconds?: number
  // Called when the countdown starts and on each second of it, with the seconds left (>0).
  onWarn?: (secondsLeft: number) => void
  // Called once the countdown reached zero.
  onExpire: () => void
  // Called when a warning is cancelled by resume().
  onResume?: () => void
}

export class IdleTimer {
  private opts: Required<Omit<IdleOptions, 'onWarn' | 'onResume'>> & Pick<IdleOptions, 'onWarn' | 'onResume'>
  private idleHandle: ReturnType<typeof setTimeout> | null = null
  private tickHandle: ReturnType<typeof setInterval> | null = null
  private left = 0
  state: IdleState = 'stopped'

  constructor(opts: IdleOptions) {
    this.opts = { warnSeconds: WARN_SECONDS, ...opts }
  }

  get secondsLeft(): number {
    return this.state === 'warning' ? this.left : 0
  }

  // Starts (or restarts) watching: the idle period begins now.
  start() {
    this.clear()
    this.state = 'active'
    this.arm()
  }

  // A touch or a key: the idle period begins again. Ignored unless active (see above).
  activity() {
    if (this.state !== 'active') return
    this.arm()
  }

  // 继续使用: cancels the countdown and starts a fresh idle period.
  resume() {
    if (this.state !== 'warning') return
    this.clear()
    this.state = 'active'
    this.arm()
    this.opts.onResume?.()
  }

  stop() {
    this.clear()
    this.state = 'stopped'
  }

  private arm() {
    if (this.idleHandle !== null) clearTimeout(this.idleHandle)
    this.idleHandle = setTimeout(() => this.warn(), this.opts.idleSeconds * 1000)
  }

  private warn() {
    this.idleHandle = null
    this.state = 'warning'
    this.left = this.opts.warnSeconds
    if (this.left <= 0) {
      this.expire()
      return
    }
    this.opts.onWarn?.(this.left)
    this.tickHandle = setInterval(() => {
      this.left--
      if (this.left <= 0) this.expire()
      else this.opts.onWarn?.(this.left)
    }, 1000)
  }

  private expire() {
    this.clear()
    this.state = 'expired'
    this.opts.onExpire()
  }

  private clear() {
    if (this.idleHandle !== null) clearTimeout(this.idleHandle)
    if (this.tickHandle !== null) clearInterval(this.tickHandle)
    this.idleHandle = null
    this.tickHandle = null
  }
}

// The idle period from the kiosk's ?idle= (seconds): a whole number from 1 to an hour, else
// the default. Installers set it per terminal; tests use a few seconds.
export function idleSecondsFrom(v: unknown): number {
  const s = Array.isArray(v) ? v[0] : v
  if (typeof s !== 'string' || !/^\d{1,5}$/.test(s)) return DEFAULT_IDLE_SECONDS
  const n = Number(s)
  return n >= 1 && n <= MAX_IDLE_SECONDS ? n : DEFAULT_IDLE_SECONDS
}
