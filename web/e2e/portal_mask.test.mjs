// Nothing personal leaks from the public face: every public page of one county of the demo
// (home, the county, each town and each village with each of their tabs, needs and their
// details, donations, the donation query, the social forces pages) is visited on a phone, and
// the rendered text (innerText) and every /api/v1/public response body seen on the way — plus
// the open data CSVs of the county — are scanned for ID numbers (18 digits, checksum valid),
// mobile numbers (1[3-9] + 9 digits) and account numbers (16–19 digits). A unit check first
// proves the scanner finds each kind in a bad string and passes masked ones.
//
//   PORTAL_URL  drive the pages at another address (a vite dev server proxying to SUNSHINE_URL)
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { launchBrowser, newPage, phone, startServer } from './server.mjs'

const COUNTY = '320921000000'

// ---- the scanner ----

const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const idCheck = '10X98765432'

// The check character of the first 17 digits of a resident ID number (GB 11643).
export function idCheckChar(first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * idWeights[i]
  return idCheck[sum % 11]
}

const runs = /(?<![0-9])[0-9]{11,19}[Xx]?(?![0-9A-Za-z])/g

// scan returns what in text looks like an ID number, a mobile number or an account number,
// as {kind, value} (the value cut to its first and last digits, so a failure message does not
// print what it found in full). Digits inside longer runs count as the run: a 20-digit number
// is none of these.
export function scan(text) {
  const out = []
  const s = String(text ?? '')
  for (const m of s.matchAll(runs)) {
    const v = m[0]
    const cut = v.slice(0, 3) + '…' + v.slice(-2)
    if (v.length === 18 && /^[0-9]{17}[0-9Xx]$/.test(v) && idCheckChar(v) === v[17].toUpperCase()) out.push({ kind: 'id_number', value: cut })
    else if (/^1[3-9][0-9]{9}$/.test(v)) out.push({ kind: 'mobile', value: cut })
    else if (/^[0-9]{16,19}$/.test(v)) out.push({ kind: 'account', value: cut })
  }
  return out
}

describe('the leak scanner', () => {
  it('finds an ID number, a mobile and an account number, and passes masked ones', () => {
    const id17 = '32092119800101123'
    const id = id17 + idCheckChar(id17)
    const bad = `户主 ${id},电话13812345678,账号6228480012345678901。`
    const found = scan(bad)
    assert.deepEqual(
      found.map((f) => f.kind),
      ['id_number', 'mobile', 'account'],
    )
    assert.ok(!JSON.stringify(found).includes(id), 'findings do not repeat the number')
    // In JSON too, with an X check character.
    const x17 = Array.from({ length: 1000 }, (_, i) => '32092119700101' + String(i).padStart(3, '0')).find((c) => idCheckChar(c) === 'X')
    assert.ok(x17)
    assert.deepEqual(scan(JSON.stringify({ id_number: x17 + 'X' })).map((f) => f.kind), ['id_number'])
    // A wrong check character is no ID number, but 18 digits still count as an account.
    const wrong = id17 + (idCheckChar(id17) === '0' ? '1' : '0')
    assert.deepEqual(scan(wrong).map((f) => f.kind), ['account'])
    // Masked forms, region codes, money in fen, tracking codes, dates: nothing.
    const clean = `张*明 320***********1234 138****5678 ****5678 320921100201 580700000 TS-7KQ4-9XWM-2PHD 2026-11-25T09:19:39.080122Z 12345678901234567890 *************0008`
    assert.deepEqual(scan(clean), [])
    assert.deepEqual(scan('固话 0515-86901234 或 051586901234'), [])
  })
})

