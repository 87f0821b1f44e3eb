//go:build race

package testenv

// raceEnabled: the race detector makes code several times slower.
const raceEnabled = true
