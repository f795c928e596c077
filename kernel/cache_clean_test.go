package kernel

import (
	"strings"
	"testing"
)

func keys(es []CacheEntry) string {
	var k []string
	for _, e := range es {
		k = append(k, e.Key)
	}
	return strings.Join(k, " ")
}

func TestPlanClean(t *testing.T) {
	c := fixtureCache(t)
	entries, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	corrupt := "6.1.0-tarball-x86_64 6.2.0-tarball-x86_64 6.3.0-tarball-x86_64 6.4.0-tarball-x86_64 stray-file"
	for _, tt := range []struct {
		keep int
		want string
	}{
		{0, "6.13.1-tarball-x86_64 6.12.117-file-0123abcd-x86_64 6.12.8-tarball-x86_64 " + corrupt},
		{1, "6.12.117-file-0123abcd-x86_64 6.12.8-tarball-x86_64 " + corrupt},
		{2, "6.12.8-tarball-x86_64 " + corrupt},
		{3, corrupt},
		{10, corrupt},
	} {
		plan, err := PlanClean(entries, tt.keep)
		if err != nil || keys(plan) != tt.want {
			t.Errorf("keep %d: %q, %v\nwant %q", tt.keep, keys(plan), err, tt.want)
		}
	}
	if _, err := PlanClean(entries, -1); err == nil || !strings.Contains(err.Error(), "keep -1: want 0 or more") {
		t.Errorf("keep -1: %v", err)
	}
}

func TestClean(t *testing.T) {
	c := fixtureCache(t)
	removed, err := c.Clean(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 7 {
		t.Errorf("removed %q", keys(removed))
	}
	left, err := c.List()
	if err != nil || keys(left) != "6.13.1-tarball-x86_64" || !left[0].Valid() {
		t.Errorf("left %q, %v; want only the newest valid entry", keys(left), err)
	}
	// The fixture's staging directory belongs to PID 1, a live writer.
	if h := hidden(t, c); len(h) != 1 || h[0] != ".stage-6.9.0-tarball-x86_64-1-abc" {
		t.Errorf("hidden entries %v, want only the live writer's staging kept", h)
	}
}
