package jobs

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// FaultPoints lists every named point where tests may stop a night (NIGHTLY_FAULTS,
// tests only). A point fires as "NAME" (the process kills itself with SIGKILL, as a
// power cut or `kill -9` would), "NAME:error" (the step returns an error) or
// "NAME:sleep=5s" (it pauses, so that a test can restart the database meanwhile). Every
// point must have a kill test (see faults_test.go).
var FaultPoints = []string{
	"bankfeed.before_commit",
	"bankfeed.after_commit", // committed, the bank file not yet moved
	"mail.after_evidence",   // messages kept as evidence, their requests not committed
	"mail.after_commit",     // committed, the messages not yet moved on the server
	"orders.before_commit",
	"orders.after_commit", // committed, the order file not yet moved
	"lifecycle.before_commit",
	"lifecycle.after_commit",
	"invoicing.before_commit",
	"invoicing.after_commit", // numbers committed, PDFs not yet stored
	"invoicing.pdfs_stored",  // a page's PDFs stored as evidence, their rows not yet committed
	"invoicing.pdf_write",    // while writing the PDFs and the bundle
	"report.before_write",
	"run.before_ledger_end", // every step done, the run ledger not yet closed
}

// ErrFault is returned by a fault point fired in "error" mode.
var ErrFault = fmt.Errorf("injected fault")

type faultSet map[string]string

func parseFaults(spec string) faultSet {
	if spec == "" {
		return nil
	}
	fs := faultSet{}
	for _, f := range strings.Split(spec, ",") {
		name, mode, _ := strings.Cut(strings.TrimSpace(f), ":")
		if name != "" {
			fs[name] = mode
		}
	}
	return fs
}

// fault fires the named point if it was switched on.
func (n *Night) fault(name string) error {
	mode, ok := n.faults[name]
	if !ok {
		return nil
	}
	if mode == "error" {
		return fmt.Errorf("%s: %w", name, ErrFault)
	}
	if d, ok := strings.CutPrefix(mode, "sleep="); ok { // a pause, for tests that act on the world meanwhile
		if dur, err := time.ParseDuration(d); err == nil {
			time.Sleep(dur)
			return nil
		}
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL cannot be caught; wait for it
}
