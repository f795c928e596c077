package guest

import (
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestVariantFromEnv(t *testing.T) {
	t.Setenv(spec.EnvVariant, `{"name":"TestX/tiny-1llc/llc","topology":"1n1l4c1t","flags":["llc"],"accel":"tcg"}`)
	v, err := variantFromEnv("TestX", spec.Spec{})
	if err != nil || v.Name != "TestX/tiny-1llc/llc" || v.Topology.CPUs() != 4 || v.Flags[0] != "llc" {
		t.Errorf("variant %+v, %v", v, err)
	}
	t.Setenv(spec.EnvVariant, "")
	v, err = variantFromEnv("TestY", spec.Spec{Topology: "2,2,1", RequiredFlags: []string{"a"}})
	if err != nil || v.Name != "TestY" || v.Topology.LLCs != 2 || len(v.Flags) != 1 {
		t.Errorf("base variant %+v, %v", v, err)
	}
	t.Setenv(spec.EnvVariant, "{")
	if _, err := variantFromEnv("T", spec.Spec{}); err == nil {
		t.Error("bad variant json accepted")
	}
}
