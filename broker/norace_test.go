//go:build !race

package broker_test

// raceEnabled reports a build for the race detector.
const raceEnabled = false
