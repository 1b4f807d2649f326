// Command nightly is the back-office night of nPress: bank feed, mail intake, orders,
// contract lifecycle, invoicing and the morning report. `nightly help` lists commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfiles := startProfiles(os.Getenv)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stopProfiles()
	stop()
	os.Exit(code)
}
