package spec

import (
	"regexp"
	"testing"
)

func TestRunPattern(t *testing.T) {
	for name, want := range map[string]string{
		"TestX":                      "^TestX$",
		"TestA/sub.1":                `^TestA$/^sub\.1$`,
		"TestX/tiny-1llc/default":    "^TestX$/^tiny-1llc$/^default$",
		"TestX/smt-2llc/lb+no_cache": `^TestX$/^smt-2llc$/^lb\+no_cache$`,
	} {
		if got := RunPattern(name); got != want {
			t.Errorf("RunPattern(%q) = %q, want %q", name, got, want)
		}
	}
	// go test matches each '/'-separated element separately.
	top := regexp.MustCompile(`^TestA$`)
	if top.MatchString("TestAB") || !top.MatchString("TestA") {
		t.Error("the first element must match TestA only")
	}
}

func TestSchedulerGuestPath(t *testing.T) {
	if got := SchedulerGuestPath("/home/me/scx_simple"); got != "/gauntlet/sched/scx_simple" {
		t.Errorf("SchedulerGuestPath = %q", got)
	}
}
