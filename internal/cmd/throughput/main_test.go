package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/budget"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestMeasureAndPrint(t *testing.T) {
	res := &budget.Results{WallS: 100, Slots: 2, Variants: []budget.VariantResult{
		{Variant: "TestA", Outcome: spec.OutcomePass, TestS: 20},
		{Variant: "TestB", Outcome: spec.OutcomeInconclusive, TestS: 10, Attempts: []budget.Attempt{{}}},
		{Variant: "TestC", Outcome: spec.OutcomeSkip, TestS: 0},
		{Variant: "TestD", Outcome: spec.OutcomePass, TestS: 0, SharedBoot: "gauntlet-1-1"}, // ran in TestA's VM
	}}
	r := measure(res, "/runs/x")
	if r.ran != 4 || r.boots != 4 || r.scenarioS != 30 || r.slots != 2 || r.wallS != 100 {
		t.Fatalf("measure = %+v", r)
	}
	r.pass = "cold"
	var b strings.Builder
	printRows(&b, 2*time.Minute, []row{r})
	out := b.String()
	// 4 variants in a 2-minute budget; 4 boots for 4 variants; 30 s of 200 slot-seconds.
	for _, want := range []string{"cold", " 2.00 ", " 1.00 ", "30.0", "200.0", "15%", "100s / 120s (83%)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestNewest(t *testing.T) {
	before := []string{"r/1/results.json"}
	after := []string{"r/3/results.json", "r/1/results.json", "r/2/results.json"}
	if got := newest(after, before); got != "r/3/results.json" {
		t.Errorf("newest = %q", got)
	}
	if got := newest(before, before); got != "" {
		t.Errorf("newest with nothing new = %q", got)
	}
}
