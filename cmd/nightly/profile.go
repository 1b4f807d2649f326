package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes the CPU, block and mutex profiles of the whole command to
// PREFIX.cpu, PREFIX.block and PREFIX.mutex when NIGHTLY_PPROF=PREFIX is set (how the
// figures of README's Performance section were found). The returned function stops
// and writes them.
func startProfiles(getenv func(string) string) func() {
	prefix := getenv("NIGHTLY_PPROF")
	if prefix == "" {
		return func() {}
	}
	f, err := os.Create(prefix + ".cpu")
	if err != nil {
		return func() {}
	}
	runtime.SetBlockProfileRate(100_000) // one sample per 100 µs blocked
	runtime.SetMutexProfileFraction(10)
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		for _, name := range []string{"block", "mutex"} {
			if w, err := os.Create(prefix + "." + name); err == nil {
				pprof.Lookup(name).WriteTo(w, 0)
				w.Close()
			}
		}
	}
}
