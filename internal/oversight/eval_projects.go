package oversight

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"sunshine/internal/idcard"
	"sunshine/internal/projects"
)

// The projects and assets checks (项目资产), each one set-based query over the run's region
// range:
//   - project_stage_overdue: an active project whose current stage's planned end
//     (projects.stage_due) plus grace_days has passed;
//   - asset_income_undistributed: an asset income still recorded (not distributed) more than
//     days after it was received;
//   - asset_distribution_mismatch: a distributed income whose distribution lines do not add up
//     to it;
//   - asset_distribution_nonbeneficiary: a distribution line paid to a household that is not
//     among the asset's entitled households (asset_beneficiaries).
//
// The projects service refuses the last two at entry (Distribute checks every line's household
// and the sum); the checks are there for data that came in any other way — an import, manual
// SQL, a bug — which is exactly what a supervisor must not take on trust.
//
// Evidence holds what identifies the fault and does not change by itself from day to day (a
// stage's planned end, not the days it is over): an alert closed as unfounded must stay closed
// tomorrow, and a repeat run must find the same evidence hash. The days over are in the
// explanation.
func evalProjects(ctx context.Context, in *evalInput, emit func(Finding)) error {
	for _, step := range []func(context.Context, *evalInput, func(Finding)) error{
		evalStageOverdue, evalIncomeUndistributed, evalDistributionMismatch, evalDistributionNonbeneficiary,
	} {
		if err := step(ctx, in, emit); err != nil {
			return err
		}
	}
	return nil
}

// stageLabel is the stage's name (调研 … 收益分配), or its number when unknown.
func stageLabel(stage int) string {
	for _, s := range projects.Stages {
		if s.Stage == stage {
			return s.Label
		}
	}
	return "第 " + strconv.Itoa(stage) + " 阶段"
}

type stageOverdueEvidence struct {
	ProjectID  int64  `json:"project_id"`
	Code       string `json:"project_code"`
	Name       string `json:"project_name"`
	Kind       string `json:"kind"`
	Stage      int    `json:"stage"`
	StageLabel string `json:"stage_label"`
	StageSince string `json:"stage_since"`
	PlannedEnd string `json:"planned_end"`
	GraceDays  int    `json:"grace_days"`
}

// evalStageOverdue: an active project whose current stage should have ended (stage_due) more
// than grace_days ago: stage_due + grace_days < today. The key names the stage, so the next
// stage running late is a new finding.
func evalStageOverdue(ctx context.Context, in *evalInput, emit func(Finding)) error {
	r := in.rule(CheckProjectStageOverdue)
	if r == nil {
		return nil
	}
	today := in.today()
	cutoff := addDays(today, -r.Params.GraceDays)
	return forRows(ctx, in.Q, `SELECT p.id, p.code, p.name, p.kind, p.region_code, p.stage, p.stage_since, p.stage_due, p.budget_fen
		FROM projects p
		WHERE p.status = 'active' AND p.stage_due IS NOT NULL AND p.stage_due < ? AND p.region_code BETWEEN ? AND ?
		ORDER BY p.id`, []any{cutoff, in.Lo, in.Hi}, func(rows *sql.Rows) error {
		var e stageOverdueEvidence
		var region string
		var budget int64
		if err := rows.Scan(&e.ProjectID, &e.Code, &e.Name, &e.Kind, &region, &e.Stage, &e.StageSince, &e.PlannedEnd, &budget); err != nil {
			return err
		}
		e.StageLabel, e.GraceDays = stageLabel(e.Stage), r.Params.GraceDays
		grace := ""
		if e.GraceDays > 0 {
			grace = fmt.Sprintf("(宽限 %d 天)", e.GraceDays)
		}
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:project=%d:stage=%d", r.Key, e.ProjectID, e.Stage), RegionCode: region,
			EntityType: "project", EntityID: e.ProjectID, AmountFen: budget,
			Explanation: fmt.Sprintf("项目 %s(%s)「%s」阶段计划于 %s 完成,自 %s 进入该阶段,至 %s 已逾期 %d 天%s仍未签署",
				e.Code, e.Name, e.StageLabel, e.PlannedEnd, e.StageSince, today, daysBetween(e.PlannedEnd, today), grace),
			Evidence: evidence(e)})
		return nil
	})
}

