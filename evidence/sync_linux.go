package evidence

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// syncAll returns the flush of many files of the store rooted at dir: one syncfs of
// its file system, which writes back every dirty file and directory entry there (and
// reports a write-back error of any, Linux 5.8+). Thousands of PDFs of a night then cost
// one flush, not one each.
func syncAll(dir string) func([]string) error {
	return func([]string) error {
		d, err := os.Open(dir)
		if err != nil {
			return fmt.Errorf("evidence: flush %s: %w", dir, err)
		}
		defer d.Close()
		if err := unix.Syncfs(int(d.Fd())); err != nil {
			return fmt.Errorf("evidence: flush %s: %w", dir, err)
		}
		return nil
	}
}
