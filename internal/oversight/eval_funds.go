package oversight

import (
	"context"
	"math"
	"runtime/debug"
	"strings"
	"sync"

	"sunshine/internal/idcard"
)

// The funds checks (资金预警) read the ledger: the fund-level ones (idle balances, disbursement
// behind schedule, unfiled higher-level money) with a few SQL queries, the payment-level ones
// in ONE streaming pass over the payments into compact records (32 bytes each), sorted by
// payee, item and period, so that every payee's payments are next to each other and each
// check is a walk over one payee's records. A payment undone by a reversal does not count.
//
// Periods matter: a payment is to a deceased person only if dated after the death, to an
// exited household only after policy_until, to a removed household only after removed_on; a
// duplicate is the same payee, item and period paid more than once.

// paymentChecks are the checks that look at payments (the ones a new payment can change).
var paymentChecks = []string{CheckPayeeUnregistered, CheckPayeeRemoved, CheckPayeeDeceased, CheckPayeeExited, CheckPaymentDuplicate,
	CheckAccountShared, CheckAboveStandard, CheckPayeePublicEmployee, CheckPayeeCadre, CheckHolderMismatch}

// maxEvidencePayments bounds the payments an alert's evidence lists (the count and total
// cover all of them).
const maxEvidencePayments = 50

// fpayee is a passbook account (一折通) resolved to the person and household it pays: the
// active member with the passbook's ID number, else the member with that ID number in the
// household the passbook was opened for, else nobody (unregistered).
type fpayee struct {
	id          int64  // ledger account
	key         uint64 // idcard.Pack of the ID number
	rawID       string // the ID number when key does not give it back exactly (see idNo)
	name        string // the member's name, or the passbook's without 一折通
	norm        string // name without spaces, for the holder comparison
	region      string // of the passbook account
	household   int64
	*fhousehold       // shared by the household's payees; noHousehold when none
	deceased    int32 // members.deceased_on
	member      bool  // a member row was found
}

// fhousehold is what the checks read of a payee's household.
type fhousehold struct {
	hhNo, head  string
	status      string // applying | registered | exited | removed | "" (none)
	size        int64  // at least 1 for a household
	exitedOn    int32
	policyUntil int32
	removedOn   int32
}

// noHousehold is the household of a payee in none.
var noHousehold = &fhousehold{}

// idNo is the payee's ID number as stored (trimmed).
func (p *fpayee) idNo() string {
	if p.rawID != "" || p.key == 0 {
		return p.rawID
	}
	return idcard.Unpack(p.key)
}

// setID keeps the ID number packed (as a string only when packing would change it).
func (p *fpayee) setID(idn string) {
	idn = strings.TrimSpace(idn)
	var ok bool
	if p.key, ok = idcard.Pack(idn); !ok || idn[len(idn)-1] == 'x' { // Unpack gives an upper-case X
		p.rawID = idn
	}
}

// fitem is a fund item (补贴项目) with its standard.
type fitem struct {
	fund     int64
	code     string
	name     string
	basis    string
	standard int64
}

// payRec is one un-reversed payment, compact: 32 bytes.
type payRec struct {
	id     int64
	amount int32  // fen; bigAmount: the amount is in fundsData.big
	payee  int32  // index into fundsData.payees
	item   int32  // fund item id
	date   int32  // yyyymmdd
	acct   uint32 // index into fundsData.acctNos (0 = no account number), | oddBit
	period uint16 // periodCode
}

const (
	// oddBit in payRec.acct: the account holder differs from the payee's name.
	oddBit = uint32(1) << 31
	// bigAmount in payRec.amount: the amount does not fit 32 bits (fundsData.big has it).
	bigAmount = math.MinInt32
)

// account is the record's index into acctNos.
func (r payRec) account() uint32 { return r.acct &^ oddBit }

// odd reports that the account holder differs from the payee's name.
func (r payRec) odd() bool { return r.acct&oddBit != 0 }

// amt is the record's amount in fen.
func (d *fundsData) amt(r payRec) int64 {
	if r.amount == bigAmount {
		return d.big[r.id]
	}
	return int64(r.amount)
}

// fundsData is what the payment checks read.
type fundsData struct {
	payees  []fpayee
	byID    map[int64]int32 // passbook → index into payees (nil once dense is built)
	dense   []int32         // passbook id - denseLo → index into payees, -1 = none (the full pass)
	denseLo int64
	strs    map[string]string // interned region codes and statuses
	items   map[int64]fitem
	acctNos []string // index 0 = ""
	acctIdx map[string]uint32
	recs    []payRec
	big     map[int64]int64  // transfer → amount, for the amounts payRec.amount cannot hold
	holders map[int64]string // transfer → account holder, for the payments whose holder differs
	facts   *personFacts
	paid    map[int64]int64 // fund → un-reversed payments, for fund_behind
}

func newFundsData(facts *personFacts) *fundsData {
	return &fundsData{strs: map[string]string{}, byID: map[int64]int32{}, items: map[int64]fitem{}, acctNos: []string{""}, acctIdx: map[string]uint32{},
		facts: facts, paid: map[int64]int64{}, holders: map[int64]string{}, big: map[int64]int64{}}
}

// evalFunds runs the funds checks over the payments and balances in the run's region.
func evalFunds(ctx context.Context, in *evalInput, emit func(Finding)) error {
	if err := evalFundLevel(ctx, in, emit); err != nil {
		return err
	}
	needPass := in.rule(CheckFundBehind) != nil
	for _, c := range paymentChecks {
		needPass = needPass || in.rule(c) != nil
	}
	if !needPass {
		return nil
	}
	if in.Facts == nil { // a run that loaded no facts: the datasets' (cached)
		facts, err := datasetFacts(ctx, in.Cache, in.Q, in.Dir, in.Lo)
		if err != nil {
			return err
		}
		in.Facts = facts
	}
	d := newFundsData(in.Facts)
	if err := d.loadItems(ctx, in.Q); err != nil {
		return err
	}
	// The pass keeps ~32 bytes a payment and ~100 a payee; the driver's garbage per row is
	// collected sooner than the default (which lets the heap grow to twice the live records).
	defer lowerGC()()
	if err := d.loadPayees(ctx, in.Q, nil); err != nil {
		return err
	}
	d.densify()
	d.strs = nil
	if err := d.streamPayments(ctx, in); err != nil {
		return err
	}
	d.acctIdx = nil // the checks over all accounts need only the numbers
	if r := in.rule(CheckFundBehind); r != nil {
		if err := evalFundBehind(ctx, in, r, d.paid, emit); err != nil {
			return err
		}
	}
	d.sortRecs()
	d.checkPayees(in, nil, emit)
	d.checkShared(in, nil, emit)
	return nil
}

// passGCPercent is the GC target during the full pass: the pass builds ten million short-lived
// rows, and the default target let the heap's garbage double the peak memory.
const passGCPercent = 50

// The GC target belongs to the process, not to a Service, so the count of passes that lowered
// it is process-wide too: the last pass to end puts it back.
var (
	gcMu    sync.Mutex
	gcPass  int // full passes running
	gcSaved int // the GC target before the first of them
)

// lowerGC sets the GC target to passGCPercent (unless it is lower already) while at least one
// full pass runs, and answers the function that ends this pass's part in it.
func lowerGC() func() {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcPass == 0 {
		gcSaved = debug.SetGCPercent(passGCPercent)
		if gcSaved >= 0 && gcSaved < passGCPercent {
			debug.SetGCPercent(gcSaved)
		}
	}
	gcPass++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcPass--; gcPass == 0 {
			debug.SetGCPercent(gcSaved)
		}
	}
}
