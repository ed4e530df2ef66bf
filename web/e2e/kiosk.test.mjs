// The kiosk (便民服务终端) end to end, on a portrait touch screen (1080×1920): the start
// screen of a town's kiosk, 查询本户 with the on-screen keypad and the idle reset that clears
// it, 村务公开 down to a village's masked households paged by buttons, and a complaint whose
// tracking code 办理进度 then finds, typed on the code keypad.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { apiSession, launchBrowser, screenshotDir, startServer } from './server.mjs'
import { solve } from './captcha.mjs'

const TOWN = '320921100000'
const OFFICE = 'poverty_office_320921'
const kiosk = { width: 1080, height: 1920 }

async function kioskPage(browser) {
  const context = await browser.newContext({
    viewport: kiosk,
    hasTouch: true,
    isMobile: false,
    locale: 'zh-CN',
    timezoneId: 'America/New_York',
    deviceScaleFactor: 1,
  })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()))
  page.jsErrors = errors
  return page
}

async function shot(page, name) {
  mkdirSync(screenshotDir, { recursive: true })
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(screenshotDir, `kiosk-${name}.png`) })
}

// Types on the on-screen keypad, one tap per character.
async function keypad(page, text) {
  for (const ch of text) await page.locator(`[data-test=keypad] [data-test="key-${ch}"]`).tap()
}

// A household the demo paid, with its head's full ID number (poverty office: household.export).
async function paidHousehold(base) {
  const office = await apiSession(base, OFFICE)
  const pay = await office.get('/ledger/transfers?kind=payment&limit=1')
  assert.equal(pay.status, 200)
  const acc = await office.get(`/ledger/accounts/${pay.body.items[0].to_account}`)
  const file = await office.get(`/households/${acc.body.household_id}`)
  const head = file.body.members.find((m) => m.relation === 'head' && m.active)
  assert.ok(head && /^\d{17}[\dX]$/.test(head.id_number), 'the head has a full ID number')
  return { id: head.id_number, name: head.name, householdId: acc.body.household_id }
}

