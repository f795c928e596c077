package guest

import (
	"strings"
	"testing"
	"time"
)

func TestWorkerCount(t *testing.T) {
	if (CgroupSpec{}).workerCount(2) != 2 || (CgroupSpec{Workers: 4}).workerCount(2) != 4 {
		t.Error("a zero worker count must take the default")
	}
	nested := CgroupSpec{Name: "outer", Workers: 3, Children: []CgroupSpec{{Name: "a"}}}
	if nested.workerCount(2) != 0 {
		t.Error("a cgroup with children runs no workers")
	}
}

func TestCgroupSpecValidate(t *testing.T) {
	pipe := WorkSpec{Kind: KindPipeIO}
	cases := []struct {
		def  CgroupSpec
		want string
	}{
		{CgroupSpec{}, "cgroup name"},
		{CgroupSpec{Name: "a/b"}, "cgroup name"},
		{CgroupSpec{Name: "-x"}, "cgroup name"},
		{CgroupSpec{Name: "p", Work: pipe, Workers: 3}, "even worker count"},
		{CgroupSpec{Name: "n", Nice: 20}, "nice 20"},
		{CgroupSpec{Name: "r", Policy: PolicySpec{Policy: SchedFIFO}}, "priority must be 1-99"},
		{CgroupSpec{Name: "w", Workers: MaxWorkers + 1}, "workers"},
		{CgroupSpec{Name: "b", Work: WorkSpec{Kind: KindBursty, Sleep: time.Millisecond}}, "burst above 0"},
		{CgroupSpec{Name: "s", Work: WorkSpec{Kind: KindSequence}}, "at least one phase"},
		{CgroupSpec{Name: "u", Work: WorkSpec{Kind: "Nope"}}, `unknown work type "Nope"`},
		{CgroupSpec{Name: "o", Children: []CgroupSpec{{Name: "x"}, {Name: "x"}}}, `two children named "x"`},
		{CgroupSpec{Name: "o", Children: []CgroupSpec{{Name: "bad name"}}}, "in o: cgroup name"},
	}
	for _, c := range cases {
		err := c.def.validate(2)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want it to mention %q", c.def.Name, err, c.want)
		}
	}
	ok := CgroupSpec{Name: "cg_1", Workers: 2, Work: WorkSpec{Kind: KindBursty, Burst: 50 * time.Millisecond, Sleep: 100 * time.Millisecond},
		Policy: PolicySpec{Policy: SchedRR, Prio: 10}, Nice: -5}
	if err := ok.validate(2); err != nil {
		t.Errorf("valid def rejected: %v", err)
	}
}
