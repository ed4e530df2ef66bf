package oversight

import (
	"context"
	"fmt"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/visits"
)

// visitChecks maps the fake-visit signal kinds (visit_signals.kind) to their checks.
var visitChecks = []struct{ kind, check, what string }{
	{visits.SignalFarFromHome, CheckVisitFarFromHome, "定位偏离住址"},
	{visits.SignalSamePhoto, CheckVisitSamePhoto, "照片与其他走访相同"},
	{visits.SignalLateRecord, CheckVisitLateRecord, "补录时间异常"},
	{visits.SignalImpossibleTravel, CheckVisitImpossibleTravel, "轨迹不可能"},
}

type visitSignalEvidence struct {
	Kind         string  `json:"kind"`
	OtherVisitID int64   `json:"other_visit_id"`
	Value        float64 `json:"value"`
	Detail       string  `json:"detail"`
}

type visitEvidence struct {
	VisitID     int64                 `json:"visit_id"`
	HouseholdID int64                 `json:"household_id"`
	HouseholdNo string                `json:"household_no"`
	HeadName    string                `json:"head_name"`
	HelperName  string                `json:"helper_name"`
	VisitedAt   string                `json:"visited_at"`
	RecordedAt  string                `json:"recorded_at"`
	Signals     []visitSignalEvidence `json:"signals"`
}

// evalVisits turns the fake-visit signs the visits package computed (visit_signals) into
// findings: one per visit and sign kind, keyed by the visit, with every sign of that kind on
// the visit as evidence (same_photo may match several other visits).
func evalVisits(ctx context.Context, in *evalInput, emit func(Finding)) error {
	var kinds []any
	byKind := map[string]*Rule{}
	what := map[string]string{}
	for _, vc := range visitChecks {
		if r := in.rule(vc.check); r != nil {
			kinds = append(kinds, vc.kind)
			byKind[vc.kind], what[vc.kind] = r, vc.what
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	args := append([]any{in.Lo, in.Hi}, kinds...)
	rows, err := in.Q.QueryContext(ctx, `SELECT s.visit_id, s.kind, COALESCE(s.other_visit_id, 0), s.value, s.detail,
		v.region_code, v.household_id, v.visited_at, v.recorded_at, h.household_no, h.head_name, COALESCE(e.name, '')
		FROM visit_signals s JOIN visits v ON v.id = s.visit_id JOIN households h ON h.id = v.household_id
		LEFT JOIN helpers e ON e.id = v.helper_id
		WHERE s.region_code BETWEEN ? AND ? AND s.kind IN (`+qmarks(len(kinds))+`)
		ORDER BY s.visit_id, s.kind, COALESCE(s.other_visit_id, 0), s.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur *visitEvidence
	var curKind, curRegion string
	flush := func() {
		if cur == nil {
			return
		}
		r := byKind[curKind]
		details := make([]string, 0, len(cur.Signals))
		for _, s := range cur.Signals {
			if s.Detail != "" && !hasString(details, s.Detail) {
				details = append(details, s.Detail)
			}
		}
		helper := cur.HelperName
		if helper == "" {
			helper = "帮扶责任人"
		}
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:visit=%d", r.Key, cur.VisitID), RegionCode: curRegion,
			EntityType: "visit", EntityID: cur.VisitID, HouseholdID: cur.HouseholdID,
			Explanation: fmt.Sprintf("%s %s 对户 %s(户主 %s)的走访%s:%s", helper, db.Date(db.ParseTime(cur.VisitedAt)),
				cur.HouseholdNo, cur.HeadName, what[curKind], strings.Join(details, ";")),
			Evidence: evidence(cur)})
		cur = nil
	}
	for rows.Next() {
		var s visitSignalEvidence
		var e visitEvidence
		var region string
		if err := rows.Scan(&e.VisitID, &s.Kind, &s.OtherVisitID, &s.Value, &s.Detail, &region, &e.HouseholdID, &e.VisitedAt,
			&e.RecordedAt, &e.HouseholdNo, &e.HeadName, &e.HelperName); err != nil {
			return err
		}
		if cur == nil || cur.VisitID != e.VisitID || curKind != s.Kind {
			flush()
			cur, curKind, curRegion = &e, s.Kind, region
		}
		// A sign recorded twice (a mirror) counts once.
		if n := len(cur.Signals); n == 0 || cur.Signals[n-1] != s {
			cur.Signals = append(cur.Signals, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	flush()
	return nil
}

func hasString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
