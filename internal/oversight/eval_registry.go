package oversight

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/idcard"
	"sunshine/internal/visits"
)

// evalRegistry runs the registry checks: deceased_listed, no_helper, weak_village_no_team and
// quarter_no_visit, each one set-based query over the run's region range.
func evalRegistry(ctx context.Context, in *evalInput, emit func(Finding)) error {
	for _, step := range []func(context.Context, *evalInput, func(Finding)) error{
		evalDeceasedListed, evalNoHelper, evalWeakVillage, evalQuarterNoVisit,
	} {
		if err := step(ctx, in, emit); err != nil {
			return err
		}
	}
	return nil
}

type deceasedEvidence struct {
	MemberID    int64  `json:"member_id"`
	HouseholdID int64  `json:"household_id"`
	HouseholdNo string `json:"household_no"`
	Name        string `json:"name"`
	IDNumber    string `json:"id_number"` // masked
	DeceasedOn  string `json:"deceased_on"`
	Source      string `json:"source"` // registry | death dataset
}

// evalDeceasedListed: an active member of a registered household whose death is recorded in the
// registry (members.deceased_on) or, when the facts are loaded, in the death dataset.
func evalDeceasedListed(ctx context.Context, in *evalInput, emit func(Finding)) error {
	r := in.rule(CheckDeceasedListed)
	if r == nil {
		return nil
	}
	// Without the death dataset only members with a recorded death can fire: read just those.
	only := ""
	if !factsHaveDeaths(in.Facts) {
		only = " AND m.deceased_on IS NOT NULL"
	}
	rows, err := in.Q.QueryContext(ctx, `SELECT m.id, m.household_id, m.region_code, m.name, m.id_number, COALESCE(m.deceased_on, ''), h.household_no
		FROM members m JOIN households h ON h.id = m.household_id
		WHERE m.region_code BETWEEN ? AND ? AND m.active = 1 AND h.status = 'registered'`+only+`
		ORDER BY m.id`, in.Lo, in.Hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e deceasedEvidence
		var region, id string
		if err := rows.Scan(&e.MemberID, &e.HouseholdID, &region, &e.Name, &id, &e.DeceasedOn, &e.HouseholdNo); err != nil {
			return err
		}
		e.Source = "registry"
		if e.DeceasedOn == "" {
			d, ok := factsDeathDate(in.Facts, id)
			if !ok || d > in.today() {
				continue
			}
			e.DeceasedOn, e.Source = d, "death_dataset"
		}
		e.IDNumber = idcard.Mask(id)
		src := "户籍档案记载"
		if e.Source != "registry" {
			src = "死亡数据比对显示"
		}
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:member=%d", r.Key, e.MemberID), RegionCode: region,
			EntityType: "member", EntityID: e.MemberID, HouseholdID: e.HouseholdID,
			Explanation: fmt.Sprintf("户 %s 成员 %s(%s)%s已于 %s 死亡,仍为在档户的在册成员", e.HouseholdNo, e.Name, e.IDNumber, src, e.DeceasedOn),
			Evidence:    evidence(e)})
	}
	return rows.Err()
}

type noHelperEvidence struct {
	HouseholdID  int64  `json:"household_id"`
	HouseholdNo  string `json:"household_no"`
	HeadName     string `json:"head_name"`
	RegisteredOn string `json:"registered_on"`
	LastHelperTo string `json:"last_helper_to"` // "" when never assigned
	GraceDays    int    `json:"grace_days"`
}

