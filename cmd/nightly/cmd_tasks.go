package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
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
						"message": x.Message, "action": x.Action, "suggestions": json.RawMessage(x.Suggestions)})
					fmt.Fprintln(a.stdout, string(b))
					continue
				}
				fmt.Fprintf(a.stdout, "%s  %s  %s\n  → %s\n", x.NKey, jobs.ExceptionKindName(x.Kind), x.Message, x.Action)
			}
			return exitOK
		case pos[0] == "close" && len(pos) == 2:
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
