package kernel

import (
	"errors"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	got := ParseConfig([]byte(`#
# Automatically generated file; DO NOT EDIT.
CONFIG_SMP=y
# CONFIG_NUMA is not set
CONFIG_NR_CPUS=512
CONFIG_CMDLINE="console=ttyS0 panic=-1"
# a comment CONFIG_FOO=y
  CONFIG_INDENTED=m
`))
	want := map[string]string{"SMP": "y", "NUMA": "n", "NR_CPUS": "512", "CMDLINE": `"console=ttyS0 panic=-1"`, "INDENTED": "m"}
	if len(got) != len(want) {
		t.Errorf("got %d options %v, want %d", len(got), got, len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestMergeConfig(t *testing.T) {
	base := "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\nCONFIG_D=\"x\"\n"
	frag := "# fragment\nCONFIG_B=y\n# CONFIG_C is not set\nCONFIG_E=64\n"
	got := string(MergeConfig([]byte(base), frag))
	opts := ParseConfig([]byte(got))
	want := map[string]string{"A": "y", "B": "y", "C": "n", "D": `"x"`, "E": "64"}
	for k, v := range want {
		if opts[k] != v {
			t.Errorf("%s = %q, want %q in\n%s", k, opts[k], v, got)
		}
	}
	if strings.Count(got, "CONFIG_C") != 1 || strings.Count(got, "CONFIG_B") != 1 {
		t.Errorf("overridden options must appear once:\n%s", got)
	}
	if strings.Index(got, "CONFIG_A=y") > strings.Index(got, "CONFIG_B=y") {
		t.Errorf("fragment settings must come after the base:\n%s", got)
	}
}

func TestMissingOptions(t *testing.T) {
	var full strings.Builder
	for _, r := range requiredOptions {
		full.WriteString("CONFIG_" + r.Name + "=y\n")
	}
	if m := missingOptions([]byte(full.String()), "x86_64"); len(m) != 0 {
		t.Fatalf("complete config: missing %v", m)
	}
	lacking := strings.Replace(full.String(), "CONFIG_DEBUG_INFO_BTF=y", "# CONFIG_DEBUG_INFO_BTF is not set", 1)
	lacking = strings.Replace(lacking, "CONFIG_SCHED_CLASS_EXT=y\n", "", 1)
	m := missingOptions([]byte(lacking), "x86_64")
	if len(m) != 2 || m[0].Name != "SCHED_CLASS_EXT" || m[1].Name != "DEBUG_INFO_BTF" {
		t.Fatalf("missing = %v, want SCHED_CLASS_EXT and DEBUG_INFO_BTF", m)
	}
	err := CheckConfig([]byte(lacking), "x86_64")
	if !errors.Is(err, ErrConfigMissing) || !strings.Contains(err.Error(), "apt-get install dwarves") ||
		!strings.Contains(err.Error(), "CONFIG_SCHED_CLASS_EXT (needs Linux 6.12") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error = %q", err)
	}
	noSerial := strings.Replace(full.String(), "CONFIG_SERIAL_8250_CONSOLE=y\n", "", 1)
	if m := missingOptions([]byte(noSerial), "aarch64"); len(m) != 0 {
		t.Errorf("aarch64 does not need the 8250 console: %v", m)
	}
	if m := missingOptions([]byte(noSerial), "x86_64"); len(m) != 1 {
		t.Errorf("x86_64 needs the 8250 console: %v", m)
	}
}

func TestDroppedOptions(t *testing.T) {
	frag := "CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\n# CONFIG_D is not set\nCONFIG_E=512\n"
	final := "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\nCONFIG_E=64\n"
	got := DroppedOptions([]byte(final), frag)
	want := []string{"CONFIG_B=y (got n)", "CONFIG_C=n (got y)", "CONFIG_E=512 (got 64)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("dropped = %q, want %q", got, want)
	}
}

// TestFragmentIsVerified keeps the embedded fragment and the verified
// options in step: every option the build insists on must be asked for.
func TestFragmentIsVerified(t *testing.T) {
	opts := ParseConfig([]byte(Fragment))
	for _, r := range requiredOptions {
		if opts[r.Name] != "y" {
			t.Errorf("ktstr.kconfig does not set CONFIG_%s=y, which the build verifies", r.Name)
		}
	}
	// Not verified (the VM runner falls back to the bzImage), but asked
	// for: the PVH boot of the vmlinux, and HZ for lpj=.
	if opts["PVH"] != "y" || opts["HYPERVISOR_GUEST"] != "y" || opts["IKCONFIG"] != "y" {
		t.Errorf("ktstr.kconfig sets PVH=%q HYPERVISOR_GUEST=%q IKCONFIG=%q, want y for the VM runner's PVH boot and lpj=", opts["PVH"], opts["HYPERVISOR_GUEST"], opts["IKCONFIG"])
	}
}

func TestSchedExtEnabled(t *testing.T) {
	if !SchedExtEnabled([]byte("CONFIG_SCHED_CLASS_EXT=y\n")) || SchedExtEnabled([]byte("# CONFIG_SCHED_CLASS_EXT is not set\n")) {
		t.Error("SchedExtEnabled misreads the option")
	}
}