type incomeEvidence struct {
	IncomeID   int64  `json:"income_id"`
	AssetID    int64  `json:"asset_id"`
	AssetCode  string `json:"asset_code"`
	AssetName  string `json:"asset_name"`
	ProjectID  int64  `json:"project_id"`
	Year       int    `json:"year"`
	AmountFen  int64  `json:"amount_fen"`
	ReceivedOn string `json:"received_on"`
	FundID     int64  `json:"fund_id"`
	Days       int    `json:"days"`
}

// evalIncomeUndistributed: an asset income still recorded (not distributed) days after it was
// received: received_on + days < today.
func evalIncomeUndistributed(ctx context.Context, in *evalInput, emit func(Finding)) error {
	r := in.rule(CheckAssetIncomeUndistributed)
	if r == nil {
		return nil
	}
	today := in.today()
	cutoff := addDays(today, -r.Params.Days)
	return forRows(ctx, in.Q, `SELECT i.id, i.asset_id, a.code, a.name, a.project_id, i.year, i.amount_fen, i.received_on, i.fund_id, a.region_code
		FROM asset_incomes i JOIN assets a ON a.id = i.asset_id
		WHERE i.status = 'recorded' AND i.received_on < ? AND a.region_code BETWEEN ? AND ?
		ORDER BY i.id`, []any{cutoff, in.Lo, in.Hi}, func(rows *sql.Rows) error {
		var e incomeEvidence
		var region string
		if err := rows.Scan(&e.IncomeID, &e.AssetID, &e.AssetCode, &e.AssetName, &e.ProjectID, &e.Year, &e.AmountFen, &e.ReceivedOn,
			&e.FundID, &region); err != nil {
			return err
		}
		e.Days = r.Params.Days
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:income=%d", r.Key, e.IncomeID), RegionCode: region,
			EntityType: "asset_income", EntityID: e.IncomeID, AmountFen: e.AmountFen,
			Explanation: fmt.Sprintf("资产 %s(%s)%d 年收益 %s 于 %s 到账,已 %d 天(超过 %d 天)仍未分配到户",
				e.AssetCode, e.AssetName, e.Year, yuan(e.AmountFen), e.ReceivedOn, daysBetween(e.ReceivedOn, today), e.Days),
			Evidence: evidence(e)})
		return nil
	})
}

type mismatchEvidence struct {
	IncomeID       int64  `json:"income_id"`
	AssetID        int64  `json:"asset_id"`
	AssetCode      string `json:"asset_code"`
	AssetName      string `json:"asset_name"`
	Year           int    `json:"year"`
	AmountFen      int64  `json:"amount_fen"`
	DistributedFen int64  `json:"distributed_fen"`
	Lines          int    `json:"lines"`
	DistributedOn  string `json:"distributed_on"`
}

// evalDistributionMismatch: an income marked distributed whose distribution lines do not sum to
// it (none at all sums to 0).
func evalDistributionMismatch(ctx context.Context, in *evalInput, emit func(Finding)) error {
	r := in.rule(CheckAssetDistributionMismatch)
	if r == nil {
		return nil
	}
	// Grouped by the income's and the asset's primary keys: the other columns depend on them.
	return forRows(ctx, in.Q, `SELECT i.id, i.asset_id, a.code, a.name, i.year, i.amount_fen, COALESCE(i.distributed_on, ''), a.region_code,
		COALESCE(SUM(d.amount_fen), 0), COUNT(d.id)
		FROM asset_incomes i JOIN assets a ON a.id = i.asset_id
		LEFT JOIN asset_distributions d ON d.income_id = i.id
		WHERE i.status = 'distributed' AND a.region_code BETWEEN ? AND ?
		GROUP BY i.id, a.id
		HAVING COALESCE(SUM(d.amount_fen), 0) <> i.amount_fen
		ORDER BY i.id`, []any{in.Lo, in.Hi}, func(rows *sql.Rows) error {
		var e mismatchEvidence
		var region string
		if err := rows.Scan(&e.IncomeID, &e.AssetID, &e.AssetCode, &e.AssetName, &e.Year, &e.AmountFen, &e.DistributedOn, &region,
			&e.DistributedFen, &e.Lines); err != nil {
			return err
		}
		diff := e.DistributedFen - e.AmountFen
		how := "多分配 " + yuan(diff)
		if diff < 0 {
			how = "少分配 " + yuan(-diff)
		}
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:income=%d", r.Key, e.IncomeID), RegionCode: region,
			EntityType: "asset_income", EntityID: e.IncomeID, AmountFen: max(diff, -diff),
			Explanation: fmt.Sprintf("资产 %s(%s)%d 年收益 %s 已标记分配,%d 笔分配合计 %s,%s",
				e.AssetCode, e.AssetName, e.Year, yuan(e.AmountFen), e.Lines, yuan(e.DistributedFen), how),
			Evidence: evidence(e)})
		return nil
	})
}

