// Shared helpers for the end-to-end tests: start a real `sunshine serve` on a fresh
// data directory with the small demo data set, drive Debian's Chromium with
// playwright-core, and save screenshots.
//
//   SUNSHINE_BIN   the binary to test (default: built from the repository into /tmp)
//   SUNSHINE_URL   test an already running server instead (no stop/restart tests)
//   CHROMIUM       the browser (default /usr/bin/chromium)
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
export const webDir = join(here, '..')
export const repoDir = join(webDir, '..')
export const screenshotDir = join(here, 'screenshots')
export const PASSWORD = 'Sunshine#2026'

function newest(dir) {
  let t = 0
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    const s = statSync(p)
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs)
  }
  return t
}

// The binary embeds web/dist, so build the UI first when the sources are newer.
// The field app (web/field, src/field) is built into dist/m and the public face (web/portal,
// src/portal) into dist/p by the same script.
function ensureUIBuilt() {
  const built = ['index.html', 'm/index.html', 'p/index.html'].map((f) => join(webDir, 'dist', f))
  const srcTime = Math.max(
    newest(join(webDir, 'src')),
    newest(join(webDir, 'field')),
    newest(join(webDir, 'portal')),
    ...['index.html', 'vite.config.ts', 'vite.field.config.ts', 'vite.portal.config.ts'].map((f) => statSync(join(webDir, f)).mtimeMs),
  )
  if (built.every((f) => existsSync(f) && statSync(f).mtimeMs >= srcTime)) return
  execFileSync('npm', ['run', 'build'], { cwd: webDir, stdio: ['ignore', 'ignore', 'inherit'] })
}