describe('kiosk (便民服务终端)', () => {
  let server
  let browser
  let who
  const home = (idle = 3) => `/kiosk?town=${TOWN}&idle=${idle}`

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    who = await paidHousehold(server.url)
  })

  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('starts with five big tiles and the town, locked down for touch', async () => {
    const page = await kioskPage(browser)
    await page.goto(server.url + home(90))
    await page.locator('[data-test=kiosk-start]').waitFor()
    await page.locator('[data-test=kiosk-town]').waitFor()
    assert.match(await page.locator('[data-test=kiosk-town]').innerText(), /镇$/)
    const tiles = page.locator('[data-test^=kiosk-tile-]')
    assert.equal(await tiles.count(), 5)
    const labels = await page.locator('[data-test^=kiosk-tile-] .kh-label').allInnerTexts()
    assert.deepEqual(labels, ['查询本户', '村务公开', '我要举报', '办理进度', '微心愿'])
    for (const box of await Promise.all((await tiles.all()).map((t) => t.boundingBox()))) assert.ok(box.height >= 96, `tile ${box.height}px high`)
    const homeBtn = await page.locator('[data-test=kiosk-home]').boundingBox()
    assert.ok(homeBtn.height >= 96)
    const look = await page.evaluate(() => {
      const k = document.querySelector('.kiosk')
      const s = getComputedStyle(k)
      const ev = new MouseEvent('contextmenu', { bubbles: true, cancelable: true })
      k.dispatchEvent(ev)
      const r = k.getBoundingClientRect()
      return {
        select: s.userSelect || s.webkitUserSelect,
        touch: s.touchAction,
        menuBlocked: ev.defaultPrevented,
        w: r.width,
        h: r.height,
        viewport: document.querySelector('meta[name=viewport]').content,
        btnFont: parseFloat(getComputedStyle(document.querySelector('[data-test=kiosk-home]')).fontSize),
      }
    })
    assert.equal(look.select, 'none')
    assert.equal(look.touch, 'manipulation')
    assert.ok(look.menuBlocked, 'the context menu is blocked')
    assert.deepEqual([look.w, look.h], [kiosk.width, kiosk.height])
    assert.match(look.viewport, /user-scalable=no/)
    assert.ok(look.btnFont >= 28 && look.btnFont <= 32, `button text ${look.btnFont}px`)
    await shot(page, '01-start')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('查询本户: keypad and name, the household in big type, and the idle reset clears it all', async () => {
    const page = await kioskPage(browser)
    await page.goto(server.url + home(3))
    await page.locator('[data-test=kiosk-tile-query]').tap()
    await page.waitForURL((u) => u.pathname === '/kiosk/query' && u.searchParams.get('town') === TOWN && u.searchParams.get('idle') === '3')
    // a wrong check digit is named as such
    const wrong = who.id.slice(0, 17) + (who.id[17] === '1' ? '2' : '1')
    await keypad(page, wrong)
    assert.match(await page.locator('[data-test=kq-id-error]').innerText(), /校验码/)
    await page.locator('[data-test=key-clear]').tap()
    assert.equal(await page.locator('[data-test=kq-id-value]').count(), 0)
    await keypad(page, who.id)
    assert.equal(await page.locator('[data-test=kq-id-value]').innerText(), `${who.id.slice(0, 6)} ${who.id.slice(6, 14)} ${who.id.slice(14)}`)
    assert.equal(await page.locator('[data-test=kq-id-error]').count(), 0)
    await page.locator('[data-test=kq-name]').fill(who.name)
    await page.locator('[data-test=kq-answer]').tap()
    const src = await page.locator('[data-test=captcha-img]').getAttribute('src')
    const { answer } = solve({ image: src })
    await keypad(page, answer)
    await shot(page, '02-query-typed')
    await page.locator('[data-test=kq-submit]').tap()
    await page.locator('[data-test=query-result]').waitFor()
    const text = await page.locator('[data-test=query-result]').innerText()
    assert.ok(text.includes(who.id.slice(0, 6) + '********' + who.id.slice(14)), 'the ID number shows masked')
    assert.ok(!text.includes(who.id), 'never the full ID number')
    assert.ok((await page.locator('[data-test=result-payment]').count()) >= 1)
    const fs = await page.locator('[data-test=payment-amount]').first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
    assert.ok(fs >= 28, `payments in big type (${fs}px)`)
    await shot(page, '03-query-result')

    // idle: the countdown, 继续使用 keeps the screen, then the reset
    await page.locator('[data-test=idle-overlay]').waitFor({ timeout: 8000 })
    const n = Number(await page.locator('[data-test=idle-count]').innerText())
    assert.ok(n >= 1 && n <= 10, `countdown ${n}`)
    await shot(page, '04-idle-countdown')
    await page.locator('[data-test=idle-continue]').tap()
    await page.locator('[data-test=idle-overlay]').waitFor({ state: 'detached' })
    assert.equal(await page.locator('[data-test=query-result]').count(), 1, 'continue keeps the screen')
    await page.locator('[data-test=idle-overlay]').waitFor({ timeout: 8000 })
    await page.locator('[data-test=kiosk-start]').waitFor({ timeout: 20000 })
    const url = new URL(page.url())
    assert.equal(url.pathname, '/kiosk')
    assert.equal(url.searchParams.get('town'), TOWN)
    assert.equal(url.searchParams.get('idle'), '3')
    const leftover = await page.evaluate((id) => document.body.innerText.includes(id.slice(-4)) || document.body.innerHTML.includes(id), who.id)
    assert.equal(leftover, false, 'nothing of the query is left on the page')
    await shot(page, '05-after-reset')

    // re-entering: an empty form, a new captcha
    await page.locator('[data-test=kiosk-tile-query]').tap()
    await page.locator('[data-test=kiosk-query]').waitFor()
    assert.equal(await page.locator('[data-test=kq-id-value]').count(), 0, 'the ID number is empty')
    assert.equal(await page.locator('[data-test=kq-name]').inputValue(), '')
    assert.notEqual(await page.locator('[data-test=captcha-img]').getAttribute('src'), src, 'a new captcha')

    // typing keeps it alive: keys every 1.5 s for 6 s and no countdown
    for (let i = 0; i < 4; i++) {
      await page.locator('[data-test=key-3]').tap()
      await page.waitForTimeout(1500)
      assert.equal(await page.locator('[data-test=idle-overlay]').count(), 0)
    }
    // and 返回首页 from any screen
    await page.locator('[data-test=kiosk-home]').tap()
    await page.locator('[data-test=kiosk-start]').waitFor()
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('村务公开: town → village tiles → masked households paged by buttons, notices and figures', async () => {
    const page = await kioskPage(browser)
    await page.goto(server.url + home(300))
    await page.locator('[data-test=kiosk-tile-open]').tap()
    await page.locator('[data-test=ko-tiles]').waitFor()
    const tiles = page.locator('[data-test=ko-tile]')
    assert.ok((await tiles.count()) >= 10, 'the town’s villages as tiles')
    for (const c of await tiles.evaluateAll((els) => els.map((e) => e.dataset.code))) assert.equal(c.slice(0, 9), TOWN.slice(0, 9))
    await shot(page, '06-open-villages')
    const name = (await tiles.first().innerText()).trim()
    await tiles.first().tap()
    await page.locator('[data-test=ko-households]').waitFor()
    assert.equal((await page.locator('[data-test=ko-region]').innerText()).trim(), name)
    await page.locator('[data-test=ko-household]').first().waitFor()
    const heads = await page.locator('[data-test=ko-head]').allInnerTexts()
    assert.ok(heads.length >= 1 && heads.length <= 8)
    for (const h of heads) assert.match(h.trim(), /^\p{Script=Han}\*+\p{Script=Han}?$|^\p{Script=Han}\*$/u, `masked: ${h}`)
    const body = await page.locator('body').innerText()
    assert.ok(!/\d{17}[\dX]/.test(body) && !/1\d{10}/.test(body), 'no ID number or phone on the page')
    await shot(page, '07-open-households')
    if (await page.locator('[data-test=ko-next]').isEnabled()) {
      await page.locator('[data-test=ko-next]').tap()
      await page.locator('[data-test=ko-page]', { hasText: '第 2 页' }).waitFor()
      const heads2 = await page.locator('[data-test=ko-head]').allInnerTexts()
      assert.ok(heads2.length >= 1)
      await page.locator('[data-test=ko-prev]').tap()
      await page.locator('[data-test=ko-page]', { hasText: '第 1 页' }).waitFor()
      assert.deepEqual(await page.locator('[data-test=ko-head]').allInnerTexts(), heads)
    }
    await page.locator('[data-test=ko-tab-stats]').tap()
    await page.locator('[data-test=ko-stats]').waitFor()
    await shot(page, '08-open-stats')
    await page.locator('[data-test=ko-tab-notices]').tap()
    await page.locator('[data-test=ko-notices]').waitFor()
    await shot(page, '09-open-notices')
    // up to the town, and the town's tiles again
    await page.locator('[data-test=ko-up]').tap()
    await page.locator('[data-test=ko-tiles]').waitFor()
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('我要举报 → the tracking code shown huge → 办理进度 finds it by the code keypad', async () => {
    const page = await kioskPage(browser)
    await page.goto(server.url + home(300))
    await page.locator('[data-test=kiosk-tile-complaint]').tap()
    await page.locator('[data-test=kc-cat-funds]').tap()
    await page.locator('[data-test=kc-region]').nth(1).waitFor()
    await shot(page, '10-complaint-region')
    const village = page.locator('[data-test=kc-region]').nth(1)
    const villageName = (await village.innerText()).trim()
    await village.tap()
    assert.equal((await page.locator('[data-test=kc-chosen-region]').innerText()).trim(), villageName)
    const content = `E2E 便民终端举报:${villageName}某户低保金三个月未到账 <b>x</b>`
    await page.locator('[data-test=kc-content]').fill(content)
    await page.locator('[data-test=kc-name]').fill('王测试')
    await page.locator('[data-test=kc-phone]').tap()
    await keypad(page, '13800138000')
    await shot(page, '11-complaint-form')
    await page.locator('[data-test=kc-submit]').tap()
    await page.locator('[data-test=kc-done]').waitFor()
    assert.match(await page.locator('[data-test=kc-done]').innerText(), /请记下您的查询码/)
    const code = (await page.locator('[data-test=kc-code]').innerText()).trim()
    assert.match(code, /^TS-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/)
    const fs = await page.locator('[data-test=kc-code]').evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
    assert.ok(fs >= 60, `the code is huge (${fs}px)`)
    await shot(page, '12-complaint-code')

    await page.locator('[data-test=kc-track]').tap()
    await page.locator('[data-test=kiosk-track]').waitFor()
    // the keypad offers exactly the tracking code alphabet
    const keys = await page.locator('[data-test=keypad] [data-test^=key-]').evaluateAll((els) => els.map((e) => e.dataset.test.slice(4)))
    assert.deepEqual(keys.filter((k) => k.length === 1).join(''), '23456789ABCDEFGHJKMNPQRSTUVWXYZ')
    await keypad(page, code.replace(/^TS-/, '').replaceAll('-', ''))
    assert.equal((await page.locator('[data-test=kt-code]').innerText()).trim(), code)
    await page.locator('[data-test=kt-submit]').tap()
    await page.locator('[data-test=kt-result]').waitFor()
    assert.equal((await page.locator('[data-test=kt-status]').innerText()).trim(), '已受理')
    const subject = await page.locator('[data-test=kt-subject]').innerText()
    assert.ok(subject.startsWith('资金发放:'), subject)
    assert.equal(await page.locator('[data-test=kt-result] b').count(), 0, 'the text is not markup')
    await shot(page, '13-track-result')

    // a code that does not exist: the one answer
    await page.locator('[data-test=kt-again]').tap()
    await keypad(page, '222222222222')
    await page.locator('[data-test=kt-submit]').tap()
    assert.match(await page.locator('[data-test=kt-error]').innerText(), /查询码不存在/)

    // the console's complaint desk has it, from the kiosk
    const office = await apiSession(server.url, OFFICE)
    const list = await office.get(`/complaints?region=320921000000&limit=50`)
    if (list.status === 200) {
      const c = list.body.items.find((x) => x.tracking_code === code)
      assert.ok(c, 'the desk lists the complaint')
      assert.equal(c.channel, 'kiosk')
    }
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('微心愿: the open needs, read-only', async () => {
    const page = await kioskPage(browser)
    await page.goto(server.url + home(300))
    await page.locator('[data-test=kiosk-tile-needs]').tap()
    await page.locator('[data-test=kiosk-needs]').waitFor()
    await page.locator('[data-test=kn-need], [data-test=kn-none]').first().waitFor()
    assert.equal(await page.locator('[data-test=kiosk-needs] input, [data-test=kiosk-needs] textarea').count(), 0)
    // the households' names only masked (张*明)
    for (const place of await page.locator('[data-test=kn-need] .kn-place').allInnerTexts()) assert.match(place, /·\s*\p{Script=Han}\*/u, place)
    await shot(page, '14-needs')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
