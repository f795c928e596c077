package gauntlet

import "testing"

func TestIsGuestInit(t *testing.T) {
	for _, tc := range []struct {
		pid  int
		args []string
		want bool
	}{
		{1, []string{"/init"}, true},
		{1, []string{"/app/pkg.test"}, false}, // PID 1 of a container
		{42, []string{"/init"}, false},
		{1, nil, false},
	} {
		if got := isGuestInit(tc.pid, tc.args); got != tc.want {
			t.Errorf("isGuestInit(%d, %q) = %v", tc.pid, tc.args, got)
		}
	}
}
