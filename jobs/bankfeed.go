package jobs

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/npress/nightly/bankfeed"
	"github.com/npress/nightly/store"
)

// BankFeed is the bank feed step (SPEC §5.1 step 1, §6): every file in the inbox's
// bank/ folder, in name order, is surveyed (hashed, validated whole) and handled in one
// transaction by bankFile: kept as evidence, its new transfers stored, matched and
// applied, its cancellations reversed; a malformed one is kept, reported with its
// records and fields, and moved to rejected/bank/; a file seen before (same SHA-256) is
// skipped. Then it moves to archive/bank/YYYY-MM-DD/. A crash before the move leaves
// the file in the inbox, and the rerun finds it recorded and only moves it. In a dry
// run nothing moves. A Zengin file above 64 MiB is never read whole.
func BankFeed(ctx context.Context, n *Night) (Result, error) {
	res := newResult()
	dir := filepath.Join(n.Config.InboxDir, "bank")
	names, err := n.inboxFiles(ctx, dir, res)
	if err != nil {
		return res, err
	}
	res.Seen["bank_files"] = len(names)
	if len(names) == 0 {
		n.progress("  bank: no file in %s", dir)
		return res, nil
	}
	opts, norm := bankfeed.ParseOptionsFrom(n.Config.Bank, n.Date), bankfeed.NormalizerFrom(n.Config.Bank)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		path := filepath.Join(dir, name)
		out, err := n.bankPath(ctx, name, path, opts, norm)
		if err != nil {
			return res, fmt.Errorf("bank file %s: %w", path, err)
		}
		if err := n.fault("bankfeed.after_commit"); err != nil {
			return res, err
		}
		out.count(res)
		if n.DryRun {
			continue
		}
		target, err := n.moveInboxFile(path, "bank", out.status == store.BankFileRejected)
		if err != nil {
			return res, fmt.Errorf("bank file %s: %w", path, err)
		}
		n.progress("  bank file %s (%s) → %s", name, out.status, target)
	}
	return res, nil
}

// bankPath surveys the bank file at path and handles it in one transaction.
func (n *Night) bankPath(ctx context.Context, name, path string, opts bankfeed.ParseOptions, norm *bankfeed.Normalizer) (fileOutcome, error) {
	src, err := openBankSource(path, name, opts, norm)
	if err != nil {
		return fileOutcome{}, err
	}
	if _, big := src.(*fileSource); big {
		n.progress("  bank file %s: large file, streamed", name)
	}
	sv, err := src.survey()
	if err != nil {
		return fileOutcome{}, err
	}
	var out fileOutcome
	err = n.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if out, err = n.bankFile(ctx, tx, name, src, sv); err != nil {
			return err
		}
		return n.fault("bankfeed.before_commit")
	})
	return out, err
}

// abs64 is the absolute value of v.
func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// accountKeys maps each account of a bank CSV as written to its key (SPEC §6.1): a row
// without an account takes the profile's default_account (set by the parser),
// `[bank] default_account` for the built-in standard profile, else the only account
// the reseller has configured or the night has seen, else stays "" (stored and held for
// staff, never dropped); a bare account number takes the key of the one known Zengin
// account with that number, so that both files are of one account. Zengin accounts
// keep their keys.
func (n *Night) accountKeys(ctx context.Context, q sqlx.ExtContext, sv bankfeed.Survey) (map[string]string, error) {
	keys := map[string]string{}
	if !strings.HasPrefix(sv.Format, "csv:") {
		return keys, nil
	}
	for _, a := range sv.Accounts {
		k := a.Key
		switch {
		case k == "":
			def, err := n.defaultAccount(ctx, q, sv.Format)
			if err != nil {
				return nil, err
			}
			k = def
			if k == "" || strings.Contains(k, "-") {
				break
			}
			fallthrough
		case !strings.Contains(k, "-"):
			known, err := store.AccountKeyByNumber(ctx, q, k)
			if err != nil {
				return nil, err
			}
			if known != "" {
				k = known
			}
		}
		keys[a.Key] = k
	}
	return keys, nil
}

// defaultAccount is the account of the rows of a CSV without one: `[bank]
// default_account` for the built-in standard profile, else the only account
// configured or seen; "" when that cannot be decided.
func (n *Night) defaultAccount(ctx context.Context, q sqlx.ExtContext, format string) (string, error) {
	if format == "csv:standard" && n.Config.Bank.DefaultAccount != "" {
		return n.Config.Bank.DefaultAccount, nil
	}
	known := map[string]bool{}
	for _, a := range n.Config.Bank.Accounts {
		known[a.Account] = true
	}
	keys, err := store.AccountKeys(ctx, q)
	if err != nil {
		return "", err
	}
	for _, k := range keys {
		known[k] = true
	}
	if len(known) != 1 {
		return "", nil
	}
	for k := range known {
		return k, nil
	}
	return "", nil
}
