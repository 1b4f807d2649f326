// Package layout holds no code: its test checks the limits DEVELOPERS.md sets for the
// whole repository (file and function sizes, the size of jobs/, SQL only in store/,
// `testing` only in tests, web independent of jobs), so that `go test ./...` fails the
// change that breaks one.
package layout