let builtBin = null
export function binary() {
  if (process.env.SUNSHINE_BIN) return process.env.SUNSHINE_BIN
  if (builtBin) return builtBin
  ensureUIBuilt()
  // Build to a private name (test files may run side by side); on exit it
  // becomes /tmp/sunshine-e2e, for anyone who wants to poke at the same binary.
  const own = `/tmp/sunshine-e2e.${process.pid}`
  execFileSync('go', ['build', '-o', own, './cmd/sunshine'], { cwd: repoDir, stdio: ['ignore', 'ignore', 'inherit'] })
  process.on('exit', () => {
    try {
      renameSync(own, '/tmp/sunshine-e2e')
    } catch {
      rmSync(own, { force: true })
    }
  })
  builtBin = own
  return builtBin
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

async function waitReady(url, proc, ms = 60000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (proc && proc.exitCode !== null) throw new Error(`sunshine exited early with ${proc.exitCode}`)
    try {
      const res = await fetch(url + '/readyz')
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${url}/readyz did not answer 200 within ${ms} ms`)
}

// A running server. stop() and start() keep the same data directory and port.
export class Server {
  // args: extra `serve` flags (e.g. ['--map-tiles', 'http://tiles.test/{z}/{x}/{y}.png']).
  constructor({ args = [] } = {}) {
    this.args = args
    this.proc = null
    this.log = []
    this.dataDir = null
    this.url = process.env.SUNSHINE_URL ?? null
    this.external = !!process.env.SUNSHINE_URL
  }

  async start() {
    if (this.external) {
      await waitReady(this.url)
      return this
    }
    if (!this.dataDir) this.dataDir = mkdtempSync(join(tmpdir(), 'sunshine-e2e-'))
    if (!this.port) this.port = await freePort()
    this.url = `http://127.0.0.1:${this.port}`
    const args = ['serve', '--data', this.dataDir, '--addr', `127.0.0.1:${this.port}`, '--demo', 'small', ...this.args]
    this.proc = spawn(binary(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const keep = (b) => {
      this.log.push(b.toString())
      if (this.log.length > 400) this.log.splice(0, 100)
    }
    this.proc.stdout.on('data', keep)
    this.proc.stderr.on('data', keep)
    try {
      await waitReady(this.url, this.proc)
    } catch (e) {
      e.message += '\n--- server log ---\n' + this.log.join('')
      await this.stop()
      throw e
    }
    return this
  }

  async stop() {
    const p = this.proc
    this.proc = null
    if (!p || p.exitCode !== null) return
    const exited = new Promise((r) => p.once('exit', r))
    p.kill('SIGTERM')
    const t = setTimeout(() => p.kill('SIGKILL'), 10000)
    await exited
    clearTimeout(t)
  }

  // Stop and remove the data directory.
  async close() {
    await this.stop()
    if (this.dataDir && !process.env.SUNSHINE_KEEP_DATA) rmSync(this.dataDir, { recursive: true, force: true })
  }

  // Run a sunshine subcommand against this server's data directory.
  run(args) {
    return new Promise((resolve) => {
      const p = spawn(binary(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      p.stdout.on('data', (b) => (stdout += b))
      p.stderr.on('data', (b) => (stderr += b))
      p.on('exit', (code) => resolve({ code, stdout, stderr }))
    })
  }
}

export async function startServer(opts = {}) {
  return new Server(opts).start()
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export const desktop = { width: 1366, height: 768 }
export const phone = { width: 390, height: 844 }

export async function newPage(browser, viewport = desktop) {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'America/New_York', // dates must still show in Asia/Shanghai
    deviceScaleFactor: 1,
    isMobile: viewport.width < 768,
    hasTouch: viewport.width < 768,
  })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  // Failed requests (a 401 from the session probe, a 403 asked for on purpose) are
  // logged by the browser as console errors; only script errors count here.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()))
  page.jsErrors = errors
  return page
}

export async function shot(page, name) {
  mkdirSync(screenshotDir, { recursive: true })
  await page.waitForTimeout(350) // let transitions and charts settle
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: false })
}

export async function signIn(page, base, username, password = PASSWORD) {
  await page.goto(base + '/login')
  await page.locator('input[data-test=username]').fill(username)
  await page.locator('input[data-test=password]').fill(password)
  await page.locator('[data-test=login-submit]').click()
}

// Signs in and waits for the console (the user's name in the header).
export async function signInOK(page, base, username, password = PASSWORD) {
  await signIn(page, base, username, password)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await page.locator('.topbar').waitFor()
}

// The keys of the left menu entries, in order.
export async function menuKeys(page) {
  await page.locator('[data-test=menu] [data-menu]').first().waitFor()
  return page.locator('[data-test=menu] [data-menu]').evaluateAll((els) => els.map((e) => e.getAttribute('data-menu')))
}

// JSON API call with the browser's session (cookie) — for checks, not for driving the UI.
export async function api(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch('/api/v1' + p, { headers: { Accept: 'application/json' } })
    return { status: r.status, body: await r.json().catch(() => null) }
  }, path)
}

// A tiny API client for Node (cookie session + CSRF), for setting up and checking.
export async function apiSession(base, username, password = PASSWORD) {
  const res = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`)
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]
  const { csrf_token: csrf } = await res.json()
  const call = async (method, path, body) => {
    const r = await fetch(base + '/api/v1' + path, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await r.text()
    return { status: r.status, body: text ? JSON.parse(text) : null }
  }
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b), patch: (p, b) => call('PATCH', p, b) }
}

// All users (as admin), following the keyset pages.
export async function allUsers(base) {
  const admin = await apiSession(base, 'admin')
  const out = []
  let after = ''
  do {
    const r = await admin.get(`/users?limit=200${after ? '&after=' + encodeURIComponent(after) : ''}`)
    if (r.status !== 200) throw new Error(`GET /users: ${r.status}`)
    out.push(...r.body.items)
    after = r.body.next ?? ''
  } while (after)
  return out
}

// The demo user with this role and scope (names are the demo loader's business).
export function demoUser(users, role, scope) {
  const u = users.find((x) => x.role === role && x.scope_code === scope && !x.disabled)
  if (!u) throw new Error(`no demo user with role ${role} and scope ${scope}`)
  return u.username
}
