package run

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/report"
)

// fakeKernels is a [Runner.FindKernel] over two fake kernels of one
// version: a Debian-like one without sched_ext and a sched_ext build.
func fakeKernels(id string) (kernel.Kernel, error) {
	no, yes := false, true
	switch id {
	case "deb":
		return kernel.Kernel{Path: "/boot/vmlinuz-6.12.117+deb12-cloud-amd64", Release: "6.12.117+deb12-cloud-amd64", SchedExt: &no}, nil
	case "scx":
		return kernel.Kernel{Path: "/k/bzImage-6.12-scx", Release: "6.12.117", SchedExt: &yes}, nil
	case "":
		return kernel.Kernel{Path: "/fake/bzImage", Step: "test"}, nil
	}
	return kernel.Kernel{}, usageErrorf("--kernel %s: no such file", id)
}

// A run with two kernels boots every variant on each, the variants with
// a scheduler only on the kernel that has sched_ext; JUnit, the tables
// and results.json name the kernel.
func TestRunTwoKernels(t *testing.T) {
	t.Parallel()
	f := failOn("")
	r := testRunner(f)
	r.FindKernel = fakeKernels
	cfg, stdout := testConfig(t, "tiny-1llc")
	cfg.Kernels = []string{"deb", "scx"}
	res, err := r.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	booted := map[string]int{}
	for _, c := range f.cfgs {
		label := c.Variant.Name[strings.LastIndexByte(c.Variant.Name, '/')+1:]
		want := map[string]string{"6.12.117-deb12": "/boot/vmlinuz-6.12.117+deb12-cloud-amd64", "6.12.117-scx": "/k/bzImage-6.12-scx"}[label]
		if c.Kernel != want || c.Variant.Kernel != label {
			t.Errorf("%s booted %s (variant kernel %q), want %s", c.Variant.Name, c.Kernel, c.Variant.Kernel, want)
		}
		if strings.HasPrefix(c.Variant.Name, "TestFlags") && label != "6.12.117-scx" {
			t.Errorf("%s: a scheduler test on the kernel without sched_ext", c.Variant.Name)
		}
		booted[label]++
	}
	if booted["6.12.117-deb12"] == 0 || booted["6.12.117-scx"] <= booted["6.12.117-deb12"] {
		t.Errorf("booted per kernel %v; want both, more on the sched_ext one", booted)
	}
	for _, want := range []string{"kernels 6.12.117-deb12=/boot/vmlinuz-6.12.117+deb12-cloud-amd64, 6.12.117-scx=/k/bzImage-6.12-scx", "| kernel "} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	junit, err := readJUnitPath(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range report.CasesFromJUnit(junit) {
		if !c.Host() && (c.KernelLabel == "" || !strings.HasSuffix(c.Variant, "/"+c.KernelLabel)) {
			t.Errorf("JUnit case %s: kernel label %q", c.Variant, c.KernelLabel)
		}
	}
	rs, err := readResultsFile(filepath.Join(res.Dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rs.Variants {
		if v.KernelLabel == "" || !strings.HasSuffix(v.Variant, "/"+v.KernelLabel) {
			t.Errorf("results.json %s: kernel label %q", v.Variant, v.KernelLabel)
		}
	}
}

// Bad --kernel values are usage errors naming them.
func TestRunBadKernels(t *testing.T) {
	t.Parallel()
	for ids, want := range map[string]string{
		"deb,nope":     "--kernel nope: no such file",
		"deb,deb":      "name the same image",
		"a=deb,a=scx":  "two kernels are labelled a",
		"a/b=deb":      "--kernel a/b=deb: no such file", // not a label: the whole is the kernel
		"deb,6.12=scx": "",
	} {
		r := testRunner(&fakeVMs{})
		r.FindKernel = fakeKernels
		_, _, err := r.PlanKernels(strings.Split(ids, ","))
		var ue *UsageError
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", ids, err)
		case want != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: %v, want a usage error with %q", ids, err, want)
		}
	}
}

// Without --kernel the sched_ext kernel takes the scheduler variants,
// labelled apart from the discovered kernel; when both are one image it
// is one kernel.
func TestPlanKernelsFallback(t *testing.T) {
	t.Parallel()
	r := testRunner(&fakeVMs{})
	r.FindKernel = func(string) (kernel.Kernel, error) { return fakeKernels("deb") }
	scx, _ := fakeKernels("scx")
	r.SchedExtKernel = func() (*kernel.Kernel, error) { return &scx, nil }
	ks, sx, err := r.PlanKernels(nil)
	if err != nil || len(ks) != 1 || sx == nil || ks[0].Label != "6.12.117-deb12" || sx.Label != "6.12.117-scx" || sx.NoSchedExt != "" {
		t.Fatalf("PlanKernels: %+v %+v %v", ks, sx, err)
	}
	if !strings.Contains(ks[0].NoSchedExt, "set GAUNTLET_SCX_KERNEL") {
		t.Errorf("no-sched_ext reason without --kernel: %q", ks[0].NoSchedExt)
	}
	r.FindKernel = func(string) (kernel.Kernel, error) { return fakeKernels("scx") }
	ks, sx, err = r.PlanKernels(nil)
	if err != nil || len(ks) != 1 || sx != nil || ks[0].Label != "6.12.117" {
		t.Errorf("one image for both: %+v %+v %v", ks, sx, err)
	}
}
