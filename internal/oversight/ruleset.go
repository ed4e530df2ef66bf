package oversight

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// RuleSetInfo is a stored rule set version (or the built-in default, id 0 and version 0) and
// where it applies.
type RuleSetInfo struct {
	ID         int64  `json:"id"`
	RegionCode string `json:"region_code"`
	Version    int64  `json:"version"`
	// Inherited: the set belongs to a region above the one asked about (or is the built-in
	// default); saving from there makes a new set for the caller's own region.
	Inherited  bool       `json:"inherited"`
	Rules      []Rule     `json:"rules"`
	Escalation Escalation `json:"escalation"`
	Note       string     `json:"note"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  *string    `json:"created_at"`
}

// RulesInput is a new version of the caller's rule set.
type RulesInput struct {
	Rules      []Rule      `json:"rules"`
	Escalation *Escalation `json:"escalation"`
	Note       string      `json:"note"`
}

// storedRules is alert_rulesets.rules_json: the rules and the lights' thresholds.
type storedRules struct {
	Rules      []Rule     `json:"rules"`
	Escalation Escalation `json:"escalation"`
}

func regionChain(region string) []any {
	var out []any
	for c := region; c != ""; c = regioncode.Parent(c) {
		out = append(out, c)
	}
	return out
}

func qmarks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

const alertRulesetCols = `id, region_code, version, rules_json, note, created_by_name, created_at`

func scanAlertRuleset(sc interface{ Scan(...any) error }) (RuleSetInfo, error) {
	var r RuleSetInfo
	var js, at string
	if err := sc.Scan(&r.ID, &r.RegionCode, &r.Version, &js, &r.Note, &r.CreatedBy, &at); err != nil {
		return r, err
	}
	r.CreatedAt = &at
	var st storedRules
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		return r, err
	}
	r.Rules, r.Escalation = st.Rules, st.Escalation
	if r.Rules == nil {
		r.Rules = []Rule{}
	}
	return r, nil
}

func defaultRuleSetInfo() RuleSetInfo {
	def := DefaultRules()
	return RuleSetInfo{Version: 0, Inherited: true, Rules: def.Rules, Escalation: def.Escalation, Note: "系统默认规则"}
}

// effectiveAlertRules is the newest version of the most specific set stored for region or a
// region above it (a descendant's code sorts after its ancestors'), else the built-in default.
func effectiveAlertRules(ctx context.Context, q db.Queryer, region string) (RuleSetInfo, error) {
	codes := regionChain(region)
	r, err := scanAlertRuleset(q.QueryRowContext(ctx, `SELECT `+alertRulesetCols+` FROM alert_rulesets WHERE region_code IN (`+
		qmarks(len(codes))+`) ORDER BY region_code DESC, version DESC LIMIT 1`, codes...))
	if errors.Is(err, sql.ErrNoRows) {
		return defaultRuleSetInfo(), nil
	}
	if err != nil {
		return r, err
	}
	r.Inherited = r.RegionCode != region
	return r, nil
}

// engineRegion checks a region parameter ("" = the caller's scope, or the top of the tree for
// the root operator) against the caller's scope for action.
func engineRegion(ctx context.Context, q db.Queryer, p *auth.Principal, action auth.Action, code string) (string, error) {
	if code == "" && p != nil {
		code = p.Scope
		if code == "" && p.Root {
			_ = q.QueryRowContext(ctx, `SELECT code FROM regions WHERE parent_code IS NULL ORDER BY code LIMIT 1`).Scan(&code)
		}
	}
	if !regioncode.Valid(code) {
		return "", errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(action, code); err != nil {
		return "", err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, code).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return "", errs.E(errs.NotFound, "区划 %s 不存在", code)
	}
	return code, nil
}

// Rules is the rule set that applies to a region ("" = the caller's scope).
func (s *Service) Rules(ctx context.Context, p *auth.Principal, region string) (RuleSetInfo, error) {
	q := s.DB.Reader()
	code, err := engineRegion(ctx, q, p, auth.AlertRead, region)
	if err != nil {
		return RuleSetInfo{}, err
	}
	return effectiveAlertRules(ctx, q, code)
}

// RuleVersions lists the stored versions of the sets covering a region, most specific and
// newest first (at most 200), then the built-in default.
func (s *Service) RuleVersions(ctx context.Context, p *auth.Principal, region string) ([]RuleSetInfo, error) {
	q := s.DB.Reader()
	code, err := engineRegion(ctx, q, p, auth.AlertRead, region)
	if err != nil {
		return nil, err
	}
	codes := regionChain(code)
	rows, err := q.QueryContext(ctx, `SELECT `+alertRulesetCols+` FROM alert_rulesets WHERE region_code IN (`+
		qmarks(len(codes))+`) ORDER BY region_code DESC, version DESC LIMIT 200`, codes...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RuleSetInfo{}
	for rows.Next() {
		r, err := scanAlertRuleset(rows)
		if err != nil {
			return nil, err
		}
		r.Inherited = r.RegionCode != code
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return append(out, defaultRuleSetInfo()), nil
}

// SetRules stores a new version of the rule set of the caller's own region, which must be the
// city or a county. Old versions stay; runs name the version they used.
func (s *Service) SetRules(ctx context.Context, p *auth.Principal, in RulesInput) (RuleSetInfo, error) {
	var out RuleSetInfo
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		region, err := engineRegion(ctx, tx, p, auth.AlertRules, "")
		if err != nil {
			return err
		}
		if lv := regioncode.LevelOf(region); lv != regioncode.City && lv != regioncode.County && lv != regioncode.Province {
			return errs.E(errs.Forbidden, "预警规则只能由市级或县级账号修改(您的管辖范围是 %s)", region)
		}
		in.Note = strings.TrimSpace(in.Note)
		if len([]rune(in.Note)) > 500 {
			return errs.Field("note", "说明不超过 500 字")
		}
		if len(in.Rules) == 0 {
			return errs.Missing("rules", "至少需要一条规则")
		}
		esc := DefaultEscalation
		if in.Escalation != nil {
			esc = *in.Escalation
		}
		for i := range in.Rules {
			in.Rules[i].Label = strings.TrimSpace(in.Rules[i].Label)
		}
		if err := (RuleSet{Rules: in.Rules, Escalation: esc}).Validate(); err != nil {
			return err
		}
		prev, err := effectiveAlertRules(ctx, tx, region)
		if err != nil {
			return err
		}
		js, err := json.Marshal(storedRules{Rules: in.Rules, Escalation: esc})
		if err != nil {
			return err
		}
		var version int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM alert_rulesets WHERE region_code = ?`, region).Scan(&version); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		name := p.Name
		if name == "" {
			name = p.Username
		}
		id, err := tx.InsertID(ctx, `INSERT INTO alert_rulesets (region_code, version, rules_json, note, created_by, created_by_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, region, version, string(js), in.Note, p.UserID, name, now)
		if err != nil {
			return err
		}
		out = RuleSetInfo{ID: id, RegionCode: region, Version: version, Rules: in.Rules, Escalation: esc, Note: in.Note, CreatedBy: name, CreatedAt: &now}
		return record(ctx, tx, p, "alert.rules", "alert_ruleset", id, region,
			map[string]any{"ruleset_id": prev.ID, "region_code": prev.RegionCode, "version": prev.Version, "rules": prev.Rules, "escalation": prev.Escalation},
			map[string]any{"version": version, "rules": in.Rules, "escalation": esc, "note": in.Note})
	})
	return out, err
}
