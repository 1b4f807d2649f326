package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/wording"
)

func cmdTasks(ctx context.Context, a *app, args []string) int {
	c := findCommand("tasks")
	fs, cf := newFlags(a, c)
	asJSON := fs.Bool("json", false, "list: one JSON object per task")
	return a.withSubcommand(ctx, fs, cf, args, func(env *jobs.Env, pos []string) int {
		switch {
		case pos[0] == "list" && len(pos) == 1:
			ts, err := store.OpenTasks(ctx, env.DB)
			if err != nil {
				return a.fail(err)
			}
			for _, t := range ts {
				if *asJSON {
					b, _ := json.Marshal(map[string]any{"id": t.NKey, "kind": t.Kind, "contract": t.ContractNo, "order": t.OrderNo,
						"invoice": t.InvoiceNumber, "due_date": t.DueDate.String(), "detail": t.Detail})
					fmt.Fprintln(a.stdout, string(b))
					continue
				}
				fmt.Fprintf(a.stdout, "%s  期限 %s  %s\n", t.NKey, t.DueDate, t.Detail)
			}
			return exitOK
		case pos[0] == "done" && len(pos) == 2:
			if err := jobs.CompleteTask(ctx, env, pos[1]); err != nil {
				return a.fail(err)
			}
			fmt.Fprintf(a.stdout, "%s: done\n", pos[1])
			return exitOK
		}
		fs.Usage()
		return exitUsage
	})
}

func cmdExceptions(ctx context.Context, a *app, args []string) int {
	c := findCommand("exceptions")
	fs, cf := newFlags(a, c)
	asJSON := fs.Bool("json", false, "list: one JSON object per exception")
	why := fs.String("why", "", "close: what was done, kept in the audit trail")
	refund := fs.Int64("refund", 0, "close: the yen refunded to the customer, for an exception that holds money (exactly what it holds)")
	on := fs.String("on", "", "close --refund: the day the refund was made (YYYY-MM-DD)")
	return a.withSubcommand(ctx, fs, cf, args, func(env *jobs.Env, pos []string) int {
		switch {
		case pos[0] == "list" && len(pos) == 1:
			xs, err := store.OpenExceptions(ctx, env.DB)
			if err != nil {
				return a.fail(err)
			}
			for _, x := range xs {
				if *asJSON {
					b, _ := json.Marshal(map[string]any{"id": x.NKey, "run_date": x.RunDate.String(), "kind": x.Kind, "subject": x.Subject,
						"message": x.Message, "action": x.Action, "suggestions": suggestionsOrNone(x.Suggestions), "held": x.Held})
					fmt.Fprintln(a.stdout, string(b))
					continue
				}
				fmt.Fprintf(a.stdout, "%s  %s  %s\n  → %s\n", x.NKey, wording.ExceptionKinds.Name(x.Kind), x.Message, x.Action)
			}
			return exitOK
		case pos[0] == "close" && len(pos) == 2 && *refund != 0:
			day, err := calendar.ParseDate(*on)
			if err != nil {
				fmt.Fprintf(a.stderr, "nightly: exceptions close --refund: --on %q: %v (the day the refund was made, YYYY-MM-DD)\n", *on, err)
				return exitUsage
			}
			if err := jobs.RefundException(ctx, env, pos[1], *refund, day, *why); err != nil {
				return a.fail(err)
			}
			fmt.Fprintf(a.stdout, "%s: closed, refund of %s on %s recorded\n", pos[1], wording.Yen(*refund), day)
			return exitOK
		case pos[0] == "close" && len(pos) == 2:
			if *on != "" {
				fmt.Fprintln(a.stderr, "nightly: exceptions close: --on goes with --refund YEN")
				return exitUsage
			}
			if err := jobs.CloseException(ctx, env, pos[1], *why); err != nil {
				return a.fail(err)
			}
			fmt.Fprintf(a.stdout, "%s: closed\n", pos[1])
			return exitOK
		}
		fs.Usage()
		return exitUsage
	})
}

// findCommand returns the registered command with name.
func findCommand(name string) command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return command{name: name}
}

// suggestionsOrNone is an exception's suggestions for JSON: [] rather than null.
func suggestionsOrNone(s store.Suggestions) store.Suggestions {
	if s == nil {
		return store.Suggestions{}
	}
	return s
}
