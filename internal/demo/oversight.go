package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/oversight"
)

// OversightSummary is what Oversight planted.
type OversightSummary struct {
	Complaints int
	Cases      int
	SpotPlans  int
}

// Oversight gives the complaint desk and the accountability cases something to show, in the
// first county of the demo city: complaints from every channel (portal, kiosk, hotline, staff,
// field), the first, second and third complaint on one matter, one replied, rated and closed,
// one overdue, one forwarded to the discipline commission, and two accountability cases (one
// citing a complaint, one an alert when the early-warning run raised any). It does nothing
// when complaints exist already. Run it after the alert run.
func Oversight(ctx context.Context, s *oversight.Service, d *db.DB) (OversightSummary, error) {
	var sum OversightSummary
	q := d.Reader()
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM complaints`).Scan(&n); err != nil || n > 0 {
		return sum, err
	}
	var villages []string
	rows, err := q.QueryContext(ctx, `SELECT code FROM regions WHERE level = 'village' ORDER BY code LIMIT 3`)
	if err != nil {
		return sum, err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return sum, err
		}
		villages = append(villages, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(villages) == 0 {
		return sum, err
	}
	for len(villages) < 3 {
		villages = append(villages, villages[0])
	}
	county := villages[0][:6]
	user := func(role auth.Role) (*auth.Principal, error) {
		p := &auth.Principal{Username: string(role) + "_" + county}
		var r string
		err := q.QueryRowContext(ctx, `SELECT id, display_name, role, scope_code FROM users WHERE username = ?`, p.Username).
			Scan(&p.UserID, &p.Name, &r, &p.Scope)
		p.Role = auth.Role(r)
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", p.Username, err)
		}
		return p, nil
	}
	office, err := user(auth.PovertyOffice)
	if err != nil {
		return sum, err
	}
	finance, err := user(auth.Finance)
	if err != nil {
		return sum, err
	}
	discipline, err := user(auth.Discipline)
	if err != nil {
		return sum, err
	}
	code := func(res oversight.LodgeResult) (int64, error) {
		c, _ := oversight.ParseTrackingCode(res.TrackingCode)
		var id int64
		err := q.QueryRowContext(ctx, `SELECT id FROM complaints WHERE tracking_code = ?`, c).Scan(&id)
		return id, err
	}
	version := func(id int64) int64 {
		var v int64
		_ = q.QueryRowContext(ctx, `SELECT version FROM complaints WHERE id = ?`, id).Scan(&v)
		return v
	}

	// An overdue complaint: lodged and assigned thirty days ago, never answered.
	clock := d.Clock
	d.Clock = func() time.Time { return clock().AddDate(0, 0, -30) }
	old, err := s.LodgePublic(ctx, "demo-portal-4", oversight.PublicComplaintInput{Channel: oversight.ChannelPortal, Anonymous: true,
		Category: "project", RegionCode: villages[2], Subject: "村道硬化工程质量差", EntityRef: "村道硬化工程",
		Content: "去年修的村道已经多处开裂,施工时偷工减料,请派人核查。"})
	if err == nil {
		var id int64
		if id, err = code(old); err == nil {
			_, err = s.AssignComplaint(ctx, office, id, oversight.AssignInput{Department: string(auth.Department), Version: version(id)})
		}
	}
	d.Clock = clock
	if err != nil {
		return sum, fmt.Errorf("demo overdue complaint: %w", err)
	}
	sum.Complaints++

	// One matter, three complaints: portal (named), kiosk (anonymous), hotline.
	matter := "张某某家低保金"
	first, err := s.LodgePublic(ctx, "demo-portal-1", oversight.PublicComplaintInput{Channel: oversight.ChannelPortal, Name: "王建国",
		Phone: "13851230001", Category: "funds", RegionCode: villages[0], Subject: "低保金发放不到位", EntityRef: matter,
		Content: "张某某家是低保户,今年上半年的低保金一直没有到账,村里说已经发了。"})
	if err != nil {
		return sum, fmt.Errorf("demo complaint: %w", err)
	}
	if _, err := s.LodgePublic(ctx, "demo-kiosk-1", oversight.PublicComplaintInput{Channel: oversight.ChannelKiosk, Anonymous: true,
		Category: "funds", RegionCode: villages[0], Subject: "低保金被截留", EntityRef: matter,
		Content: "张某某家的低保金被村里截留,至今未发到户。"}); err != nil {
		return sum, fmt.Errorf("demo complaint: %w", err)
	}
	if _, err := s.Lodge(ctx, office, oversight.ComplaintInput{Channel: oversight.ChannelHotline, Name: "李秀英", Phone: "13951230002",
		Category: "funds", RegionCode: villages[0], Subject: "再次反映低保金问题", EntityRef: matter, EntityType: "household",
		Content: "第三次反映:张某某家低保金仍未到账,请尽快处理。"}); err != nil {
		return sum, fmt.Errorf("demo complaint: %w", err)
	}
	sum.Complaints += 3
	// The first is assigned to finance, answered, rated by the complainant and closed.
	id, err := code(first)
	if err == nil {
		_, err = s.AssignComplaint(ctx, office, id, oversight.AssignInput{Department: string(auth.Finance), AssigneeID: finance.UserID,
			DeadlineDays: 10, Version: version(id)})
	}
	if err == nil {
		_, err = s.ReplyComplaint(ctx, finance, id, oversight.ReplyInput{Version: version(id),
			Reply: "经核查,该户上半年低保金因银行账户变更退回,已于本周重新发放到户。感谢您的监督。"})
	}
	if err == nil {
		_, err = s.RateComplaint(ctx, first.TrackingCode, oversight.RatingInput{Satisfaction: "satisfied"})
	}
	if err == nil {
		_, err = s.CloseComplaint(ctx, office, id, oversight.VersionInput{Version: version(id)})
	}
	if err != nil {
		return sum, fmt.Errorf("demo complaint handling: %w", err)
	}

	// Field (a helper on a visit) and staff (a letter) complaints; the letter concerns a
	// cadre's conduct and goes to the discipline commission.
	// A helper lodges only for a household assigned to them: the first helper with a field
	// account and an open assignment in the county (the office enters it when there is none).
	field := oversight.ComplaintInput{Channel: oversight.ChannelField, Anonymous: true, Category: "visit",
		Subject: "希望增加走访次数", Content: "老人独居,反映帮扶干部来得少,希望每月能来看看。"}
	lodger := office
	var fieldUser int64
	var householdNo string
	err = q.QueryRowContext(ctx, `SELECT u.id, h.household_no FROM helpers e JOIN users u ON u.id = e.user_id
		JOIN assignments a ON a.helper_id = e.id AND a.to_date IS NULL JOIN households h ON h.id = a.household_id
		WHERE e.active = 1 AND u.disabled = 0 AND u.role = ? AND h.status <> 'removed' AND h.region_code LIKE ?
		ORDER BY h.id LIMIT 1`, string(auth.Helper), county+"%").Scan(&fieldUser, &householdNo)
	switch {
	case err == nil:
		var r string
		p := &auth.Principal{UserID: fieldUser}
		if err := q.QueryRowContext(ctx, `SELECT username, display_name, role, scope_code FROM users WHERE id = ?`, fieldUser).
			Scan(&p.Username, &p.Name, &r, &p.Scope); err != nil {
			return sum, err
		}
		p.Role = auth.Role(r)
		lodger = p
		field.EntityType, field.EntityRef = "household", householdNo
	case errors.Is(err, sql.ErrNoRows):
		field.RegionCode = villages[1]
	default:
		return sum, err
	}
	if _, err := s.Lodge(ctx, lodger, field); err != nil {
		return sum, fmt.Errorf("demo field complaint: %w", err)
	}
	letter, err := s.Lodge(ctx, office, oversight.ComplaintInput{Channel: oversight.ChannelStaff, Name: "陈志强", Phone: "0515-88812345",
		Category: "conduct", RegionCode: villages[1], Subject: "村干部优亲厚友", EntityRef: "村委会主任", EntityType: "person",
		Content: "来信反映:村委会主任将其亲属纳入帮扶对象并多次领取产业补贴。"})
	if err == nil {
		_, err = s.ForwardComplaint(ctx, office, letter.ID, oversight.ForwardInput{Note: "涉嫌优亲厚友,移送纪委监委调查", Version: version(letter.ID)})
	}
	if err != nil {
		return sum, fmt.Errorf("demo staff complaint: %w", err)
	}
	if _, err := s.LodgePublic(ctx, "demo-portal-2", oversight.PublicComplaintInput{Channel: oversight.ChannelPortal, Anonymous: true,
		Category: "identification", RegionCode: villages[1], Subject: "贫困户认定不公",
		Content: "邻居家有两套房和一辆小汽车,却被认定为监测对象,请核实。"}); err != nil {
		return sum, fmt.Errorf("demo complaint: %w", err)
	}
	sum.Complaints += 3

	// Two accountability cases.
	today := db.Date(d.Clock())
	decided := db.Date(d.Clock().AddDate(0, 0, -3))
	if decided > today {
		decided = today
	}
	if _, err := s.CreateCase(ctx, discipline, oversight.CaseInput{RegionCode: villages[1], PersonName: "周某", PersonPosition: "村委会主任",
		PersonUnit: "村民委员会", Violation: "在帮扶对象认定中优亲厚友,违规为亲属申领产业补贴", Handling: "party", DecidedOn: decided,
		ComplaintID: letter.ID, Note: "党内警告处分,追回补贴"}); err != nil {
		return sum, fmt.Errorf("demo case: %w", err)
	}
	var alertID int64
	var alertRegion string
	lo, hi := county+"000000", county+"999999"
	_ = q.QueryRowContext(ctx, `SELECT id, region_code FROM alerts WHERE region_code BETWEEN ? AND ? ORDER BY id LIMIT 1`, lo, hi).Scan(&alertID, &alertRegion)
	in := oversight.CaseInput{RegionCode: villages[0], PersonName: "吴某", PersonPosition: "乡镇民政助理员", PersonUnit: "镇人民政府",
		Violation: "对资金发放预警核查不及时,逾期未办结", Handling: "talk", DecidedOn: decided, Note: "谈话提醒,限期整改"}
	if alertID > 0 {
		in.AlertID, in.RegionCode = alertID, alertRegion
	}
	if _, err := s.CreateCase(ctx, discipline, in); err != nil {
		return sum, fmt.Errorf("demo case: %w", err)
	}
	sum.Cases = 2
	// A 双随机 spot check of the county's registered households, committed and drawn, with the
	// first target's finding recorded: the planner and its verification have something to show.
	civil, err := user(auth.CivilAffairs)
	if err != nil {
		return sum, err
	}
	plan, err := s.CreateSpotPlan(ctx, discipline, oversight.SpotPlanInput{Title: "在档户帮扶落实情况抽查", RegionCode: county + "000000",
		TargetKind: "household", Filter: oversight.SpotFilter{Status: "registered"}, SampleSize: 10, InspectorsPerTarget: 2,
		InspectorIDs: []int64{office.UserID, discipline.UserID, civil.UserID, finance.UserID}})
	if err != nil {
		return sum, fmt.Errorf("demo spot plan: %w", err)
	}
	if plan, err = s.DrawSpotPlan(ctx, discipline, plan.ID); err != nil {
		return sum, fmt.Errorf("demo spot draw: %w", err)
	}
	if _, err = s.RecordSpotFinding(ctx, discipline, plan.ID, 0, oversight.SpotFindingInput{Result: "ok",
		Finding: "入户核实:帮扶责任人本季度已走访,两不愁三保障无缺项"}); err != nil {
		return sum, fmt.Errorf("demo spot finding: %w", err)
	}
	sum.SpotPlans = 1
	return sum, nil
}
