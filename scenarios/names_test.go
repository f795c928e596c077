package scenarios_test

import (
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/scenarios"
)

func TestByName(t *testing.T) {
	names := scenarios.Names()
	if len(names) < 40 || names[0] != "steady" || len(scenarios.LoadNames()) != len(names)-13 {
		t.Fatalf("names %v", names)
	}
	for _, n := range names {
		if fn, err := scenarios.ByName(n); err != nil || fn == nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := scenarios.ByName("nope"); err == nil || !strings.Contains(err.Error(), "cpuset_apply") {
		t.Errorf("unknown name: %v; want the known names listed", err)
	}
	if _, err := scenarios.ByName("staedy"); err == nil || !strings.Contains(err.Error(), `unknown scenario "staedy" (did you mean "steady"?)`) {
		t.Errorf("near miss: %v; want a did-you-mean hint", err)
	}
}

func TestNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range scenarios.Names() {
		if seen[n] {
			t.Errorf("duplicate scenario %q", n)
		}
		seen[n] = true
	}
}
