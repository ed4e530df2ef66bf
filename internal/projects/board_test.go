package projects

import (
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

func TestBoardCountsEqualListCounts(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	// stages 0, 0, 1, 2 and 4; one completed; one failed at stage 1; one of the other county
	var ids []int64
	for _, to := range []int{0, 0, 1, 2, 4} {
		d := p1Create(f, []string{"household", "village"}[len(ids)%2], villageA)
		p1Advance(f, d.ID, to)
		ids = append(ids, d.ID)
	}
	done := p1Create(f, "village", villageB)
	p1Advance(f, done.ID, Done)
	failed := p1Create(f, "household", villageB)
	p1Advance(f, failed.ID, 1)
	f.exec(`UPDATE projects SET status = 'failed' WHERE id = ?`, failed.ID)
	if _, err := f.S.CreateProject(f.Ctx, f.Other(auth.PovertyOffice), p1Input("household", villageOth)); err != nil {
		t.Fatal(err)
	}
	count := func(p *auth.Principal, fl ProjectFilter) int {
		t.Helper()
		fl.Limit = 200
		rows, err := f.S.Projects(f.Ctx, p, fl)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	for _, c := range []struct {
		p      *auth.Principal
		region string
		kind   string
		total  int
	}{{office, "", "", 7}, {office, villageA, "", 5}, {office, villageB, "", 2}, {office, "", "village", 3}, {f.City, "", "", 8}, {f.Village(villageA), "", "", 5}} {
		b, err := f.S.Board(f.Ctx, c.p, c.region, c.kind, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Columns) != 11 || b.Columns[9].Key != "completed" || b.Columns[10].Stage != -1 {
			t.Fatalf("columns %+v", b.Columns)
		}
		sum := 0
		for _, col := range b.Columns {
			fl := ProjectFilter{Region: c.region, Kind: c.kind, Stage: col.Stage, Status: "active"}
			switch col.Stage {
			case Done:
				fl.Stage, fl.Status = -1, "completed"
			case -1:
				fl.Status = "failed"
			}
			if n := count(c.p, fl); n != col.Count || len(col.Cards) != col.Count {
				t.Fatalf("%s %s column %d: board %d (%d cards), list %d", c.region, c.kind, col.Stage, col.Count, len(col.Cards), n)
			}
			var budget int64
			for _, card := range col.Cards {
				budget += card.BudgetFen
			}
			if budget != col.BudgetFen {
				t.Fatalf("column %d budget %d, cards %d", col.Stage, col.BudgetFen, budget)
			}
			sum += col.Count
		}
		if sum != b.Total || b.Total != c.total || count(c.p, ProjectFilter{Region: c.region, Kind: c.kind, Stage: -1}) != c.total {
			t.Fatalf("%s %s: total %d, columns %d, want %d", c.region, c.kind, b.Total, sum, c.total)
		}
	}
	b, _ := f.S.Board(f.Ctx, office, "", "", 0)
	want := map[int]int{0: 2, 1: 1, 2: 1, 4: 1, Done: 1, -1: 1}
	for _, col := range b.Columns {
		if col.Count != want[col.Stage] {
			t.Fatalf("column %d has %d, want %d", col.Stage, col.Count, want[col.Stage])
		}
	}
	// cards: overdue first, then longest in stage
	f.exec(`UPDATE projects SET stage_since = '2026-01-01' WHERE id = ?`, ids[1])
	f.exec(`UPDATE projects SET stage_due = '2026-07-01' WHERE id = ?`, ids[0])
	b, _ = f.S.Board(f.Ctx, office, "", "", 0)
	if c := b.Columns[0].Cards; c[0].ID != ids[0] || !c[0].Overdue || c[1].ID != ids[1] || b.Columns[0].Overdue != 1 {
		t.Fatalf("card order %d %d", c[0].ID, c[1].ID)
	}
	_, err := f.S.Board(f.Ctx, f.Other(auth.PovertyOffice), countyCode, "", 0)
	p1Want(t, err, errs.Forbidden, "")
	_, err = f.S.Board(f.Ctx, office, "", "road", 0)
	p1Want(t, err, errs.Invalid, "kind")
	_, err = f.S.Board(f.Ctx, f.County(auth.Helper), "", "", 0)
	p1Want(t, err, errs.Forbidden, "")
	// year filter
	b, _ = f.S.Board(f.Ctx, office, "", "", 2025)
	if b.Total != 0 {
		t.Fatalf("2025 board %d", b.Total)
	}
}

// A column shows at most 20 cards but counts them all.
func TestBoardCardLimit(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < BoardCards+3; i++ {
		p1Create(f, "household", villageA)
	}
	b, err := f.S.Board(f.Ctx, f.County(auth.PovertyOffice), "", "", 0)
	if err != nil || b.Columns[0].Count != BoardCards+3 || len(b.Columns[0].Cards) != BoardCards {
		t.Fatalf("%d counted, %d cards, %v", b.Columns[0].Count, len(b.Columns[0].Cards), err)
	}
}
