package oversight

import (
	"runtime/debug"
	"testing"
	"unsafe"

	"sunshine/internal/idcard"
)

// The compact payment records keep every amount, account and holder flag exactly.
func TestPayRecPacking(t *testing.T) {
	if n := unsafe.Sizeof(payRec{}); n != 32 {
		t.Errorf("payRec is %d bytes, want 32", n)
	}
	d := newFundsData(nil)
	d.payees = []fpayee{{id: 7, name: "张三", norm: "张三", fhousehold: noHousehold}}
	d.byID[7] = 0
	amounts := []int64{10_000, 1 << 31, -(1 << 31), 1<<31 - 1, 900_000_000_000, -5}
	for i, a := range amounts {
		holder := "张三"
		if i%2 == 1 {
			holder = "李四"
		}
		d.addPayment(int64(100+i), 7, a, []byte("2026-05-10"), 3, []byte("2026-05"), []byte(" 6222000000000001 "), []byte(holder), 1)
	}
	d.addPayment(200, 8, 1, []byte("2026-05-10"), 3, []byte("2026-05"), nil, nil, 1) // not a passbook
	if len(d.recs) != len(amounts) {
		t.Fatalf("%d records, want %d", len(d.recs), len(amounts))
	}
	for i, r := range d.recs {
		if got := d.amt(r); got != amounts[i] {
			t.Errorf("record %d: amount %d, want %d", i, got, amounts[i])
		}
		if r.odd() != (i%2 == 1) || d.acctNos[r.account()] != "6222000000000001" {
			t.Errorf("record %d: odd %v, account %q", i, r.odd(), d.acctNos[r.account()])
		}
		if r.date != 20260510 || periodText(r.period) != "2026-05" {
			t.Errorf("record %d: date %d period %q", i, r.date, periodText(r.period))
		}
	}
}

// A payee's ID number comes back as stored, a lower-case check character included.
func TestPayeeIDNumber(t *testing.T) {
	upper := benchID("320921", 4) // may or may not end in X
	body := upper[:17]
	for _, idn := range []string{upper, body + "x", body + "X", " " + upper + " ", "12345", ""} {
		var p fpayee
		p.setID(idn)
		want := idn
		if len(want) > 0 && want[0] == ' ' {
			want = upper
		}
		if got := p.idNo(); got != want {
			t.Errorf("setID(%q): idNo %q, want %q", idn, got, want)
		}
		if k, ok := idcard.Pack(want); ok && p.key != k {
			t.Errorf("setID(%q): key %d, want %d", idn, p.key, k)
		}
	}
}

// The full pass lowers the GC target while it runs and puts it back after, also when passes
// overlap.
func TestLowerGCRestores(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	end1 := lowerGC()
	end2 := lowerGC()
	if got := debug.SetGCPercent(passGCPercent); got != passGCPercent {
		t.Errorf("during the passes the GC target is %d", got)
	}
	end1()
	if got := debug.SetGCPercent(passGCPercent); got != passGCPercent {
		t.Errorf("with one pass left the GC target is %d", got)
	}
	end2()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after the passes the GC target is %d, want 100", got)
	}
}
