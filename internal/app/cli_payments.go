package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"sunshine/internal/errs"
	"sunshine/internal/money"
)

const paymentsUsage = `usage:
  sunshine payments batch --plan ID [--format csv|xlsx] [--out FILE]   put a plan's pending lines into a bank batch and write its file
  sunshine payments reconcile --batch REF FILE                          book the bank's return file of a batch
`

// cmdPayments is direct payment from the command line (资金直达). The operator is root.
func cmdPayments(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, paymentsUsage)
		return errors.New("missing subcommand")
	}
	switch args[0] {
	case "batch":
		return cmdPaymentsBatch(args[1:], stdout, stderr)
	case "reconcile":
		return cmdPaymentsReconcile(args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, paymentsUsage)
	return fmt.Errorf("unknown subcommand %q", args[0])
}

func cmdPaymentsBatch(args []string, stdout, stderr io.Writer) error {
	var plan int64
	var format, out string
	return withDB(args, stderr, func(fs *flag.FlagSet) {
		fs.Int64Var(&plan, "plan", 0, "the plan's id")
		fs.StringVar(&format, "format", "csv", "csv or xlsx")
		fs.StringVar(&out, "out", "", "output file (default stdout)")
	}, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
		if plan <= 0 {
			return errors.New("usage: sunshine payments batch --plan ID [--format csv|xlsx] [--out FILE]")
		}
		if format != "csv" && format != "xlsx" {
			return errs.Field("format", "应为 csv 或 xlsx")
		}
		var w io.Writer = stdout
		var f *os.File
		if out != "" {
			var err error
			if f, err = os.Create(out); err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		b, err := a.Payments.CreateBatch(ctx, cli(), plan)
		if err == nil {
			err = a.Payments.BatchFile(ctx, cli(), b.ID, format, w)
		}
		if err != nil {
			if f != nil {
				_ = os.Remove(out)
			}
			return err
		}
		fmt.Fprintf(stderr, "批次 batch %s: %d 笔 lines, %s 元\n", b.BatchRef, b.Lines, money.FormatYuan(b.TotalFen))
		if f != nil {
			return f.Close()
		}
		return nil
	})
}

func cmdPaymentsReconcile(args []string, stdout, stderr io.Writer) error {
	var ref string
	// FILE may stand anywhere among the flags (every flag here takes a value).
	path, rest := "", make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case strings.HasPrefix(a, "-") && !strings.Contains(a, "=") && i+1 < len(args):
			rest = append(rest, a, args[i+1])
			i++
		case strings.HasPrefix(a, "-") || path != "":
			rest = append(rest, a)
		default:
			path = a
		}
	}
	return withDB(rest, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&ref, "batch", "", "the batch reference (e.g. PB12-1)")
	}, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
		if ref == "" || path == "" || fs.NArg() != 0 {
			return errors.New("usage: sunshine payments reconcile --batch REF FILE")
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		rep, err := a.Payments.ReconcileRef(ctx, cli(), ref, f, filepath.Base(path))
		if err != nil {
			return err
		}
		if !rep.Committed {
			for _, r := range rep.Rejected {
				fmt.Fprintf(stderr, "  第 %d 行 line %d [%s]: %s\n", r.Line, r.Line, r.Column, r.Reason)
			}
			return errs.E(errs.Invalid, "回盘文件有 %d 处错误,未入账任何一笔 (nothing booked)", len(rep.Rejected))
		}
		fmt.Fprintf(stdout, "批次 batch %s: paid %d (%s 元), failed %d\n", ref, rep.Paid, money.FormatYuan(rep.PaidFen), rep.Failed)
		return nil
	})
}
