package giving

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/mask"
	"sunshine/internal/phone"
	"sunshine/internal/regioncode"
)

// MaxPublicItems bounds the public lists (the newest first).
const MaxPublicItems = 200

// publicNeed is a need as the public sees it: no household id, the head's name masked.
type publicNeed struct {
	Need
	HouseholdID *int64 `json:"household_id,omitempty"`
}

// publicDelivery is a delivery as the public sees it: no household id, names masked.
type publicDelivery struct {
	Delivery
	HouseholdID int64 `json:"household_id,omitempty"`
}

// PublicTrace is a donation as its donor sees it with the receipt's 查询码: where it went,
// with every household masked.
type PublicTrace struct {
	Donation   Donation         `json:"donation"`
	Reached    []Reach          `json:"reached"`
	Deliveries []publicDelivery `json:"deliveries"`
}

// errNoTrace is the one answer to a wrong receipt number or a wrong key: nothing tells which.
var errNoTrace = errs.E(errs.NotFound, "收据号或查询码不正确")

// regionBounds reads a public region filter: "" is everywhere; an invalid or unknown code is
// not found.
func regionBounds(ctx context.Context, q db.Queryer, code string) (lo, hi string, err error) {
	if code == "" {
		return "000000000000", "999999999999", nil
	}
	if !regioncode.Valid(code) {
		return "", "", errs.E(errs.NotFound, "区划不存在")
	}
	if _, _, err := region(ctx, q, "region", code); err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			return "", "", errs.E(errs.NotFound, "区划不存在")
		}
		return "", "", err
	}
	lo, hi = regioncode.Range(code)
	return lo, hi, nil
}

