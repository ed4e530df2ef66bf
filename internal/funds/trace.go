package funds

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// FundTrace is where a fund's money went (资金追溯), shaped for a Sankey chart: nodes are
// accounts (passbooks grouped by town), links the money that moved between them net of
// reversals. Nothing outside the caller's scope is named: it is grouped into "其他地区".
type FundTrace struct {
	Fund  Fund        `json:"fund"`
	Nodes []TraceNode `json:"nodes"`
	Links []TraceLink `json:"links"`
	// UndistributedFen is what the fund's source has not issued yet.
	UndistributedFen int64 `json:"undistributed_fen"`
	// LoopFen is money sent round a longer loop of plain transfers (A→B→C→A): a Sankey chart
	// cannot draw a cycle, so the link closing each loop is left out and its amount shown here.
	LoopFen int64 `json:"loop_fen"`
}

// TraceNode is one account, the passbooks of one town, or everything out of scope. For the
// source node BalanceFen is what it has not issued; for passbooks, what reached them.
type TraceNode struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	Kind       string `json:"kind"` // an account kind, or "other"
	RegionCode string `json:"region_code"`
	BalanceFen int64  `json:"balance_fen"`
	IdleDays   int    `json:"idle_days"`
	Accounts   int    `json:"accounts"`
}

// TraceLink is money that moved from one node to another, net of reversals.
type TraceLink struct {
	Source    string `json:"source"`
	Target    string `json:"target"`
	AmountFen int64  `json:"amount_fen"`
	Count     int64  `json:"count"`
}

// OtherKey is the node that groups everything outside the caller's scope.
const OtherKey = "other"

// townOf is the town a passbook's region lies in (the region itself above town level).
func townOf(code string) string {
	if regioncode.LevelOf(code) == regioncode.Village {
		return code[:9] + "000"
	}
	return code
}

var kindOrder = map[string]int{"source": 0, "finance": 1, "department": 2, "project": 3, "village": 4, "enterprise": 5, "passbook": 6, OtherKey: 7}

