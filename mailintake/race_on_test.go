//go:build race

package mailintake

// slowdown is how much slower the race detector makes reading a big message: the
// 10-second limit of SPEC's 25 MB rule is checked without it (go test ./...), and under
// it only as a bound against a read that does not end.
const slowdown = 5