// summary counts the platform for regions between lo and hi.
func summary(ctx context.Context, q db.Queryer, lo, hi string) (Summary, error) {
	var s Summary
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM giving_needs WHERE region_code BETWEEN ? AND ?),
		(SELECT COUNT(*) FROM giving_needs WHERE region_code BETWEEN ? AND ? AND status IN ('open', 'pledged')),
		(SELECT COUNT(*) FROM giving_needs WHERE region_code BETWEEN ? AND ? AND status = 'fulfilled'),
		(SELECT COUNT(DISTINCT donor_id) FROM giving_donations WHERE region_code BETWEEN ? AND ?),
		(SELECT COUNT(*) FROM giving_donations WHERE region_code BETWEEN ? AND ?),
		(SELECT COALESCE(SUM(amount_fen + value_fen), 0) FROM giving_donations WHERE region_code BETWEEN ? AND ?),
		(SELECT COALESCE(SUM(x.amount_fen), 0) FROM giving_disbursements x JOIN giving_donations g ON g.id = x.donation_id
			WHERE g.region_code BETWEEN ? AND ? AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.reverses_id = x.transfer_id)),
		(SELECT COALESCE(SUM(value_fen), 0) FROM giving_donations WHERE kind = 'goods' AND region_code BETWEEN ? AND ?),
		(SELECT COUNT(*) FROM (SELECT x.household_id FROM giving_disbursements x WHERE x.region_code BETWEEN ? AND ?
			UNION SELECT y.household_id FROM giving_deliveries y WHERE y.region_code BETWEEN ? AND ?) u)`,
		lo, hi, lo, hi, lo, hi, lo, hi, lo, hi, lo, hi, lo, hi, lo, hi, lo, hi, lo, hi).
		Scan(&s.Needs, &s.NeedsOpen, &s.NeedsFulfilled, &s.Donors, &s.Donations, &s.DonatedFen, &s.DisbursedFen, &s.GoodsValueFen, &s.Households)
	return s, err
}

// Summary counts the platform in a region of the caller's scope (their whole scope when
// region is empty).
func (s *Service) Summary(ctx context.Context, p *auth.Principal, code string) (Summary, error) {
	if err := p.Require(auth.SocialRead); err != nil {
		return Summary{}, err
	}
	if code == "" {
		code = p.Scope
	}
	if !p.InScope(code) {
		return Summary{}, errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", code)
	}
	lo, hi := regioncode.Range(code)
	return summary(ctx, s.DB.Reader(), lo, hi)
}

// PublicNeeds lists needs of a region for the public: open ones first, then pledged, then
// fulfilled, newest first within each; closed ones only when asked for.
func (s *Service) PublicNeeds(ctx context.Context, code, status string) ([]publicNeed, error) {
	if status != "" && !slices.Contains(NeedStatuses, status) {
		return nil, errs.Field("status", "未知的状态")
	}
	q := s.DB.Reader()
	lo, hi, err := regionBounds(ctx, q, code)
	if err != nil {
		return nil, err
	}
	cond := "n.status <> 'closed'"
	args := []any{lo, hi}
	if status != "" {
		cond, args = "n.status = ?", append(args, status)
	}
	rows, err := listOf(ctx, q, needSelect+` WHERE n.region_code BETWEEN ? AND ? AND `+cond+`
		ORDER BY CASE n.status WHEN 'open' THEN 0 WHEN 'pledged' THEN 1 WHEN 'fulfilled' THEN 2 ELSE 3 END, n.id DESC LIMIT `+strconv.Itoa(MaxPublicItems), args, scanNeed)
	out := make([]publicNeed, len(rows))
	for i, n := range rows {
		n.HeadName = mask.Name(n.HeadName)
		out[i] = publicNeed{Need: n}
	}
	return out, err
}

// PublicDonations lists the donations received in a region for the public, with its summary.
func (s *Service) PublicDonations(ctx context.Context, code string) ([]Donation, Summary, error) {
	q := s.DB.Reader()
	lo, hi, err := regionBounds(ctx, q, code)
	if err != nil {
		return nil, Summary{}, err
	}
	rows, err := listOf(ctx, q, donationSelect+` WHERE g.region_code BETWEEN ? AND ? ORDER BY g.id DESC LIMIT `+strconv.Itoa(MaxPublicItems),
		[]any{lo, hi}, scanDonation)
	if err != nil {
		return nil, Summary{}, err
	}
	out := make([]Donation, len(rows))
	for i, r := range rows {
		out[i] = r.public()
	}
	sum, err := summary(ctx, q, lo, hi)
	return out, sum, err
}

// cachedJSON answers a public list from the cache (keyed with the write generation).
func (s *Service) cachedJSON(ctx context.Context, key string, load func(context.Context) (any, error)) ([]byte, error) {
	s.init()
	return s.Cache.Get(ctx, strconv.FormatInt(s.gen.Load(), 10)+"|"+key, func(ctx context.Context) ([]byte, error) {
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
}

// PublicNeedsJSON is the encoded public list of needs (cached briefly).
func (s *Service) PublicNeedsJSON(ctx context.Context, code, status string) ([]byte, error) {
	return s.cachedJSON(ctx, "needs|"+code+"|"+status, func(ctx context.Context) (any, error) {
		items, err := s.PublicNeeds(ctx, code, status)
		return map[string]any{"items": items}, err
	})
}

// PublicDonationsJSON is the encoded public list of donations with the summary (cached briefly).
func (s *Service) PublicDonationsJSON(ctx context.Context, code string) ([]byte, error) {
	return s.cachedJSON(ctx, "donations|"+code, func(ctx context.Context) (any, error) {
		items, sum, err := s.PublicDonations(ctx, code)
		return PublicDonations{Items: items, Summary: sum}, err
	})
}

// PublicTrace is the donor's own view of a donation: the receipt number and the 查询码 printed
// on it. A wrong number and a wrong code fail alike (the same error, the same work: a keyed
// hash compared in constant time either way); clientHash is rate-limited first.
func (s *Service) PublicTrace(ctx context.Context, clientHash, receipt, key string) (PublicTrace, error) {
	s.init()
	if !s.TraceLimiter.Allow(clientHash) {
		return PublicTrace{}, errs.E(errs.Throttled, "查询过于频繁,请稍后再试(每小时最多 %d 次)", s.TraceLimiter.PerHour)
	}
	receipt = strings.ToUpper(strings.TrimSpace(receipt))
	key = strings.ToUpper(strings.TrimSpace(key))
	if len(receipt) > 20 || len(key) != QueryKeyLen {
		return PublicTrace{}, errNoTrace
	}
	secret, err := s.SelfQuery.InstallSecret(ctx)
	if err != nil {
		return PublicTrace{}, err
	}
	q := s.DB.Reader()
	var id int64
	var stored string
	err = q.QueryRowContext(ctx, `SELECT id, key_hash FROM giving_donations WHERE receipt_no = ?`, receipt).Scan(&id, &stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return PublicTrace{}, err
	}
	want := keyHash(secret, receipt, key)
	if !hmac.Equal([]byte(want), []byte(stored)) || id == 0 {
		return PublicTrace{}, errNoTrace
	}
	d, err := getDonation(ctx, q, nil, id)
	if err != nil {
		return PublicTrace{}, err
	}
	reached, deliveries, err := trace(ctx, q, id)
	if err != nil {
		return PublicTrace{}, err
	}
	out := PublicTrace{Donation: d.public(), Reached: reached, Deliveries: make([]publicDelivery, len(deliveries))}
	for i := range out.Reached {
		r := &out.Reached[i]
		r.HeadName, r.HouseholdID, r.TransferID = mask.Name(r.HeadName), 0, 0
	}
	for i, dl := range deliveries {
		dl.HeadName, dl.SignedBy = mask.Name(dl.HeadName), mask.Name(dl.SignedBy)
		out.Deliveries[i] = publicDelivery{Delivery: dl}
	}
	return out, nil
}

// PublicPledge records a pledge from the portal: the person as a donor of the need's village
// (anonymous when they ask), the pledge with channel portal. The input is checked first, then
// the client's limit, then the captcha (spent right or wrong), then the need.
func (s *Service) PublicPledge(ctx context.Context, clientHash string, in PublicPledgeInput) (PublicPledgeReceipt, error) {
	s.init()
	v := errs.Validation{}
	name := text(v, "name", in.Name, !in.Anonymous, MaxName)
	mobile := strings.TrimSpace(in.Phone)
	if !phone.Mobile(mobile) {
		v.Add("phone", "请填写 11 位手机号,以便村里与您联系")
	}
	if in.NeedID <= 0 {
		v.Add("need_id", "请选择心愿")
	}
	if !slices.Contains(PledgeKinds, in.Kind) {
		v.Add("kind", "认捐类型应为 money(资金)或 goods(物资)")
	}
	amount := yuan(v, "amount_yuan", in.AmountYuan, in.Kind == "money", in.Kind != "money")
	goods := text(v, "goods", in.Goods, in.Kind == "goods", MaxGoods)
	if strings.TrimSpace(in.CaptchaToken) == "" {
		v.Add("captcha_token", "请先获取验证码")
	}
	if strings.TrimSpace(string(in.CaptchaAnswer)) == "" {
		v.Add("captcha_answer", "请填写验证码的计算结果")
	}
	if err := v.Err(); err != nil {
		return PublicPledgeReceipt{}, err
	}
	if !s.PledgeLimiter.Allow(clientHash) {
		return PublicPledgeReceipt{}, errs.E(errs.Throttled, "提交过于频繁,请稍后再试(每小时最多 %d 次)", s.PledgeLimiter.PerHour)
	}
	if err := s.SelfQuery.VerifyCaptcha(ctx, in.CaptchaToken, string(in.CaptchaAnswer)); err != nil {
		return PublicPledgeReceipt{}, err
	}
	if in.Anonymous && name == "" {
		name = "匿名捐赠人"
	}
	var out PublicPledgeReceipt
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		n, err := getNeed(ctx, tx, nil, in.NeedID)
		if err != nil {
			return errs.Missing("need_id", "心愿不存在")
		}
		checkNeedFor(v, n, in.Kind)
		if err := v.Err(); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		anon := 0
		if in.Anonymous {
			anon = 1
		}
		donor, err := tx.InsertID(ctx, `INSERT INTO giving_donors (kind, name, anonymous, phone, credit_code, region_code, created_by, created_at, updated_at)
			VALUES ('person', ?, ?, ?, '', ?, 0, ?, ?) RETURNING id`, name, anon, mobile, n.RegionCode, now, now)
		if err != nil {
			return err
		}
		id, err := insertPledge(ctx, tx, 0, pledgeFor{donor: donor, need: &n.ID, region: n.RegionCode, kind: in.Kind, goods: goods,
			amount: amount, pledgedOn: db.Date(tx.Now), channel: "portal"})
		if err != nil {
			return err
		}
		out = PublicPledgeReceipt{PledgeID: id, NeedTitle: n.Title, Message: "认捐已登记,感谢您的爱心!村里工作人员将通过您留下的手机号与您联系。"}
		return audit.Record(ctx, tx, audit.Actor{ID: 0, Name: "公众(portal)"}, audit.Change{Action: "giving.pledge.public", EntityType: "giving_pledge",
			EntityID: strconv.FormatInt(id, 10), RegionCode: n.RegionCode,
			After: map[string]any{"need_id": n.ID, "kind": in.Kind, "amount_fen": amount, "goods": goods, "donor": publicName("person", name, in.Anonymous),
				"phone": mask.Phone(mobile), "channel": "portal"}})
	})
	if err != nil {
		return PublicPledgeReceipt{}, err
	}
	s.changed()
	return out, nil
}