describe('public pages of a county leak nothing', () => {
  let server
  let browser
  let base
  let page
  let findings = []
  let answers = 0
  let inflight = 0
  let bodies = []
  const visited = []
  let t0 = { diagnostic: (m) => console.error(m) }

  async function pub(path) {
    const r = await fetch(server.url + '/api/v1/public' + path)
    return { status: r.status, body: r.status === 200 ? await r.json() : null }
  }
  const note = (where, text) => {
    for (const f of scan(text)) findings.push({ where, ...f })
  }

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    base = process.env.PORTAL_URL ?? server.url
    page = await newPage(browser, phone)
    // Every public answer the pages fetch, scanned as it arrives.
    page.on('request', (r) => r.url().includes('/api/v1/public') && inflight++)
    page.on('requestfailed', (r) => r.url().includes('/api/v1/public') && inflight--)
    page.on('requestfinished', (r) => {
      if (!r.url().includes('/api/v1/public')) return
      bodies.push(
        r
          .response()
          .then((res) => res?.text())
          .then((b) => {
            answers++
            note('GET ' + new URL(r.url()).pathname, b)
          })
          .catch(() => {})
          .finally(() => inflight--),
      )
    })
  })
  after(async () => {
    await page?.context().close()
    await browser?.close()
    await server?.close()
  })

  // A page is settled when no public request is on its way and no skeleton shows.
  async function settle() {
    await page.waitForTimeout(60)
    for (let quiet = 0; quiet < 3; ) {
      const busy =
        inflight > 0 ||
        (await page.evaluate(() => [...document.querySelectorAll('[data-test=loading], .van-skeleton')].some((e) => e.offsetParent !== null)))
      quiet = busy ? 0 : quiet + 1
      await page.waitForTimeout(50)
    }
  }
  async function scanPage(where) {
    await settle()
    note(where, await page.locator('body').innerText())
    visited.push(where)
    if (visited.length % 100 === 0) console.error(`portal_mask: ${visited.length} page states, ${answers} answers scanned`)
  }
  // Visits and scans a page; false when its route is not built (it falls through to /p/).
  // Once the app is loaded, pages are reached the way a tap on a link reaches them (history
  // push + popstate: the router renders the page without loading the app again).
  let loaded = false
  async function visit(path) {
    if (!loaded) {
      await page.goto(base + path)
      loaded = true
    } else {
      await page.evaluate((p) => {
        history.pushState(history.state, '', p)
        dispatchEvent(new PopStateEvent('popstate', { state: history.state }))
      }, path)
    }
    await settle()
    if (new URL(page.url()).pathname !== path.split('?')[0]) {
      t0.diagnostic(`${path} ended at ${page.url()}`)
      return false
    }
    await scanPage(path)
    return true
  }
  // Each tab of a region page in turn (the first shows on arrival), every page of a list.
  async function regionTabs(code) {
    assert.ok(await visit(`/p/r/${code}`), `/p/r/${code}`)
    const n = await page.locator('[data-test=region-tabs] .van-tab').count()
    for (let i = 1; i < n; i++) {
      await page.locator('[data-test=region-tabs] .van-tab').nth(i).click()
      await scanPage(`/p/r/${code} tab ${i}`)
      for (;;) {
        const more = page.locator('.van-tab__panel:visible [data-test=more]')
        if (!(await more.count())) break
        await more.click()
        await scanPage(`/p/r/${code} tab ${i} more`)
      }
    }
  }
  // The findings so far, then a fresh start for the next test.
  async function done() {
    await Promise.all(bodies)
    bodies = []
    const f = findings
    findings = []
    return f
  }

  let county
  let firstVillages = []

  // Every page kind with every tab and list page, over the county, each town, every village of
  // the first town and the first village of the others. (The Go test TestPublicMasking walks
  // every public API answer of every region; this one checks what the pages render.)
  it('home, the county, each town and villages with each tab', async (t) => {
    assert.ok(await visit('/p/'), '/p/')
    county = (await pub(`/regions/${COUNTY}`)).body
    assert.ok(county?.children.length, 'the county has towns')
    await regionTabs(COUNTY)
    for (const [i, town] of county.children.entries()) {
      await regionTabs(town.code)
      const tp = (await pub(`/regions/${town.code}`)).body
      firstVillages.push(tp.children[0].code)
      for (const v of i === 0 ? tp.children : tp.children.slice(0, 1)) await regionTabs(v.code)
    }
    assert.ok(await visit('/p/complaint'), '/p/complaint')
    assert.ok(await visit('/p/open'), '/p/open')
    const f = await done()
    t.diagnostic(`visited ${visited.length} page states, scanned ${answers} public answers`)
    assert.ok(visited.length > 5 * 30, `visited ${visited.length} page states`)
    assert.ok(answers > 60, `scanned ${answers} answers`)
    assert.deepEqual(f, [], 'personal numbers on the region pages')
    assert.deepEqual(page.jsErrors, [])
  })

  it('needs (微心愿) and each need', async (t) => {
    if (!(await visit('/p/needs'))) return t.skip('route /p/needs not built yet: needs pages not scanned')
    const needs = await pub(`/needs?region=${COUNTY}`)
    for (const n of needs.body?.items ?? []) assert.ok(await visit(`/p/needs/${n.id}`), `/p/needs/${n.id}`)
    assert.deepEqual(await done(), [], 'personal numbers on the needs pages')
  })

  it('donations (捐赠公示) and the donation query', async (t) => {
    const missing = []
    for (const p of ['/p/donations', '/p/donation']) if (!(await visit(p))) missing.push(p)
    assert.deepEqual(await done(), [], 'personal numbers on the donation pages')
    if (missing.length) t.skip(`route ${missing.join(' and ')} not built yet: not scanned`)
  })

  it('social forces of the county, each town and a village of each', async (t) => {
    const codes = [COUNTY, ...(county?.children ?? []).map((c) => c.code), ...firstVillages]
    if (!(await visit(`/p/forces/${codes[0]}`))) return t.skip('route /p/forces/:code not built yet: forces pages not scanned')
    for (const c of codes.slice(1)) assert.ok(await visit(`/p/forces/${c}`), `/p/forces/${c}`)
    assert.deepEqual(await done(), [], 'personal numbers on the forces pages')
  })

  it('the open data CSVs of the county', async (t) => {
    const cat = await pub('/open')
    if (cat.status !== 200) return t.skip('GET /api/v1/public/open not built yet: CSVs not scanned')
    let csvs = 0
    // The county, its first town and that town's first village: each file at the levels it is
    // published for.
    const at = { county: COUNTY, town: county?.children[0]?.code, village: firstVillages[0] }
    for (const d of cat.body.datasets ?? []) {
      for (const [level, code] of Object.entries(at)) {
        if (!code || (d.levels?.length && !d.levels.includes(level))) continue
        const url = d.url.includes('{code}') ? d.url.replace('{code}', code) : d.url + (d.url.includes('?') ? '&' : '?') + 'region=' + code
        const r = await fetch(new URL(url, server.url))
        assert.equal(r.status, 200, `${d.name}: ${url}`)
        note('CSV ' + d.name + ' ' + code, await r.text())
        csvs++
      }
    }
    t.diagnostic(`scanned ${csvs} CSVs`)
    assert.deepEqual(await done(), [], 'personal numbers in the open data')
  })
})
