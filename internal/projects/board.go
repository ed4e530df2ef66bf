package projects

import (
	"context"
	"strconv"
	"strings"

	"sunshine/internal/auth"
)

// BoardCards is how many cards a board column shows.
const BoardCards = 20

// boardColumns are the board's columns in order: the nine stages of active projects, then
// completed (9) and failed (-1) projects whatever their stage.
func boardColumns() []BoardColumn {
	cols := make([]BoardColumn, 0, len(Stages)+2)
	for _, r := range Stages {
		cols = append(cols, BoardColumn{Stage: r.Stage, Key: r.Key, Label: r.Label})
	}
	return append(cols, BoardColumn{Stage: Done, Key: "completed", Label: "完成"},
		BoardColumn{Stage: -1, Key: "failed", Label: "容错/失败"})
}

// Board is the Kanban of the projects under a region: each column's count, overdue count and
// budget from one GROUP BY over the projects_board index (covering), and its first
// cards (overdue first, then longest in the stage) from one LIMIT query per column.
func (s *Service) Board(ctx context.Context, p *auth.Principal, region, kind string, year int) (Board, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return Board{}, err
	}
	f := ProjectFilter{Kind: kind, Year: year, Stage: -1}
	if err := f.check(); err != nil {
		return Board{}, err
	}
	r, err := projListRegion(p, region)
	if err != nil {
		return Board{}, err
	}
	q, today := s.DB.Reader(), s.today()
	where, args := projectWhere(p, r, f, today)
	b := Board{Columns: boardColumns()}
	index := map[string]int{}
	for i, c := range b.Columns {
		index[boardKey(c.Stage)] = i
	}
	rows, err := q.QueryContext(ctx, `SELECT p.status, p.stage, COUNT(*), COALESCE(SUM(p.budget_fen), 0),
		COALESCE(SUM(CASE WHEN p.status = 'active' AND p.stage_due < ? THEN 1 ELSE 0 END), 0)
		FROM projects p WHERE `+where+` GROUP BY p.status, p.stage`, append([]any{today}, args...)...)
	if err != nil {
		return Board{}, err
	}
	for rows.Next() {
		var status string
		var stage, n, overdue int
		var budget int64
		if err := rows.Scan(&status, &stage, &n, &budget, &overdue); err != nil {
			rows.Close()
			return Board{}, err
		}
		key := boardKey(stage)
		switch status {
		case "completed":
			key = boardKey(Done)
		case "failed":
			key = boardKey(-1)
		}
		c := &b.Columns[index[key]]
		c.Count += n
		c.Overdue += overdue
		c.BudgetFen += budget
		b.Total += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Board{}, err
	}
	// Each column's first cards by id (the ordering reads only the projects_board index: status,
	// stage, region range, then the card order), then the cards' details in one query: the
	// per-row figures (ledger sums, beneficiaries) are computed for the shown cards only.
	var ids []int64
	cardIDs := make([][]int64, len(b.Columns))
	for i := range b.Columns {
		c := &b.Columns[i]
		c.Cards = []Project{}
		if c.Count == 0 {
			continue
		}
		cond, cargs := "p.status = 'active' AND p.stage = ?", []any{c.Stage}
		switch c.Stage {
		case Done:
			// completed projects have signed all nine stages: the stage keeps the board index
			cond, cargs = "p.status = 'completed' AND p.stage = ?", []any{Done}
		case -1:
			cond, cargs = "p.status = 'failed'", nil
		}
		a := append(append(append([]any{}, args...), cargs...), today, BoardCards)
		rows, err := q.QueryContext(ctx, `SELECT p.id FROM projects p WHERE `+where+` AND `+cond+`
			ORDER BY CASE WHEN p.stage_due < ? THEN 0 ELSE 1 END, p.stage_since, p.id LIMIT ?`, a...)
		if err != nil {
			return Board{}, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return Board{}, err
			}
			cardIDs[i] = append(cardIDs[i], id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Board{}, err
		}
		ids = append(ids, cardIDs[i]...)
	}
	if len(ids) == 0 {
		return b, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id
	}
	cards, err := queryProjects(ctx, q, today, `p.id IN (`+marks+`)`, in...)
	if err != nil {
		return Board{}, err
	}
	byID := make(map[int64]Project, len(cards))
	for _, c := range cards {
		byID[c.ID] = c
	}
	for i := range b.Columns {
		for _, id := range cardIDs[i] {
			if c, ok := byID[id]; ok {
				b.Columns[i].Cards = append(b.Columns[i].Cards, c)
			}
		}
	}
	return b, nil
}

func boardKey(stage int) string { return strconv.Itoa(stage) }