// Trace follows a fund forward to where its money is now.
func (s *Service) Trace(ctx context.Context, p *auth.Principal, id int64) (FundTrace, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return FundTrace{}, err
	}
	q := s.DB.Reader()
	f, err := fundHead(ctx, q, id)
	if err == nil && !Covers(p, f.RegionCode) {
		err = errNoFund
	}
	if err != nil {
		return FundTrace{}, err
	}
	flows, books, err := fundFlows(ctx, q, id)
	if err != nil {
		return FundTrace{}, err
	}
	for _, b := range books { // what the passbooks hold: the fund's paid_fen
		if b.amount > 0 {
			f.PaidFen += b.amount
		}
	}
	ids := []int64{f.SourceAccount}
	seen := map[int64]bool{f.SourceAccount: true}
	towns := map[string]bool{}
	for _, fl := range flows {
		for _, a := range []int64{fl.from, fl.to} {
			if a != 0 && !seen[a] {
				seen[a] = true
				ids = append(ids, a)
			}
		}
		if fl.kind == "payment" {
			towns[townOf(fl.region)] = true
		}
	}
	accts, err := fundAccounts(ctx, q, id, ids)
	if err != nil {
		return FundTrace{}, err
	}
	townCodes := make([]string, 0, len(towns))
	for t := range towns {
		townCodes = append(townCodes, t)
	}
	names, err := regionNames(ctx, q, townCodes)
	if err != nil {
		return FundTrace{}, err
	}
	today := s.today()
	out := FundTrace{Fund: f, Nodes: []TraceNode{}, Links: []TraceLink{}, UndistributedFen: f.AmountFen - f.IssuedFen}
	nodes := map[string]*TraceNode{}
	other := &TraceNode{Key: OtherKey, Name: "其他地区", Kind: OtherKey}
	otherAccts := map[int64]bool{} // out-of-scope accounts other than passbooks, counted once
	acctKey := func(a *acctNode) string {
		if a == nil || !Covers(p, a.region) {
			if a != nil {
				otherAccts[a.id] = true
			}
			return OtherKey
		}
		k := "a:" + strconv.FormatInt(a.id, 10)
		if _, ok := nodes[k]; !ok {
			n := &TraceNode{Key: k, Name: a.name, Kind: a.kind, RegionCode: a.region, BalanceFen: a.balance, Accounts: 1}
			if a.kind == "source" {
				n.BalanceFen = out.UndistributedFen
			}
			if n.BalanceFen > 0 && a.lastMove != "" {
				n.IdleDays = idleDays(a.lastMove, today)
			}
			nodes[k] = n
		}
		return k
	}
	// A town's passbook node holds what its passbooks received (they only lose money by reversal).
	pbKey := func(region string, amount int64) string {
		t := townOf(region)
		if !p.InScope(t) {
			return OtherKey
		}
		k := "pb:" + t
		n, ok := nodes[k]
		if !ok {
			name := names[t]
			if name == "" {
				name = t
			}
			n = &TraceNode{Key: k, Name: name + " 农户一折通", Kind: "passbook", RegionCode: t}
			nodes[k] = n
		}
		n.BalanceFen += amount
		return k
	}
	acctKey(accts[f.SourceAccount])
	type pair struct{ a, b string }
	links := map[pair]*TraceLink{}
	for _, fl := range flows {
		src := acctKey(accts[fl.from])
		var dst string
		if fl.kind == "payment" {
			dst = pbKey(fl.region, fl.amount)
		} else {
			dst = acctKey(accts[fl.to])
		}
		if src == dst {
			continue
		}
		l, ok := links[pair{src, dst}]
		if !ok {
			l = &TraceLink{Source: src, Target: dst}
			links[pair{src, dst}] = l
		}
		l.AmountFen += fl.amount
		l.Count += fl.count
	}
	// Money sent back by an ordinary transfer nets against the way it came, so the chart
	// has no two-node cycles.
	for k, l := range links {
		back, ok := links[pair{k.b, k.a}]
		if !ok || l.AmountFen == 0 || back.AmountFen == 0 {
			continue
		}
		if l.AmountFen >= back.AmountFen {
			l.AmountFen -= back.AmountFen
			back.AmountFen = 0
		} else {
			back.AmountFen -= l.AmountFen
			l.AmountFen = 0
		}
	}
	out.LoopFen = breakCycles(links, "a:"+strconv.FormatInt(f.SourceAccount, 10))
	used := map[string]bool{}
	for _, l := range links {
		if l.AmountFen <= 0 {
			continue
		}
		out.Links = append(out.Links, *l)
		used[l.Source], used[l.Target] = true, true
	}
	used["a:"+strconv.FormatInt(f.SourceAccount, 10)] = true // the fund is in the caller's view, so is its source
	for k, n := range nodes {
		if used[k] {
			out.Nodes = append(out.Nodes, *n)
		}
	}
	if used[OtherKey] {
		other.Accounts = len(otherAccts)
		out.Nodes = append(out.Nodes, *other)
	}
	// A passbook node groups the town's passbooks that hold money of the fund.
	perTown := map[string]int{}
	for _, b := range books {
		if b.amount > 0 {
			perTown[townOf(b.region)]++
		}
	}
	for i := range out.Nodes {
		if n := &out.Nodes[i]; n.Kind == "passbook" {
			n.Accounts = perTown[n.RegionCode]
		}
	}
	sort.Slice(out.Nodes, func(i, j int) bool {
		a, b := out.Nodes[i], out.Nodes[j]
		if kindOrder[a.Kind] != kindOrder[b.Kind] {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		if a.RegionCode != b.RegionCode {
			return a.RegionCode < b.RegionCode
		}
		return a.Key < b.Key
	})
	sort.Slice(out.Links, func(i, j int) bool {
		a, b := out.Links[i], out.Links[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Target < b.Target
	})
	return out, nil
}

// Progress is a fund's disbursement by region and over time (发放进度).
type Progress struct {
	FundID  int64            `json:"fund_id"`
	Level   string           `json:"level"`
	Regions []RegionProgress `json:"regions"`
	Series  []MonthProgress  `json:"series"`
}

// RegionProgress is what reached one county or town: AllocatedFen arrived at its accounts
// from outside it, PaidFen reached passbooks in it (both net of reversals).
type RegionProgress struct {
	RegionCode   string  `json:"region_code"`
	RegionName   string  `json:"region_name"`
	AllocatedFen int64   `json:"allocated_fen"`
	PaidFen      int64   `json:"paid_fen"`
	Households   int     `json:"households"`
	Rate         float64 `json:"rate"`
}

// MonthProgress is the cumulative paid amount at the end of a month beside the linear
// schedule from the fund's arrival to its deadline.
type MonthProgress struct {
	Month       string `json:"month"`
	PaidFen     int64  `json:"paid_fen"`
	ExpectedFen int64  `json:"expected_fen"`
}

// levelKey is the county or town a region code lies in ("" when the code is above it).
func levelKey(code, level string) string {
	switch regioncode.LevelOf(code) {
	case regioncode.Village, regioncode.Town:
		if level == "town" {
			return code[:9] + "000"
		}
		return code[:6] + "000000"
	case regioncode.County:
		if level == "county" {
			return code
		}
	}
	return ""
}

// Progress reports a fund's disbursement by county or town within the caller's scope, and
// the monthly cumulative payments into the scope against the linear schedule.
func (s *Service) Progress(ctx context.Context, p *auth.Principal, id int64, level string) (Progress, error) {
	if level == "" {
		level = "county"
	}
	if level != "county" && level != "town" {
		return Progress{}, errs.Field("level", "应为 county 或 town")
	}
	f, err := s.Fund(ctx, p, id)
	if err != nil {
		return Progress{}, err
	}
	q := s.DB.Reader()
	flows, _, err := fundFlows(ctx, q, id)
	if err != nil {
		return Progress{}, err
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, fl := range flows {
		for _, a := range []int64{fl.from, fl.to} {
			if a != 0 && !seen[a] {
				seen[a] = true
				ids = append(ids, a)
			}
		}
	}
	accts, err := fundAccounts(ctx, q, id, ids)
	if err != nil {
		return Progress{}, err
	}
	// A fund's source lies outside every region: what it allocates arrives in the region it goes to.
	regionOf := func(a int64) string {
		if x, ok := accts[a]; ok && x.kind != "source" {
			return x.region
		}
		return ""
	}
	byKey := map[string]*RegionProgress{}
	get := func(k string) *RegionProgress {
		r, ok := byKey[k]
		if !ok {
			r = &RegionProgress{RegionCode: k}
			byKey[k] = r
		}
		return r
	}
	var inflow int64 // what entered the caller's scope from outside it
	for _, fl := range flows {
		fromRegion, toRegion := regionOf(fl.from), fl.region
		if fl.kind != "payment" {
			toRegion = regionOf(fl.to)
		}
		from, to := levelKey(fromRegion, level), levelKey(toRegion, level)
		if to != "" && to != from {
			get(to).AllocatedFen += fl.amount
		}
		if fl.kind == "payment" && to != "" {
			get(to).PaidFen += fl.amount
		}
		if p.InScope(toRegion) && (fromRegion == "" || !p.InScope(fromRegion)) {
			inflow += fl.amount
		}
	}
	cond, args := p.ScopeCond("t.region_code")
	hh, err := villageHouseholds(ctx, q, id, cond, args)
	if err != nil {
		return Progress{}, err
	}
	for code, n := range hh {
		if k := levelKey(code, level); k != "" {
			get(k).Households += n
		}
	}
	out := Progress{FundID: id, Level: level, Regions: []RegionProgress{}, Series: []MonthProgress{}}
	var codes []string
	for k := range byKey {
		if p.InScope(k) {
			codes = append(codes, k)
		}
	}
	slices.Sort(codes)
	names, err := regionNames(ctx, q, codes)
	if err != nil {
		return Progress{}, err
	}
	for _, k := range codes {
		r := byKey[k]
		r.RegionName = names[k]
		r.Rate = ratio(r.PaidFen, r.AllocatedFen)
		out.Regions = append(out.Regions, *r)
	}
	base := f.IssuedFen
	if !p.InScope(f.RegionCode) {
		base = inflow
	}
	months, err := paidByMonth(ctx, q, id, cond, args)
	if err != nil {
		return Progress{}, err
	}
	out.Series = series(f, base, months)
	return out, nil
}

// ratio is a/b clamped to 0..1 (0 when b is 0).
func ratio(a, b int64) float64 {
	if b <= 0 || a <= 0 {
		return 0
	}
	if a >= b {
		return 1
	}
	return float64(a) / float64(b)
}

// scheduleShare is the share of the way from received to deadline that date has gone, 0..1.
func scheduleShare(received, deadline, date string) float64 {
	r, err1 := time.Parse(db.DateLayout, received)
	d, err2 := time.Parse(db.DateLayout, deadline)
	t, err3 := time.Parse(db.DateLayout, date)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0
	}
	switch {
	case !t.After(r) && d.After(r):
		return 0
	case !t.Before(d):
		return 1
	}
	return t.Sub(r).Hours() / d.Sub(r).Hours()
}

// series is one point per month from the fund's arrival to its deadline (or its last
// payment, if later): cumulative payments and the linear schedule of base.
func series(f Fund, base int64, paid map[string]int64) []MonthProgress {
	first, last := f.ReceivedOn[:7], f.Deadline[:7]
	for m := range paid {
		if m > last {
			last = m
		}
		if m < first {
			first = m
		}
	}
	out := []MonthProgress{}
	t, err := time.Parse("2006-01", first)
	if err != nil {
		return out
	}
	var cum int64
	for i := 0; i < 600; i++ {
		m := t.AddDate(0, i, 0)
		key := m.Format("2006-01")
		if key > last {
			break
		}
		cum += paid[key]
		end := m.AddDate(0, 1, -1).Format(db.DateLayout)
		out = append(out, MonthProgress{Month: key, PaidFen: cum, ExpectedFen: int64(float64(base)*scheduleShare(f.ReceivedOn, f.Deadline, end) + 0.5)})
	}
	return out
}

// fundByCode finds a fund by its code for the command line.
func fundByCode(ctx context.Context, q db.Queryer, code string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM funds WHERE code = ?`, strings.TrimSpace(code)).Scan(&id)
	if err != nil {
		return 0, errs.E(errs.NotFound, "%s", fmt.Sprintf("资金 %s 不存在", code))
	}
	return id, nil
}

// breakCycles drops the links that close a cycle (found by depth-first search from the fund's
// source first, then the other nodes in a fixed order) and returns their total.
func breakCycles[K comparable](links map[K]*TraceLink, first string) int64 {
	out := map[string][]*TraceLink{}
	var starts []string
	for _, l := range links {
		if l.AmountFen > 0 {
			out[l.Source] = append(out[l.Source], l)
			starts = append(starts, l.Source)
		}
	}
	for k := range out {
		sort.Slice(out[k], func(i, j int) bool { return out[k][i].Target < out[k][j].Target })
	}
	sort.Strings(starts)
	starts = append([]string{first}, starts...)
	const (
		unseen = iota
		onStack
		done
	)
	state := map[string]int{}
	var dropped int64
	var visit func(n string)
	visit = func(n string) {
		state[n] = onStack
		for _, l := range out[n] {
			switch state[l.Target] {
			case onStack:
				dropped += l.AmountFen
				l.AmountFen = 0
			case unseen:
				visit(l.Target)
			}
		}
		state[n] = done
	}
	for _, n := range starts {
		if state[n] == unseen {
			visit(n)
		}
	}
	return dropped
}
