package main

import "testing"

func TestParseSeedArgs(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int
		ok   bool
	}{
		{nil, 0, true}, {[]string{"--scale", "2000"}, 2000, true}, {[]string{"--scale=5"}, 5, true},
		{[]string{"--scale", "0"}, 0, false}, {[]string{"--scale", "x"}, 0, false}, {[]string{"--scale"}, 0, false},
		{[]string{"extra"}, 0, false},
	} {
		got, err := parseSeedArgs(c.args)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%v: %d %v", c.args, got, err)
		}
	}
}
