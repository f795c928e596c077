package guest

import (
	"strings"
	"testing"
	"time"
)

func TestCgroupDefIsAValue(t *testing.T) {
	base := Cgroup("cg_0")
	four := base.Workers(4)
	if base.workerCount(2) != 2 || four.workerCount(2) != 4 {
		t.Errorf("setters must return copies: base %d, four %d", base.workerCount(2), four.workerCount(2))
	}
	nested := Cgroup("outer").Workers(3).Nested(Cgroup("a"))
	if nested.workerCount(2) != 0 {
		t.Error("a cgroup with children runs no workers")
	}
}

func TestCgroupDefValidate(t *testing.T) {
	cases := []struct {
		def  CgroupDef
		want string
	}{
		{Cgroup(""), "cgroup name"},
		{Cgroup("a/b"), "cgroup name"},
		{Cgroup("-x"), "cgroup name"},
		{Cgroup("p").WorkType(PipeIo()).Workers(3), "even worker count"},
		{Cgroup("n").Nice(20), "nice 20"},
		{Cgroup("r").Policy(PolicyFIFO(0)), "priority must be 1-99"},
		{Cgroup("w").Workers(maxWorkersPerCgroup + 1), "workers"},
		{Cgroup("b").WorkType(Bursty(0, time.Millisecond)), "burst above 0"},
		{Cgroup("s").WorkType(Sequence()), "at least one phase"},
		{Cgroup("o").Nested(Cgroup("x"), Cgroup("x")), `two children named "x"`},
		{Cgroup("o").Nested(Cgroup("bad name")), "in o: cgroup name"},
	}
	for _, c := range cases {
		err := c.def.validate(2)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want it to mention %q", c.def.name, err, c.want)
		}
	}
	ok := Cgroup("cg_1").Workers(2).WorkType(Bursty(50*time.Millisecond, 100*time.Millisecond)).Policy(PolicyRR(10)).Nice(-5)
	if err := ok.validate(2); err != nil {
		t.Errorf("valid def rejected: %v", err)
	}
}
