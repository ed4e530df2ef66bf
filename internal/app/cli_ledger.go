package app

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
)

// cmdExportLedger writes every transfer of one fund (资金台账): `sunshine export ledger --fund
// CODE [--format csv|xlsx] [--out FILE]`. The command-line operator is root, so bank account
// numbers are written in full.
func cmdExportLedger(args []string, stdout, stderr io.Writer) error {
	var code, format, out string
	return withDB(args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&code, "fund", "", "the fund's code")
		fs.StringVar(&format, "format", "csv", "csv or xlsx")
		fs.StringVar(&out, "out", "", "output file (default stdout)")
	}, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
		if code == "" {
			return errors.New("usage: sunshine export ledger --fund CODE [--format csv|xlsx] [--out FILE]")
		}
		var w io.Writer = stdout
		if out != "" {
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
			if err := a.Funds.ExportLedger(ctx, cli(), code, format, w); err != nil {
				_ = os.Remove(out)
				return err
			}
			return f.Close()
		}
		return a.Funds.ExportLedger(ctx, cli(), code, format, w)
	})
}
