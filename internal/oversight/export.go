package oversight

import (
	"context"
	"io"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/tabular"
)

// AlertExportHeader is the header row of an alerts export (预警清单), in Chinese. Rows carry
// no ID numbers (the evidence, which may, stays in the console's detail view).
var AlertExportHeader = []string{"预警编号", "规则", "规则名称", "类别", "严重程度", "承办部门", "区划代码", "区划名称", "户编号", "户主姓名",
	"涉及金额(元)", "预警说明", "状态", "办理结论", "办理期限", "警示灯", "逾期天数", "承办人", "交办时间", "办结时间", "发现时间"}

// ExportAlerts writes the alerts a filter selects (every page, newest first) as CSV or XLSX.
func (s *Service) ExportAlerts(ctx context.Context, p *auth.Principal, f AlertFilter, format string, w io.Writer) error {
	if format != "csv" && format != "xlsx" {
		return errs.Field("format", "应为 csv 或 xlsx")
	}
	// Read the first page before writing anything, so a refusal is still an error status.
	const page = 1000
	f.Limit, f.After = page, 0
	rows, err := s.Alerts(ctx, p, f)
	if err != nil {
		return err
	}
	var tw *tabular.Writer
	if format == "xlsx" {
		tw, err = tabular.NewXLSXWriter(w, "预警", AlertExportHeader)
	} else {
		tw, err = tabular.NewCSVWriter(w, AlertExportHeader)
	}
	if err != nil {
		return err
	}
	for {
		for _, a := range rows {
			if err := tw.Write(alertExportRow(a)); err != nil {
				return err
			}
		}
		if len(rows) < page {
			break
		}
		f.After = rows[len(rows)-1].ID
		if rows, err = s.Alerts(ctx, p, f); err != nil {
			return err
		}
	}
	return tw.Close()
}

func alertExportRow(a AlertRow) []string {
	orEmpty := func(s *string) string {
		if s == nil {
			return ""
		}
		return shanghaiTime(*s)
	}
	label := a.DepartmentLabel
	if label == "" {
		label = a.Department
	}
	return []string{strconv.FormatInt(a.ID, 10), a.RuleKey, a.RuleLabel, AlertCategoryLabels[a.Category], AlertSeverityLabels[a.Severity],
		label, a.RegionCode, a.RegionName, a.HouseholdNo, a.HeadName, money.FormatPlain(a.AmountFen), a.Explanation,
		AlertStatusLabels[a.Status], AlertOutcomeLabels[a.Outcome], a.Deadline, AlertLightLabels[a.Light], strconv.Itoa(a.OverdueDays),
		a.AssigneeName, orEmpty(a.AssignedAt), orEmpty(a.ClosedAt), shanghaiTime(a.CreatedAt)}
}

// shanghaiTime shows a stored timestamp in Shanghai time.
func shanghaiTime(stored string) string {
	t := db.ParseTime(stored)
	if t.IsZero() {
		return stored
	}
	return t.In(db.Shanghai).Format("2006-01-02 15:04:05")
}
