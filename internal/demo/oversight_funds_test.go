package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/funds"
	"sunshine/internal/oversight"
)

// The planted anomalies each raise their alert in a full run.
func TestOversightFundsAnomalies(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	d.Clock = func() time.Time { return time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC) }
	if _, err := demo.Load(ctx, d, tiny); err != nil {
		t.Fatal(err)
	}
	a := &audit.Service{DB: d}
	fs := &funds.Service{DB: d, Audit: a}
	if _, err := demo.Funds(ctx, fs); err != nil {
		t.Fatal(err)
	}
	n, err := demo.OversightFunds(ctx, fs, d)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := demo.OversightFunds(ctx, fs, d); err != nil || again != 0 {
		t.Errorf("planted twice: %d %v", again, err)
	}
	planted := map[string]int64{}
	rows, err := d.Reader().QueryContext(ctx, `SELECT ref, id FROM ledger_transfers WHERE ref LIKE 'demo:anomaly:%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ref string
		var id int64
		if err := rows.Scan(&ref, &id); err != nil {
			t.Fatal(err)
		}
		planted[strings.TrimPrefix(ref, "demo:anomaly:")] = id
	}
	rows.Close()
	t.Logf("planted %d: %v", n, planted)
	if n < 5 || len(planted) < 4 {
		t.Fatalf("planted %d (%v)", n, planted)
	}
	s := &oversight.Service{DB: d, Audit: a, Dir: t.TempDir()}
	root := &auth.Principal{Username: "test", Name: "测试", Role: auth.Admin, Root: true}
	if _, err := s.RunFull(ctx, root, "320900000000"); err != nil {
		t.Fatal(err)
	}
	checkOf := map[string][]string{"duplicate": {oversight.CheckPaymentDuplicate}, "shared": {oversight.CheckAccountShared, oversight.CheckHolderMismatch},
		"holder": {oversight.CheckHolderMismatch}, "above": {oversight.CheckAboveStandard}, "exited": {oversight.CheckPayeeExited}}
	for kind, id := range planted {
		for _, c := range checkOf[kind] {
			var hits int
			if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE rule_key = ? AND evidence_json LIKE ?`,
				c, fmt.Sprintf(`%%"transfer_id":%d,%%`, id)).Scan(&hits); err != nil {
				t.Fatal(err)
			}
			if hits == 0 {
				t.Errorf("planted %s (transfer %d) raised no %s alert", kind, id, c)
			}
		}
	}
	var dead int
	if err := d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE rule_key = ?`, oversight.CheckPayeeDeceased).Scan(&dead); err != nil || dead == 0 {
		t.Errorf("the planted death raised no payee_deceased alert (%v)", err)
	}
}
