//go:build race

package bankfeed

// slowdown is how much slower the race detector makes the matcher's search: time
// limits of tests are multiplied by it, so that they still catch a search without a
// bound but not the detector's cost.
const slowdown = 20
