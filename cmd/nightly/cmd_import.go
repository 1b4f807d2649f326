package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/npress/nightly/ledger"
	"github.com/npress/nightly/masterdata"
	"github.com/npress/nightly/masterimport"
)

func cmdImport(ctx context.Context, a *app, args []string) int {
	fs, cf := newFlags(a, findCommand("import"))
	sheet := fs.String("sheet", "", ".xlsx: the sheet to read (default: the first)")
	apply := fs.Bool("apply", false, "store the file even when it changes existing records (default: show the differences only)")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		fs.Usage()
		return exitUsage
	}
	kind, err := masterdata.ParseKind(pos[0])
	if err != nil {
		fmt.Fprintf(a.stderr, "nightly import: %v\n", err)
		return exitUsage
	}
	env, closeEnv, err := a.open(ctx, cf)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	if fi, err := os.Stat(pos[1]); err == nil { // a huge file is refused before it is read
		if maxFile, _, _ := env.Config.ImportLimits(); fi.Size() > maxFile {
			return a.fail(fmt.Errorf("import %s: %s: %w (or, if the file is genuine, raise the setting import.max_file_mb)", kind, pos[1],
				&masterdata.LimitError{Limit: masterdata.LimitFile, Size: fi.Size(), Max: maxFile}))
		}
	}
	data, err := os.ReadFile(pos[1])
	if err != nil {
		return a.fail(fmt.Errorf("import %s: %w", kind, err))
	}
	res, err := masterimport.Import(ctx, env.DB, masterimport.Input{Kind: kind, Name: filepath.Base(pos[1]), Data: data, Opts: masterimport.Options{Sheet: *sheet, Apply: *apply}, Config: env.Config, Who: env.Who, Now: env.Now()})
	if err != nil {
		return a.fail(err)
	}
	res.File = pos[1]
	if *asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintln(a.stdout, string(b))
	} else {
		printImport(a.stdout, res)
	}
	if len(res.Errors) > 0 {
		if !*asJSON {
			fmt.Fprintf(a.stderr, "nightly: %s: %d problem(s); nothing was stored — fix the rows above and import again\n", pos[1], len(res.Errors))
		}
		return exitFailure
	}
	return exitOK
}

func printImport(w io.Writer, r masterimport.Result) {
	for _, e := range r.Errors {
		fmt.Fprintf(w, "%s: %s\n", r.File, e.Error())
	}
	for _, c := range r.Changes {
		fmt.Fprintf(w, "%s  %s: %q → %q\n", c.Key, c.Field, c.From, c.To)
	}
	fmt.Fprintf(w, "%s (%s): %d rows, %d created, %d updated, %d unchanged\n", r.File, r.Kind, r.Rows, r.Created, r.Updated, r.Unchanged)
	switch {
	case len(r.Errors) > 0:
	case r.Applied:
		fmt.Fprintln(w, "stored.")
	default:
		fmt.Fprintln(w, "nothing was stored: existing records would change; review the differences and run again with --apply")
	}
}

func cmdExport(ctx context.Context, a *app, args []string) int {
	if firstWord(args) == "journal" {
		return cmdExportJournal(ctx, a, args)
	}
	fs, cf := newFlags(a, findCommand("export"))
	format := fs.String("format", "csv", "csv or xlsx")
	encoding := fs.String("encoding", "utf8", "CSV: utf8 (with BOM) or sjis (Shift_JIS, as Japanese Excel saves)")
	file := fs.String("file", "", "write to this file (default: standard output)")
	pos, code, ok := parseOrUsage(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	accounting := slices.Contains(ledger.AccountingKinds, pos[0])
	if _, err := masterdata.ParseKind(pos[0]); err != nil && !accounting {
		fmt.Fprintf(a.stderr, "nightly export: %v (or invoices, payments)\n", err)
		return exitUsage
	}
	o := masterdata.WriteOptions{Format: masterdata.Format(*format), Encoding: masterdata.Encoding(*encoding)}
	env, closeEnv, err := a.open(ctx, cf)
	if err != nil {
		return a.fail(err)
	}
	defer closeEnv()
	if *file == "" {
		bw := bufio.NewWriter(a.stdout)
		if accounting {
			err = ledger.ExportAccounting(ctx, env, pos[0], *format, *encoding, bw)
		} else {
			err = masterimport.Export(ctx, env.DB, pos[0], bw, o)
		}
		if err != nil {
			return a.fail(err)
		}
		if err := bw.Flush(); err != nil {
			return a.fail(err)
		}
		return exitOK
	}
	var buf bytes.Buffer
	if accounting {
		err = ledger.ExportAccounting(ctx, env, pos[0], *format, *encoding, &buf)
	} else {
		err = masterimport.Export(ctx, env.DB, pos[0], &buf, o)
	}
	if err != nil {
		return a.fail(err)
	}
	if err := env.WriteFile(*file, buf.Bytes()); err != nil {
		return a.fail(fmt.Errorf("export %s: %w", pos[0], err))
	}
	return exitOK
}
