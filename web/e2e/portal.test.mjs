// The public portal on a phone (390×844): home → county → town → village with the headline
// figures held to the public API's, the masked household list, an objection to an open notice
// (set up through the console API: a village cadre signs a registration up to its publicity),
// a complaint lodged with <script> in its text and followed by its tracking code up to the
// satisfaction rating, and no sideways scrolling at 360 px.
//
//   PORTAL_URL  drive the pages at another address (a `vite -c vite.portal.config.ts` dev
//               server proxying to SUNSHINE_URL) while checking the API at the server's
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { allUsers, apiSession, demoUser, launchBrowser, newPage, phone, shot, startServer } from './server.mjs'

const CITY = '320900000000'
const COUNTY = '320921000000'
const OFFICE = 'poverty_office_320921'

// An 18-character ID number anywhere in a text (not part of a longer run of digits).
const ID18 = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])/

describe('public portal (phone)', () => {
  let server
  let browser
  let base
  let pub

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    base = process.env.PORTAL_URL ?? server.url
    pub = async (path) => {
      const r = await fetch(server.url + '/api/v1/public' + path)
      assert.equal(r.status, 200, `GET /public${path}`)
      return r.json()
    }
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  // The figures on the page, by card: the raw value and the number shown.
  async function pageStats(page) {
    await page.locator('[data-test=region-stats] [data-stat]').first().waitFor()
    return page.locator('[data-test=region-stats] [data-stat]').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.dataset.stat, { raw: Number(e.dataset.value), shown: e.querySelector('.num').textContent }])),
    )
  }

  function assertStats(got, want, where) {
    for (const [k, v] of Object.entries(want)) {
      if (k === 'year') continue
      assert.ok(got[k], `${where}: card ${k}`)
      assert.equal(got[k].raw, v, `${where}: ${k}`)
      const shown = Number(got[k].shown.replace(/,/g, ''))
      // Money cards show yuan with two decimals; the rest are counts.
      assert.equal(shown, k.endsWith('_fen') ? v / 100 : v, `${where}: ${k} shown as ${got[k].shown}`)
      if (k.endsWith('_fen')) assert.match(got[k].shown, /\.\d{2}$/, `${where}: ${k} in yuan with 2 decimals`)
    }
  }

  async function noSideScroll(page, what) {
    const w = await page.evaluate(() => document.scrollingElement.scrollWidth)
    assert.ok(w <= page.viewportSize().width, `${what}: page is ${w}px wide at ${page.viewportSize().width}px`)
  }

  it('home → county → town → village shows the API figures and masked households', async () => {
    const page = await newPage(browser, phone)
    await page.goto(base + '/p/')
    await page.locator('[data-test=portal-home]').waitFor()
    const city = await pub(`/regions/${CITY}`)
    assertStats(await pageStats(page), city.stats, 'city')
    for (const e of ['query', 'needs', 'donations', 'donation', 'complaint', 'open']) {
      assert.equal(await page.locator(`[data-test=entries] [data-entry=${e}]`).count(), 1, `entry tile ${e}`)
    }
    await shot(page, 'portal-01-home')

    // The search finds a village by part of its name (the tree loads on first typing).
    const county = await pub(`/regions/${COUNTY}`)
    const town = await pub(`/regions/${county.children[0].code}`)
    const village = town.children[1]
    await page.locator('[data-test=place-search] input').fill(village.name.slice(0, 2))
    await page.locator(`[data-test=search-hit]`, { hasText: village.name }).first().waitFor()
    await shot(page, 'portal-02-search')
    await page.locator('[data-test=place-search] input').fill('')

    await page.locator(`[data-test=counties] [data-code="${COUNTY}"]`).click()
    await page.waitForURL(new RegExp(`/p/r/${COUNTY}$`))
    await page.locator(`[data-test=region-page][data-code="${COUNTY}"]`).waitFor()
    assertStats(await pageStats(page), county.stats, 'county')
    assert.match(await page.locator('[data-test=crumbs]').innerText(), /盐城市/)
    await shot(page, 'portal-03-county')

    await page.locator(`[data-test=children] [data-code="${town.code}"]`).click()
    await page.locator(`[data-test=region-page][data-code="${town.code}"]`).waitFor()
    assertStats(await pageStats(page), town.stats, 'town')
    await shot(page, 'portal-04-town')

    await page.locator(`[data-test=children] [data-code="${village.code}"]`).click()
    await page.locator(`[data-test=region-page][data-code="${village.code}"]`).waitFor()
    const v = await pub(`/regions/${village.code}`)
    assertStats(await pageStats(page), v.stats, 'village')
    const crumbs = await page.locator('[data-test=crumbs]').innerText()
    for (const n of [county.name, town.name]) assert.ok(crumbs.includes(n), `breadcrumbs name ${n}`)
    await shot(page, 'portal-05-village')

    // Households: names with the second character hidden, no ID number anywhere.
    await page.locator('[data-test=region-tabs] .van-tab', { hasText: '农户' }).click()
    await page.waitForURL(/tab=households/)
    await page.locator('[data-test=household]').first().waitFor()
    const hh = await pub(`/regions/${village.code}/households?limit=30`)
    const names = await page.locator('[data-test=hh-name]').allInnerTexts()
    assert.equal(names.length, hh.items.length)
    assert.ok(names.length > 0, 'the village has households on show')
    for (const n of names) assert.match(n, /^.\*.?$/u, `masked name ${n}`)
    for (const h of await page.locator('[data-test=hh-helper]').allInnerTexts()) {
      const m = h.match(/帮扶人 (.+)$/)
      if (m) assert.match(m[1], /^.\*/u, `masked helper ${h}`)
    }
    const text = await page.locator('body').innerText()
    assert.doesNotMatch(text, ID18)
    await shot(page, 'portal-06-households')

    // A town's list pages with 加载更多.
    await page.goto(base + `/p/r/${town.code}?tab=households`)
    await page.locator('[data-test=household]').first().waitFor()
    const first = await page.locator('[data-test=household]').count()
    assert.equal(first, 30)
    await page.locator('[data-test=more]').click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=household]').length > n, first)
    assert.doesNotMatch(await page.locator('body').innerText(), ID18)

    // Projects and funds of the county, as the API gives them.
    await page.goto(base + `/p/r/${COUNTY}?tab=projects`)
    const projects = await pub(`/projects?region=${COUNTY}&limit=20`)
    await page.locator('[data-test=project]').first().waitFor()
    assert.equal(await page.locator('[data-test=project]').count(), projects.items.length)
    await shot(page, 'portal-07-projects')
    await page.goto(base + `/p/r/${COUNTY}?tab=funds`)
    const funds = await pub(`/regions/${COUNTY}/funds`)
    await page.locator('[data-test=funds-summary]').waitFor()
    assert.equal(Number(await page.locator('[data-test=funds-paid]').getAttribute('data-value')), funds.paid_fen)
    assert.equal(await page.locator('[data-test=fund]').count(), funds.funds.length)
    await shot(page, 'portal-08-funds')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('an objection to an open notice shows its receipt and the count rises', async () => {
    // A registration signed by its village cadre up to the village's publicity, then published.
    const admin = await apiSession(server.url, 'admin')
    const open = await admin.get(`/procedures?status=open&kind=registration&region=${COUNTY}&limit=200`)
    assert.equal(open.status, 200)
    const proc = open.body.items.find((p) => p.step === 0)
    assert.ok(proc, 'an open registration at its first step')
    const cadre = await apiSession(server.url, demoUser(await allUsers(server.url), 'village_cadre', proc.region_code))
    for (;;) {
      const full = await cadre.get(`/procedures/${proc.id}`)
      if (full.body.steps[full.body.step].publicity_days > 0) break
      const r = await cadre.post(`/procedures/${proc.id}/sign`, { decision: 'approve', opinion: '经核实,同意' })
      assert.equal(r.status, 200, JSON.stringify(r.body))
    }
    const published = await cadre.post(`/procedures/${proc.id}/notices`, {})
    assert.equal(published.status, 201, JSON.stringify(published.body))
    const noticeID = published.body.id

    const page = await newPage(browser, phone)
    await page.goto(base + `/p/r/${proc.region_code}?tab=notices`)
    const card = page.locator(`[data-test=notice][data-notice="${noticeID}"]`)
    await card.waitFor()
    assert.equal(await card.getAttribute('data-period'), 'open')
    await card.locator('[data-test=notice-open]').waitFor()
    assert.match(await card.locator('[data-test=days-left]').innerText(), /还剩 7 天/)
    assert.doesNotMatch(await card.innerText(), new RegExp(proc.head_name), 'the head name is masked in the notice')
    const before = Number(await card.locator('[data-test=objection-count]').getAttribute('data-count'))
    await shot(page, 'portal-09-notice-open')

    await card.locator('[data-test=object]').click()
    const sheet = page.locator('[data-test=objection-popup]')
    await sheet.locator('[data-test=objection-submit]').click()
    // Nothing typed: the error sits beside the field and nothing is sent.
    await sheet.locator('[data-test=objection-content] .van-field__error-message').waitFor()
    await sheet.locator('[data-test=objection-content] textarea').fill('该户家中有经营性货车,收入不符合纳入条件,请核实。')
    await sheet.locator('[data-test=objection-contact] input').fill('13812345678')
    await shot(page, 'portal-10-objection-form')
    await sheet.locator('[data-test=objection-submit]').click()
    await sheet.locator('[data-test=receipt]').waitFor()
    const contact = await sheet.locator('[data-test=receipt-contact]').innerText()
    assert.doesNotMatch(contact, /13812345678/)
    assert.match(contact, /138\*+5678/)
    await shot(page, 'portal-11-objection-receipt')
    await sheet.locator('[data-test=receipt-close]').click()
    await card.locator('[data-test=objection-receipt]').waitFor()
    await page.waitForFunction(
      ([id, n]) => Number(document.querySelector(`[data-notice="${id}"] [data-test=objection-count]`)?.getAttribute('data-count')) === n,
      [noticeID, before + 1],
    )
    const api = await pub(`/regions/${proc.region_code}`)
    assert.equal(api.notices.find((n) => n.id === noticeID).objections, before + 1)
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('a complaint with <script> in it gets a tracking code, is shown as text and can be rated', async () => {
    const page = await newPage(browser, phone)
    const dialogs = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    await page.goto(base + '/p/complaint')
    await page.locator('[data-test=complaint-page]').waitFor()
    // Nothing filled: errors beside the fields.
    await page.locator('[data-test=complaint-submit]').click()
    await page.locator('[data-test=complaint-subject] .van-field__error-message').waitFor()
    await page.locator('[data-test=complaint-region] .van-field__error-message').waitFor()

    await page.locator('[data-test=complaint-category]').click()
    await page.locator('.van-picker-column__item', { hasText: '资金发放' }).click()
    await page.locator('.van-picker__confirm').click()
    const county = await pub(`/regions/${COUNTY}`)
    const town = await pub(`/regions/${county.children[0].code}`)
    const village = town.children[0]
    await page.locator('[data-test=complaint-region]').click()
    const cascader = page.locator('.van-cascader')
    await cascader.locator('.van-cascader__option', { hasText: county.name }).click()
    await cascader.locator('.van-cascader__option', { hasText: town.name }).click()
    await cascader.locator('.van-cascader__option', { hasText: village.name }).click()
    await cascader.waitFor({ state: 'hidden' })
    assert.match(await page.locator('[data-test=complaint-region] input').inputValue(), new RegExp(village.name))

    const subject = '<script>alert("portal")</script>低保发放'
    await page.locator('[data-test=complaint-subject] input').fill(subject)
    await page.locator('[data-test=complaint-content] textarea').fill('<img src=x onerror=alert(2)> 村里低保金发放名单没有公示,<b>请查</b>。')
    await page.locator('[data-test=complaint-name] input').fill('王某某')
    await page.locator('[data-test=complaint-phone] input').fill('13912345678')
    await shot(page, 'portal-12-complaint-form')
    await page.locator('[data-test=complaint-submit]').click()
    const codeEl = page.locator('[data-test=tracking-code]')
    await codeEl.waitFor()
    const code = (await codeEl.innerText()).trim()
    assert.match(code, /^TS-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/)
    await shot(page, 'portal-13-complaint-code')

    await page.locator('[data-test=track-link]').click()
    await page.waitForURL(new RegExp(`/p/complaint/${code}$`))
    await page.locator('[data-test=complaint-track]').waitFor()
    assert.equal(await page.locator('[data-test=track-code]').innerText(), code)
    assert.equal(await page.locator('[data-test=track-subject]').innerText(), subject, 'the subject is shown as the text typed')
    assert.equal(await page.locator('[data-test=complaint-track]').getAttribute('data-status'), 'received')
    assert.equal(await page.locator('[data-test=rate-form]').count(), 0, 'no rating before a reply')
    assert.equal(await page.locator('script', { hasText: 'alert("portal")' }).count(), 0)
    await shot(page, 'portal-14-complaint-track')

    // The office assigns and replies; the complainant then rates the reply.
    const office = await apiSession(server.url, OFFICE)
    const list = await office.get(`/complaints?region=${COUNTY}&limit=200`)
    assert.equal(list.status, 200, JSON.stringify(list.body))
    const bare = (s) => s.replace(/^TS-|-/g, '')
    const row = list.body.items.find((c) => bare(c.tracking_code) === bare(code))
    assert.ok(row, 'the complaint is on the desk')
    let c = (await office.get(`/complaints/${row.id}`)).body
    let r = await office.post(`/complaints/${row.id}/assign`, { department: 'poverty_office', version: c.version })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    c = (await office.get(`/complaints/${row.id}`)).body
    r = await office.post(`/complaints/${row.id}/reply`, { reply: '经核查,名单已于本周在村务公开栏补公示。<i>谢谢</i>', version: c.version })
    assert.equal(r.status, 200, JSON.stringify(r.body))

    // The box on /p/complaint takes the code as people type it.
    await page.goto(base + '/p/complaint')
    await page.locator('[data-test=track-input] input').fill(code.toLowerCase().replace(/-/g, ' '))
    await page.locator('[data-test=track-go]').click()
    await page.waitForURL(new RegExp(`/p/complaint/${code}$`))
    await page.locator('[data-test=track-reply]').waitFor()
    assert.match(await page.locator('[data-test=track-reply]').innerText(), /<i>谢谢<\/i>/)
    await page.locator('[data-test=rate-form] [data-rate=basic]').click()
    await shot(page, 'portal-15-complaint-rate')
    await page.locator('[data-test=rate-submit]').click()
    await page.locator('[data-test=track-rated]').waitFor()
    assert.match(await page.locator('[data-test=track-rated]').innerText(), /基本满意/)
    assert.equal(await page.locator('[data-test=rate-form]').count(), 0)
    const tracked = await pub(`/complaints/${code}`)
    assert.equal(tracked.satisfaction, 'basic')

    // A code that does not exist: the server's message and 重试.
    await page.goto(base + '/p/complaint/TS-2222-2222-2222')
    await page.locator('[data-test=load-error]').waitFor()
    assert.match(await page.locator('[data-test=load-error]').innerText(), /查询码不存在/)
    assert.deepEqual(dialogs, [], 'no script ran from the complaint text')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('open data and English; nothing scrolls sideways at 360 px', async () => {
    const page = await newPage(browser, { width: 360, height: 780 })
    const county = await pub(`/regions/${COUNTY}`)
    const village = (await pub(`/regions/${county.children[0].code}`)).children[0].code
    for (const [path, ready] of [
      ['/p/', '[data-test=region-stats]'],
      [`/p/r/${COUNTY}`, '[data-test=children]'],
      [`/p/r/${village}?tab=households`, '[data-test=household]'],
      [`/p/r/${village}?tab=notices`, '[data-test=notices]'],
      [`/p/r/${COUNTY}?tab=projects`, '[data-test=project]'],
      [`/p/r/${COUNTY}?tab=funds`, '[data-test=fund]'],
      ['/p/complaint', '[data-test=complaint-page]'],
      ['/p/open', '[data-test=datasets], [data-test=load-error], [data-test=empty]'],
    ]) {
      await page.goto(base + path)
      await page.locator(ready).first().waitFor()
      await noSideScroll(page, path)
    }
    // /p/open: the catalogue, or (on a server without it yet) a plain message with 重试.
    const cat = await fetch(server.url + '/api/v1/public/open')
    if (cat.status === 200) {
      await page.locator('[data-test=dataset]').first().waitFor()
      const link = (name) => page.locator(`[data-test=dataset][data-name=${name}] [data-test=dataset-download]`)
      assert.match(await link('projects').getAttribute('href'), /projects\.csv\?region=320900000000$/)
      assert.equal(await link('households').count(), 0, 'households are not published for the whole city')
      // Choose a village: its household list becomes a download, and the download works.
      const town = await pub(`/regions/${county.children[0].code}`)
      await page.locator('[data-test=open-region]').click()
      const cascader = page.locator('.van-cascader')
      await cascader.locator('.van-cascader__option', { hasText: county.name }).first().click()
      await cascader.locator('.van-cascader__option', { hasText: town.name }).first().click()
      await cascader.locator('.van-cascader__option', { hasText: town.children[0].name }).click()
      await cascader.waitFor({ state: 'hidden' })
      await link('households').waitFor()
      const href = await link('households').getAttribute('href')
      assert.match(href, new RegExp(`households\\.csv\\?region=${village}$`))
      const csv = await fetch(server.url + href)
      assert.equal(csv.status, 200)
      assert.match(await csv.text(), /户主/)
    } else {
      assert.match(await page.locator('[data-test=load-error]').innerText(), /开放数据目录暂时无法访问/)
      await page.locator('[data-test=retry]').click()
      await page.locator('[data-test=load-error]').waitFor()
    }
    await shot(page, 'portal-16-open')

    // English throughout a region page.
    await page.goto(base + `/p/r/${village}`)
    await page.locator('[data-test=lang]').click()
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    await page.locator('[data-test=region-tabs] .van-tab', { hasText: 'Households' }).waitFor()
    assert.match(await page.locator('[data-test=region-stats]').innerText(), /Registered households/)
    await noSideScroll(page, 'village in English')
    await shot(page, 'portal-17-english')
    await page.locator('[data-test=lang]').click()
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })
})