type nonbeneficiaryEvidence struct {
	DistributionID int64  `json:"distribution_id"`
	IncomeID       int64  `json:"income_id"`
	AssetID        int64  `json:"asset_id"`
	AssetCode      string `json:"asset_code"`
	AssetName      string `json:"asset_name"`
	Year           int    `json:"year"`
	HouseholdID    int64  `json:"household_id"`
	HouseholdNo    string `json:"household_no"`
	PayeeName      string `json:"payee_name"`
	PayeeIDNumber  string `json:"payee_id_number"` // masked
	AmountFen      int64  `json:"amount_fen"`
	TransferID     int64  `json:"transfer_id"` // 0 when none
}

// evalDistributionNonbeneficiary: a distribution line whose household is not entitled to the
// asset's income (no asset_beneficiaries row of that asset and household).
func evalDistributionNonbeneficiary(ctx context.Context, in *evalInput, emit func(Finding)) error {
	r := in.rule(CheckAssetDistributionNonbeneficiary)
	if r == nil {
		return nil
	}
	return forRows(ctx, in.Q, `SELECT d.id, d.income_id, i.asset_id, a.code, a.name, i.year, d.household_id, COALESCE(h.household_no, ''),
		d.payee_name, d.payee_id_number, d.amount_fen, COALESCE(d.transfer_id, 0), a.region_code
		FROM asset_distributions d JOIN asset_incomes i ON i.id = d.income_id JOIN assets a ON a.id = i.asset_id
		LEFT JOIN households h ON h.id = d.household_id
		WHERE a.region_code BETWEEN ? AND ?
		AND NOT EXISTS (SELECT 1 FROM asset_beneficiaries b WHERE b.asset_id = i.asset_id AND b.household_id = d.household_id)
		ORDER BY d.id`, []any{in.Lo, in.Hi}, func(rows *sql.Rows) error {
		var e nonbeneficiaryEvidence
		var region, id string
		if err := rows.Scan(&e.DistributionID, &e.IncomeID, &e.AssetID, &e.AssetCode, &e.AssetName, &e.Year, &e.HouseholdID, &e.HouseholdNo,
			&e.PayeeName, &id, &e.AmountFen, &e.TransferID, &region); err != nil {
			return err
		}
		e.PayeeIDNumber = idcard.Mask(id)
		emit(Finding{RuleKey: r.Key, Key: fmt.Sprintf("%s:distribution=%d", r.Key, e.DistributionID), RegionCode: region,
			EntityType: "asset_distribution", EntityID: e.DistributionID, HouseholdID: e.HouseholdID, AmountFen: e.AmountFen,
			Explanation: fmt.Sprintf("资产 %s(%s)%d 年收益向户 %s 的 %s(%s)分配 %s,该户不是该资产的收益对象",
				e.AssetCode, e.AssetName, e.Year, e.HouseholdNo, e.PayeeName, e.PayeeIDNumber, yuan(e.AmountFen)),
			Evidence: evidence(e)})
		return nil
	})
}
