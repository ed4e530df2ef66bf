// 查询本户 on a phone (/p/query) end to end: a household head's real ID number and name (read
// from the console API as the poverty office, which may export full ID numbers) with the
// server's captcha solved from its SVG (captcha.mjs, proved first on fresh captchas) show the
// household and exactly the payments of its console statement; a wrong name or a wrong ID
// number gets the one neutral message and nothing else; too many queries get 429's message.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { apiSession, launchBrowser, newPage, phone, shot, startServer } from './server.mjs'
import { checkDigitId, fetchCaptcha, selfCheck, solve } from './captcha.mjs'

const OFFICE = 'poverty_office_320921'
const fen = (text) => Math.round(Number(text.replace(/[,\s元]/g, '')) * 100)

// The paid household with the most payments among the newest ones, its head and statement.
async function pickHousehold(office) {
  const pays = await office.get('/ledger/transfers?kind=payment&limit=200')
  assert.equal(pays.status, 200)
  const count = new Map()
  for (const t of pays.body.items) count.set(t.to_account, (count.get(t.to_account) ?? 0) + 1)
  const accounts = [...count.entries()].sort((a, b) => b[1] - a[1]).map(([a]) => a)
  for (const a of accounts.slice(0, 10)) {
    const acc = await office.get(`/ledger/accounts/${a}`)
    if (!acc.body?.household_id) continue
    const file = await office.get(`/households/${acc.body.household_id}`)
    const head = (file.body.members ?? []).find((m) => m.relation === 'head' && m.active && /^\d{17}[\dX]$/.test(m.id_number))
    if (!head) continue
    const st = await office.get(`/households/${acc.body.household_id}/statement`)
    assert.equal(st.status, 200)
    if (st.body.entries.length >= 2) return { id: head.id_number, name: head.name, household: file.body.household, statement: st.body }
  }
  throw new Error('no demo household with two payments and a head')
}

async function fillAndSubmit(page, id, name) {
  await page.locator('[data-test=sq-id] input').fill(id)
  await page.locator('[data-test=sq-name] input').fill(name)
  const img = page.locator('[data-test=captcha-img]')
  await img.waitFor()
  const { answer } = solve({ image: await img.getAttribute('src') })
  await page.locator('[data-test=sq-answer] input').fill(answer)
  const before = await img.getAttribute('src')
  await page.locator('[data-test=sq-submit]').click()
  return before
}

