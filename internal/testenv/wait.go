package testenv

import (
	"os"
	"runtime"
	"strconv"
	"time"
)

// Scaled stretches a time limit measured on a quiet developer machine to the machine running
// the tests: longer under the race detector and on few cores, where CI runs every package at
// once. TEST_TIME_SCALE, when set to a number, replaces the computed factor.
func Scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * timeScale())
}

func timeScale() float64 {
	if v, err := strconv.ParseFloat(os.Getenv("TEST_TIME_SCALE"), 64); err == nil && v > 0 {
		return v
	}
	f := 1.0
	if raceEnabled {
		f *= 4
	}
	if runtime.GOMAXPROCS(0) < 4 {
		f *= 2
	}
	return f
}