// evalNoHelper: a registered household registered more than grace_days ago with no current
// helper (no assignment with to_date NULL).
func evalNoHelper(ctx context.Context, in *evalInput, emit func(Finding)) error {
	r := in.rule(CheckNoHelper)
	if r == nil {
		return nil
	}
	cutoff := addDays(in.today(), -r.Params.GraceDays)
	rows, err := in.Q.QueryContext(ctx, `SELECT h.id, h.household_no, h.head_name, h.region_code, h.registered_on,
		(SELECT MAX(a.to_date) FROM assignments a WHERE a.household_id = h.id)
		FROM households h
		WHERE h.status = 'registered' AND h.region_code BETWEEN ? AND ? AND h.registered_on < ?
		AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.household_id = h.id AND a.to_date IS NULL)
		ORDER BY h.id`, in.Lo, in.Hi, cutoff)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e noHelperEvidence
		var region string
		var last sql.NullString
		if err := rows.Scan(&e.HouseholdID, &e.HouseholdNo, &e.HeadName, &region, &e.RegisteredOn, &last); err != nil {
			return err
		}
		e.LastHelperTo, e.GraceDays = last.String, r.Params.GraceDays
		why := "从未落实帮扶责任人"
		if e.LastHelperTo != "" {
			why = "原帮扶责任人已于 " + e.LastHelperTo + " 解除,未重新落实"
		}
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:hh=%d", r.Key, e.HouseholdID), RegionCode: region,
			EntityType: "household", EntityID: e.HouseholdID, HouseholdID: e.HouseholdID,
			Explanation: fmt.Sprintf("在档户 %s(户主 %s)于 %s 纳入,%s,已超过 %d 天宽限期", e.HouseholdNo, e.HeadName, e.RegisteredOn, why, e.GraceDays),
			Evidence:    evidence(e)})
	}
	return rows.Err()
}

type weakVillageEvidence struct {
	Village         string `json:"village"`
	Name            string `json:"name"`
	WeakLevel       string `json:"weak_level"`
	WeakLax         bool   `json:"weak_lax"`
	LastTeamTo      string `json:"last_team_to"`      // "" when none ever
	LastSecretaryTo string `json:"last_secretary_to"` // "" when none ever
}

// openEnded stands for a work team's open to_date while finding the latest.
const openEnded = "9999-12-31"

var weakLevelLabels = map[string]string{"province_200": "省定200个重点帮扶村", "province_60": "省定60个重点帮扶村",
	"city": "市定经济薄弱村", "county": "县定经济薄弱村"}

// evalWeakVillage: a designated weak (or 软弱涣散) village with neither a work team in office
// (from_date ≤ today, to_date NULL or ≥ today) nor a first secretary whose term covers today.
func evalWeakVillage(ctx context.Context, in *evalInput, emit func(Finding)) error {
	r := in.rule(CheckWeakVillageNoTeam)
	if r == nil {
		return nil
	}
	today := in.today()
	rows, err := in.Q.QueryContext(ctx, `SELECT g.code, g.name, g.weak_level, g.weak_lax,
		(SELECT MAX(COALESCE(t.to_date, '`+openEnded+`')) FROM work_teams t WHERE t.region_code = g.code),
		(SELECT MAX(f.term_to) FROM first_secretaries f WHERE f.region_code = g.code)
		FROM regions g
		WHERE g.code BETWEEN ? AND ? AND g.level = 'village' AND (g.weak_level <> '' OR g.weak_lax = 1)
		AND NOT EXISTS (SELECT 1 FROM work_teams t WHERE t.region_code = g.code AND t.from_date <= ? AND (t.to_date IS NULL OR t.to_date >= ?))
		AND NOT EXISTS (SELECT 1 FROM first_secretaries f WHERE f.region_code = g.code AND f.term_from <= ? AND f.term_to >= ?)
		ORDER BY g.code`, in.Lo, in.Hi, today, today, today, today)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e weakVillageEvidence
		var lax int
		var team, sec sql.NullString
		if err := rows.Scan(&e.Village, &e.Name, &e.WeakLevel, &lax, &team, &sec); err != nil {
			return err
		}
		e.WeakLax, e.LastTeamTo, e.LastSecretaryTo = lax == 1, team.String, sec.String
		kind := weakLevelLabels[e.WeakLevel]
		if e.WeakLax {
			if kind != "" {
				kind += "、"
			}
			kind += "软弱涣散村"
		}
		facts := "未派驻帮扶工作队"
		switch {
		case e.LastTeamTo == openEnded:
			e.LastTeamTo, facts = "", "帮扶工作队尚未到任"
		case e.LastTeamTo != "":
			facts = "帮扶工作队已于 " + e.LastTeamTo + " 撤离"
		}
		if e.LastSecretaryTo != "" {
			facts += ",第一书记任期已于 " + e.LastSecretaryTo + " 届满"
		} else {
			facts += ",未选派第一书记"
		}
		code, _ := strconv.ParseInt(e.Village, 10, 64)
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:village=%s", r.Key, e.Village), RegionCode: e.Village,
			EntityType: "village", EntityID: code,
			Explanation: fmt.Sprintf("%s为%s,截至 %s %s", e.Name, kind, today, facts),
			Evidence:    evidence(e)})
	}
	return rows.Err()
}

