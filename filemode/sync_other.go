//go:build !linux

package filemode

import "os"

// syncFiles makes the files written into dir durable, one flush each.
func syncFiles(_ string, files []string) error {
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
