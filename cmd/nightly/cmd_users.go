package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
	"github.com/npress/nightly/web"
)

// cmdUsers manages the people who may log in to the web UI.
func cmdUsers(ctx context.Context, a *app, args []string) int {
	c := findCommand("users")
	fs, cf := newFlags(a, c)
	role := fs.String("role", "", "add: viewer (reads), finance (acts on exceptions, tasks, holds, reruns) or admin")
	pwFile := fs.String("password-file", "", "add: read the password from the first line of this file (default: ask on the terminal)")
	return a.withSubcommand(ctx, fs, cf, args, func(env *jobs.Env, pos []string) int {
		switch {
		case pos[0] == "list" && len(pos) == 1:
			us, err := store.ListUsers(ctx, env.DB)
			if err != nil {
				return a.fail(err)
			}
			for _, u := range us {
				state := ""
				if u.Disabled {
					state = "  (disabled)"
				}
				fmt.Fprintf(a.stdout, "%-20s %-8s created %s by %s%s\n", u.Name, u.Role, u.CreatedAt.Format("2006-01-02"), u.CreatedBy, state)
			}
			return exitOK
		case pos[0] == "add" && len(pos) == 2:
			if *role == "" {
				fmt.Fprintln(a.stderr, "nightly users add: say the role with --role viewer|finance|admin")
				return exitUsage
			}
			pw, err := a.readPassword(*pwFile, pos[1])
			if err != nil {
				return a.fail(err)
			}
			if err := web.AddUser(ctx, env.DB, env.Who, env.Now(), pos[1], *role, pw); err != nil {
				if errors.Is(err, store.ErrUserExists) {
					return a.fail(fmt.Errorf("%w (see `nightly users list`)", err))
				}
				return a.fail(err)
			}
			fmt.Fprintf(a.stdout, "%s: added as %s\n", pos[1], *role)
			return exitOK
		}
		fs.Usage()
		return exitUsage
	})
}

// readPassword reads the new user's password from a file (its first line) or, on a
// terminal, asks for it twice without echo.
func (a *app) readPassword(file, name string) (string, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("--password-file: %w", err)
		}
		defer f.Close()
		line, err := bufio.NewReader(f).ReadString('\n')
		if line == "" && err != nil {
			return "", fmt.Errorf("--password-file %s: empty", file)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	in, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return "", errors.New("no terminal to ask for the password on: give --password-file FILE")
	}
	fmt.Fprintf(a.stderr, "password for %s: ", name)
	p1, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(a.stderr, "again: ")
	p2, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if string(p1) != string(p2) {
		return "", errors.New("the two passwords differ")
	}
	return string(p1), nil
}

// serveDemo keeps the web UI running on the demo data until ctx ends, with a demo
// administrator whose random password is printed.
func (a *app) serveDemo(ctx context.Context, env *jobs.Env, addr string) int {
	var b [12]byte
	rand.Read(b[:])
	pw := base64.RawURLEncoding.EncodeToString(b[:])
	env.Who = "demo"
	if err := web.AddUser(ctx, env.DB, env.Who, env.Now(), "demo", store.RoleAdmin, pw); err != nil {
		return a.fail(err)
	}
	h, err := web.New(webDeps(env), web.Options{})
	if err != nil {
		return a.fail(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return a.fail(fmt.Errorf("--http %s: %w", addr, err))
	}
	fmt.Fprintf(a.stdout, "\nweb UI: http://%s/  (login: demo / %s, role admin; Ctrl-C stops it)\n", ln.Addr(), pw)
	if err := web.ServeListener(ctx, ln, h, env.Log); err != nil {
		return a.fail(err)
	}
	return exitOK
}