type quarterEvidence struct {
	HouseholdID  int64  `json:"household_id"`
	HouseholdNo  string `json:"household_no"`
	HeadName     string `json:"head_name"`
	Status       string `json:"status"`
	Quarter      string `json:"quarter"`
	HelperName   string `json:"helper_name"`
	LastVisitAt  string `json:"last_visit_at"` // "" when never visited
	RegisteredOn string `json:"registered_on"`
}

// lastCompleteQuarter is the last quarter that ended more than graceDays before at ("2026Q2").
func lastCompleteQuarter(at time.Time, graceDays int) string {
	cur := visits.QuarterOf(at.AddDate(0, 0, -graceDays))
	start, _, _ := visits.QuarterBounds(cur)
	return visits.QuarterOf(start.Add(-time.Hour))
}

// evalQuarterNoVisit: a household owed visits (registered, or exited with the policy running
// at the quarter's start — as the visits console counts them) registered before the last
// complete quarter began, without a visit in that quarter. The quarter counts as complete
// grace_days after it ended (late syncs).
func evalQuarterNoVisit(ctx context.Context, in *evalInput, emit func(Finding)) error {
	r := in.rule(CheckQuarterNoVisit)
	if r == nil {
		return nil
	}
	q := lastCompleteQuarter(in.At, r.Params.GraceDays)
	first, _, err := visits.QuarterDates(q)
	if err != nil {
		return err
	}
	rows, err := in.Q.QueryContext(ctx, `SELECT h.id, h.household_no, h.head_name, h.region_code, h.status, h.registered_on,
		COALESCE(e.name, ''), (SELECT MAX(l.visited_at) FROM visits l WHERE l.household_id = h.id)
		FROM households h
		LEFT JOIN assignments a ON a.household_id = h.id AND a.to_date IS NULL
		LEFT JOIN helpers e ON e.id = a.helper_id
		WHERE h.status IN ('registered', 'exited') AND h.region_code BETWEEN ? AND ?
		AND (h.status = 'registered' OR h.policy_until >= ?) AND h.registered_on < ?
		AND h.id NOT IN (SELECT v.household_id FROM visits v WHERE v.region_code BETWEEN ? AND ? AND v.quarter = ?)
		ORDER BY h.id`, in.Lo, in.Hi, first, first, in.Lo, in.Hi, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e quarterEvidence
		var region string
		var last sql.NullString
		if err := rows.Scan(&e.HouseholdID, &e.HouseholdNo, &e.HeadName, &region, &e.Status, &e.RegisteredOn, &e.HelperName, &last); err != nil {
			return err
		}
		e.Quarter = q
		lastText := "从未走访"
		if last.Valid {
			e.LastVisitAt = last.String
			lastText = "最近一次走访为 " + db.Date(db.ParseTime(last.String))
		}
		helper := "未落实帮扶责任人"
		if e.HelperName != "" {
			helper = "帮扶责任人 " + e.HelperName
		}
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:hh=%d:q=%s", r.Key, e.HouseholdID, q), RegionCode: region,
			EntityType: "household", EntityID: e.HouseholdID, HouseholdID: e.HouseholdID,
			Explanation: fmt.Sprintf("户 %s(户主 %s)%s 无走访记录(%s,%s)", e.HouseholdNo, e.HeadName, q, helper, lastText),
			Evidence:    evidence(e)})
	}
	return rows.Err()
}

// factsHaveDeaths: the facts hold death dataset rows (else only recorded deaths can fire).
func factsHaveDeaths(f *personFacts) bool { return f != nil && len(f.deaths) > 0 }

// factsDeathDate is the death dataset's date (YYYY-MM-DD) for an ID number.
func factsDeathDate(f *personFacts, id string) (string, bool) {
	k, ok := idcard.Pack(id)
	if !ok {
		return "", false
	}
	d, ok := f.Death(k)
	if !ok || d.Day == 0 {
		return "", false
	}
	return ymdText(d.Day), true
}
