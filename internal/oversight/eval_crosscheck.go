package oversight

import (
	"context"
	"fmt"
)

type doubtEvidence struct {
	DoubtID      int64  `json:"doubt_id"`
	HouseholdID  int64  `json:"household_id"`
	HouseholdNo  string `json:"household_no"`
	HeadName     string `json:"head_name"`
	RuleKey      string `json:"rule_key"`
	RuleLabel    string `json:"rule_label"`
	DispatchedAt string `json:"dispatched_at"`
	Deadline     string `json:"deadline"`
	HelperName   string `json:"helper_name"`
	GraceDays    int    `json:"grace_days"`
}

// evalCrosscheck: a cross-check doubt dispatched for verification and still not verified
// grace_days after its deadline (deadline + grace_days < today).
func evalCrosscheck(ctx context.Context, in *evalInput, emit func(Finding)) error {
	r := in.rule(CheckDoubtOverdue)
	if r == nil {
		return nil
	}
	cutoff := addDays(in.today(), -r.Params.GraceDays)
	rows, err := in.Q.QueryContext(ctx, `SELECT d.id, d.household_id, d.region_code, d.rule_key, d.rule_label,
		COALESCE(d.dispatched_at, ''), d.deadline, h.household_no, h.head_name, COALESCE(e.name, '')
		FROM doubts d JOIN households h ON h.id = d.household_id LEFT JOIN helpers e ON e.id = d.helper_id
		WHERE d.status = 'dispatched' AND d.region_code BETWEEN ? AND ? AND d.deadline < ?
		ORDER BY d.id`, in.Lo, in.Hi, cutoff)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e doubtEvidence
		var region string
		if err := rows.Scan(&e.DoubtID, &e.HouseholdID, &region, &e.RuleKey, &e.RuleLabel, &e.DispatchedAt, &e.Deadline,
			&e.HouseholdNo, &e.HeadName, &e.HelperName); err != nil {
			return err
		}
		e.GraceDays = r.Params.GraceDays
		who := ""
		if e.HelperName != "" {
			who = ",核查人 " + e.HelperName
		}
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:doubt=%d", r.Key, e.DoubtID), RegionCode: region,
			EntityType: "doubt", EntityID: e.DoubtID, HouseholdID: e.HouseholdID,
			Explanation: fmt.Sprintf("户 %s(户主 %s)的比对疑点「%s」已派发核查%s,核查期限 %s 已过且超过 %d 天宽限期仍未办结",
				e.HouseholdNo, e.HeadName, e.RuleLabel, who, e.Deadline, e.GraceDays),
			Evidence: evidence(e)})
	}
	return rows.Err()
}