describe('own-household query on a phone (/p/query)', () => {
  let server
  let browser
  let who
  let notFoundText

  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    who = await pickHousehold(await apiSession(server.url, OFFICE))
  })

  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('decodes the captcha: the server accepts the answers of fresh captchas', async () => {
    const questions = await selfCheck(server.url, 3)
    assert.equal(questions.length, 3)
    for (const q of questions) assert.match(q, /^\d+[+\-x]\d+=\?$/)
  })

  it('the right pair shows the household and the payments of its console statement', async () => {
    const page = await newPage(browser, phone)
    await page.goto(server.url + '/p/query')
    await page.locator('[data-test=selfquery]').waitFor()
    // the browser names the wrong part before asking the server
    const wrong = who.id.slice(0, 17) + (who.id[17] === '1' ? '2' : '1')
    await page.locator('[data-test=sq-id] input').fill(wrong)
    await page.locator('[data-test=sq-name] input').click()
    await page.locator('[data-test=sq-id] .van-field__error-message').waitFor()
    assert.match(await page.locator('[data-test=sq-id] .van-field__error-message').innerText(), /校验码.*应为/)
    await page.locator('[data-test=sq-id] input').fill(who.id.slice(0, 10))
    assert.match(await page.locator('[data-test=sq-id] .van-field__error-message').innerText(), /18 位/)
    // the captcha is an <img> of the SVG, not markup in the page
    const img = page.locator('[data-test=captcha-img]')
    await img.waitFor()
    assert.match(await img.getAttribute('src'), /^data:image\/svg\+xml;base64,/)
    assert.equal(await page.locator('[data-test=captcha] svg').count(), 0)
    const first = await img.getAttribute('src')
    await page.locator('[data-test=captcha-refresh]').click()
    await page.waitForFunction((s) => document.querySelector('[data-test=captcha-img]')?.getAttribute('src') !== s, first)
    await shot(page, 'selfquery-01-form')

    await fillAndSubmit(page, who.id, who.name)
    await page.locator('[data-test=query-result]').waitFor()
    const text = await page.locator('[data-test=query-result]').innerText()
    assert.ok(!text.includes(who.id), 'no full ID number')
    assert.equal((await page.locator('[data-test=result-id]').innerText()).trim(), who.id.slice(0, 6) + '********' + who.id.slice(14))
    const h = who.household
    if (h.members_count !== undefined) assert.equal(Number.parseInt(await page.locator('[data-test=result-members]').innerText()), h.members_count)
    assert.match(text, new RegExp(h.region_name))
    assert.match(await page.locator('[data-test=result-status]').innerText(), /在档|已脱贫|申请纳入|已核销/)
    assert.match(await page.locator('[data-test=result-type]').innerText(), /低保户|特困供养|一般低收入户/)
    const helper = await page.locator('[data-test=result-helper]').innerText()
    assert.ok(!/1\d{10}/.test(helper), `the helper's phone is masked: ${helper}`)

    // every payment of the statement, in its order, with date, fund, item and amount
    const st = who.statement
    const rows = page.locator('[data-test=result-payment]')
    assert.equal(await rows.count(), st.entries.length)
    for (let i = 0; i < st.entries.length; i++) {
      const e = st.entries[i]
      const row = rows.nth(i)
      assert.equal((await row.locator('[data-test=payment-date]').innerText()).trim(), e.on_date)
      assert.equal((await row.locator('[data-test=payment-fund]').innerText()).trim(), e.fund_name)
      if (e.item_name) assert.equal((await row.locator('[data-test=payment-item]').innerText()).trim(), e.item_name)
      assert.equal(fen(await row.locator('[data-test=payment-amount]').innerText()), e.amount_fen)
    }
    assert.equal(fen(await page.locator('[data-test=result-total]').innerText()), st.total_fen)
    // per year: the statement's payments not reversed, summed by year
    const perYear = {}
    for (const e of st.entries) if (!e.reversed) perYear[e.on_date.slice(0, 4)] = (perYear[e.on_date.slice(0, 4)] ?? 0) + e.amount_fen
    const years = page.locator('[data-test=result-year]')
    for (let i = 0; i < (await years.count()); i++) {
      const y = await years.nth(i).getAttribute('data-year')
      assert.equal(fen(await years.nth(i).locator('[data-test=result-year-total]').innerText()), perYear[y] ?? 0, `year ${y}`)
    }
    await shot(page, 'selfquery-02-result')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('a wrong name and a wrong ID number get the same neutral message and no data', async () => {
    const page = await newPage(browser, phone)
    await page.goto(server.url + '/p/query')
    await fillAndSubmit(page, who.id, who.name === '张三' ? '李四' : '张三')
    await page.locator('[data-test=sq-notfound]').waitFor()
    notFoundText = await page.locator('[data-test=sq-notfound]').innerText()
    assert.match(notFoundText, /信息不匹配或未查到/)
    assert.equal(await page.locator('[data-test=query-result]').count(), 0)
    await shot(page, 'selfquery-03-not-found')
    // a valid ID number nobody has, with the right name
    const other = checkDigitId('32092119500101' + (who.id.slice(14, 17) === '999' ? '998' : '999'))
    await page.waitForFunction(() => !!document.querySelector('[data-test=captcha-img]'))
    await fillAndSubmit(page, other, who.name)
    await page.waitForFunction(() => !document.querySelector('[data-test=sq-submit] .van-loading'))
    await page.locator('[data-test=sq-notfound]').waitFor()
    assert.equal(await page.locator('[data-test=sq-notfound]').innerText(), notFoundText)
    assert.equal(await page.locator('[data-test=query-result]').count(), 0)
    const body = await page.locator('body').innerText()
    assert.ok(!body.includes(who.household.region_name) && !body.includes('帮扶责任人'), 'nothing of the household shows')
    // leaving the page forgets the ID number
    await page.locator('[data-test=sq-id] input').fill(who.id)
    await page.locator('[data-test=tabbar] .van-tabbar-item').first().click()
    await page.waitForURL((u) => u.pathname === '/p/')
    await page.locator('[data-test=tabbar] .van-tabbar-item').nth(1).click()
    await page.locator('[data-test=selfquery]').waitFor()
    assert.equal(await page.locator('[data-test=sq-id] input').inputValue(), '')
    assert.deepEqual(page.jsErrors, [])
    await page.context().close()
  })

  it('past the hourly limit the page says 查询过于频繁', async () => {
    // spend the rest of this client's hour (10) with wrong answers: they count too
    for (;;) {
      const c = await fetchCaptcha(server.url)
      const { answer } = solve(c)
      const r = await fetch(server.url + '/api/v1/public/household-query', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id_number: checkDigitId('32092119600101123'), name: '某某', captcha_token: c.token, captcha_answer: String(Number(answer) + 1) }),
      })
      await r.body?.cancel()
      if (r.status === 429) break
      assert.equal(r.status, 400)
    }
    const page = await newPage(browser, phone)
    await page.goto(server.url + '/p/query')
    await fillAndSubmit(page, who.id, who.name)
    await page.locator('[data-test=sq-throttled]').waitFor()
    const msg = await page.locator('[data-test=sq-throttled]').innerText()
    assert.match(msg, /查询过于频繁,请稍后再试/)
    assert.match(msg, /小时/)
    assert.equal(await page.locator('[data-test=query-result]').count(), 0)
    await shot(page, 'selfquery-04-throttled')
    await page.context().close()
  })
})
