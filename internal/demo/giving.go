package demo

import (
	"context"
	"fmt"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/giving"
	"sunshine/internal/money"
	"sunshine/internal/selfquery"
)

// GivingSummary counts what Giving loaded.
type GivingSummary struct {
	Needs, Donors, Donations, Households int
}

// Giving loads the donation platform's examples: needs, donors, pledges, money donations
// traced to households and goods donations with receipts.
//
// In every county, through the giving service with the county's poverty office: five donors
// (an anonymous person, a named person, an enterprise, a charity and an association; the
// portal pledge registers one more); six needs across three villages (one fulfilled by a
// directed donation paid to its household, one pledged in the console, one pledged from the
// portal, one closed, two open); a general money donation paid to four households across the
// villages with part left to pay; and a goods donation with two deliveries. Households are
// registered ones with a passbook account whose head is a living, active member. Dates count
// back from today (the database clock, restored afterwards). It does nothing when needs exist.
func Giving(ctx context.Context, svc *giving.Service, d *db.DB) (GivingSummary, error) {
	var sum GivingSummary
	q := d.Reader()
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM giving_needs`).Scan(&n); err != nil || n > 0 {
		return sum, err
	}
	counties, err := strs(ctx, q, `SELECT code FROM regions WHERE level = 'county' ORDER BY code`)
	if err != nil {
		return sum, err
	}
	today := d.Clock().In(db.Shanghai)
	today = time.Date(today.Year(), today.Month(), today.Day(), 10, 0, 0, 0, db.Shanghai)
	clock := d.Clock
	defer func() { d.Clock = clock }()
	g := &givingLoader{ctx: ctx, s: svc, d: d, today: today, sum: &sum}
	for _, c := range counties {
		if err := g.county(c); err != nil {
			return sum, fmt.Errorf("demo giving in %s: %w", c, err)
		}
	}
	return sum, nil
}

type givingLoader struct {
	ctx   context.Context
	s     *giving.Service
	d     *db.DB
	today time.Time
	sum   *GivingSummary
	p     *auth.Principal
}

// at sets the database clock to 10:00 (Shanghai) n days from today.
func (g *givingLoader) at(n int) string {
	t := g.today.AddDate(0, 0, n)
	g.d.Clock = func() time.Time { return t }
	return t.Format(db.DateLayout)
}

// payable lists a village's registered households with a passbook account and a living,
// active head, by id.
func (g *givingLoader) payable(village string) ([]int64, error) {
	rows, err := g.d.Reader().QueryContext(g.ctx, `SELECT h.id FROM households h WHERE h.region_code = ? AND h.status = 'registered'
		AND h.account_no <> '' AND EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.id_number = h.head_id_number
		AND m.active = 1 AND m.deceased_on IS NULL) ORDER BY h.id`, village)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (g *givingLoader) county(code string) error {
	p := &auth.Principal{Username: "poverty_office_" + code[:6]}
	var role string
	if err := g.d.Reader().QueryRowContext(g.ctx, `SELECT id, display_name, role, scope_code FROM users WHERE username = ?`, p.Username).
		Scan(&p.UserID, &p.Name, &role, &p.Scope); err != nil {
		return fmt.Errorf("demo user %s: %w", p.Username, err)
	}
	p.Role = auth.Role(role)
	g.p = p
	villages, err := strs(g.ctx, g.d.Reader(), `SELECT code FROM regions WHERE level = 'village' AND code LIKE ? ORDER BY code`, code[:6]+"%")
	if err != nil {
		return err
	}
	// three villages with at least three payable households each
	var vs []string
	homes := map[string][]int64{}
	for _, v := range villages {
		hh, err := g.payable(v)
		if err != nil {
			return err
		}
		if len(hh) >= 3 {
			vs, homes[v] = append(vs, v), hh
		}
		if len(vs) == 3 {
			break
		}
	}
	if len(vs) < 3 {
		return nil // too small a county for the examples
	}
	ctx, s := g.ctx, g.s

	// donors, registered a month ago
	g.at(-30)
	donors := make([]giving.Donor, 0, 5)
	for _, in := range []giving.DonorInput{
		{Kind: "person", Anonymous: true, Phone: "13900001234"},
		{Kind: "person", Name: "张建明", Phone: "13812345678"},
		{Kind: "enterprise", Name: "阳光农业科技有限公司", CreditCode: "91" + code[:6] + "MA1XYR" + "123" + code[5:6], Phone: "13701234567"},
		{Kind: "organisation", Name: "县慈善总会", CreditCode: "51" + code[:6] + "MJ0000" + "88" + code[4:6]},
		{Kind: "organisation", Name: "爱心助学协会", CreditCode: "52" + code[:6] + "MJ1234" + "56" + code[4:6]},
	} {
		in.RegionCode = code
		dn, err := s.CreateDonor(ctx, p, in)
		if err != nil {
			return err
		}
		donors = append(donors, dn)
	}
	g.sum.Donors += len(donors)
	named, firm, charity := donors[1], donors[2], donors[3]

	// needs, published 25 days ago
	g.at(-25)
	deadline := g.today.AddDate(0, 2, 0).Format(db.DateLayout)
	need := func(village string, hh int64, title, content, kind, target, goods string) (giving.Need, error) {
		in := giving.NeedInput{RegionCode: village, Title: title, Content: content, Kind: kind, TargetYuan: target, Goods: goods, Deadline: deadline}
		if hh > 0 {
			in.HouseholdID = &hh
		}
		g.sum.Needs++
		return s.CreateNeed(ctx, p, in)
	}
	tuition, err := need(vs[0], homes[vs[0]][0], "孩子秋季学费", "家中孩子就读县职业中学,秋季学费有缺口。", "money", "800", "")
	if err != nil {
		return err
	}
	if _, err := need(vs[0], homes[vs[0]][1], "冬季棉被", "老人独居,需要两床厚棉被过冬。", "goods", "400", "棉被 2 床"); err != nil {
		return err
	}
	medical, err := need(vs[1], homes[vs[1]][0], "术后康复费用", "户主腿部手术后需康复治疗。", "money", "1500", "")
	if err != nil {
		return err
	}
	schoolbag, err := need(vs[1], homes[vs[1]][1], "新书包和文具", "两个孩子开学需要书包和文具。", "goods", "200", "书包 2 个、文具 2 套")
	if err != nil {
		return err
	}
	repair, err := need(vs[2], 0, "村文化室屋顶修缮", "文化室屋顶漏雨,需要防水修缮服务。", "service", "3000", "屋顶防水修缮")
	if err != nil {
		return err
	}
	if _, err := need(vs[2], homes[vs[2]][0], "残疾辅具", "户主需要一副助行器。", "money", "600", ""); err != nil {
		return err
	}

	// pledges: the enterprise for the tuition and the treatment, a person from the portal for the schoolbags
	g.at(-22)
	pl, err := s.CreatePledge(ctx, p, giving.PledgeInput{DonorID: firm.ID, NeedID: &tuition.ID, Kind: "money", AmountYuan: "800"})
	if err != nil {
		return err
	}
	if _, err := s.CreatePledge(ctx, p, giving.PledgeInput{DonorID: firm.ID, NeedID: &medical.ID, Kind: "money", AmountYuan: "1500",
		DueOn: g.today.AddDate(0, 1, 0).Format(db.DateLayout)}); err != nil {
		return err
	}
	sq := s.SelfQuery
	if sq == nil {
		sq = &selfquery.Service{DB: g.d}
	}
	c, answer, err := sq.NewCaptchaWithAnswer(ctx)
	if err != nil {
		return err
	}
	if _, err := s.PublicPledge(ctx, "demo-portal-"+code, giving.PublicPledgeInput{Name: "李晓红", Phone: "13655556666", NeedID: schoolbag.ID,
		Kind: "goods", Goods: "书包 2 个、文具 2 套", CaptchaToken: c.Token, CaptchaAnswer: selfquery.Answer(answer)}); err != nil {
		return err
	}
	g.sum.Donors++
	if _, err := s.CloseNeed(ctx, p, repair.ID, giving.ReasonInput{Version: repair.Version, Reason: "已纳入村级公益项目统一实施"}); err != nil {
		return err
	}

	// money: the tuition paid to its household; a general donation to the county paid to four
	// households across the villages, part left
	received := g.at(-20)
	tu, err := s.CreateDonation(ctx, p, giving.DonationInput{DonorID: firm.ID, PledgeID: &pl.ID, Kind: "money", AmountYuan: "800",
		ReceivedOn: received, Purpose: "资助学费"})
	if err != nil {
		return err
	}
	general, err := s.CreateDonation(ctx, p, giving.DonationInput{DonorID: charity.ID, Kind: "money", RegionCode: code, AmountYuan: "5000",
		ReceivedOn: received, Purpose: "困难群众帮扶"})
	if err != nil {
		return err
	}
	goods, err := s.CreateDonation(ctx, p, giving.DonationInput{DonorID: named.ID, Kind: "goods", RegionCode: code, Goods: "大米(25 公斤/袋)",
		Quantity: 20, ValueYuan: "2400", ReceivedOn: received, Purpose: "冬季慰问"})
	if err != nil {
		return err
	}
	g.sum.Donations += 3

	on := g.at(-10)
	if _, err := s.Disburse(ctx, p, tu.ID, giving.DisburseInput{Version: tu.Version, OnDate: on,
		Lines: []giving.DisburseLine{{HouseholdID: homes[vs[0]][0], AmountYuan: "800"}}}); err != nil {
		return err
	}
	reached := map[int64]bool{homes[vs[0]][0]: true}
	lines := []giving.DisburseLine{}
	for i, hh := range []int64{homes[vs[0]][2], homes[vs[1]][2], homes[vs[2]][1], homes[vs[2]][2]} {
		lines = append(lines, giving.DisburseLine{HouseholdID: hh, AmountYuan: money.FormatPlain(int64(80000 + 10000*i))})
		reached[hh] = true
	}
	if _, err := s.Disburse(ctx, p, general.ID, giving.DisburseInput{Version: general.Version, OnDate: on, Lines: lines}); err != nil {
		return err
	}
	// goods: two deliveries in two villages, half of the rice still in store
	for _, dl := range []struct {
		hh  int64
		qty int64
	}{{homes[vs[0]][1], 6}, {homes[vs[1]][1], 4}} {
		if _, err := s.CreateDelivery(ctx, p, goods.ID, giving.DeliveryInput{HouseholdID: dl.hh, Quantity: dl.qty, DeliveredOn: on, SignedBy: "户主本人"}, nil, nil); err != nil {
			return err
		}
		reached[dl.hh] = true
	}
	g.sum.Households += len(reached)
	return nil
}
