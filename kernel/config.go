package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrConfigMissing means a kernel's final .config lacks options the
// harness needs.
var ErrConfigMissing = errors.New("kernel config lacks options the harness needs")

// configLine reads one .config line: "CONFIG_X=v" gives ("X", "v"),
// "# CONFIG_X is not set" gives ("X", "n"); anything else ok=false.
func configLine(line string) (name, value string, ok bool) {
	line = strings.TrimSpace(line)
	if rest, found := strings.CutPrefix(line, "# CONFIG_"); found {
		name, found = strings.CutSuffix(rest, " is not set")
		return name, "n", found && name != "" && !strings.ContainsRune(name, ' ')
	}
	rest, found := strings.CutPrefix(line, "CONFIG_")
	if !found {
		return "", "", false
	}
	name, value, found = strings.Cut(rest, "=")
	return name, value, found && name != ""
}

// ParseConfig returns the options a .config or fragment sets, by name
// without the CONFIG_ prefix; "is not set" reads as "n", and a later
// line for an option wins. Lines of any length are read.
func ParseConfig(data []byte) map[string]string {
	opts := map[string]string{}
	for line := range bytes.Lines(data) {
		if name, value, ok := configLine(string(line)); ok {
			opts[name] = value
		}
	}
	return opts
}

// MergeConfig applies fragment to base the way scripts/kconfig/merge_config.sh
// does: every option the fragment sets replaces base's line for it, and
// the fragment's settings are appended in order. Run olddefconfig after.
func MergeConfig(base []byte, fragment string) []byte {
	set := ParseConfig([]byte(fragment))
	var out bytes.Buffer
	for line := range bytes.Lines(base) {
		if name, _, ok := configLine(string(line)); ok && set[name] != "" {
			continue
		}
		out.Write(bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r")))
		out.WriteString("\n")
	}
	out.WriteString("# merged from the gauntlet config fragment\n")
	for _, line := range strings.Split(fragment, "\n") {
		if _, _, ok := configLine(line); ok {
			out.WriteString(strings.TrimSpace(line) + "\n")
		}
	}
	return out.Bytes()
}

// missingOption is a needed option a final .config does not have, with
// what usually turns it off and how to fix that.
type missingOption struct {
	Name, Hint string
}

func (m missingOption) String() string { return "CONFIG_" + m.Name + " (" + m.Hint + ")" }

// requirement is an option the harness needs, with the hint shown when a
// build lost it. Arch limits it to one architecture ("" = all).
type requirement struct {
	Name, Hint, Arch string
}

const depHint = "its dependencies are off; add them to ktstr.kconfig"

// requiredOptions are checked in every built kernel's final .config:
// Kconfig drops an option silently when a dependency or a tool is missing.
var requiredOptions = []requirement{
	{Name: "SCHED_CLASS_EXT", Hint: "needs Linux 6.12 or newer with BPF_SYSCALL, BPF_JIT and DEBUG_INFO_BTF"},
	{Name: "BPF_SYSCALL", Hint: depHint},
	{Name: "BPF_JIT", Hint: depHint},
	{Name: "DEBUG_INFO_BTF", Hint: "needs pahole 1.16 or newer when configuring: apt-get install dwarves"},
	{Name: "BPF_EVENTS", Hint: "needs KPROBE_EVENTS and PERF_EVENTS"},
	{Name: "KPROBES", Hint: depHint},
	{Name: "FTRACE", Hint: depHint},
	{Name: "DEBUG_FS", Hint: depHint},
	{Name: "SMP", Hint: depHint},
	{Name: "NUMA", Hint: "needs SMP (and ACPI for QEMU's SRAT on x86)"},
	{Name: "SCHED_MC", Hint: "needs SMP"},
	{Name: "SCHED_SMT", Hint: "needs SMP"},
	{Name: "SCHEDSTATS", Hint: depHint},
	{Name: "CGROUPS", Hint: depHint},
	{Name: "CPUSETS", Hint: "needs CGROUPS and SMP"},
	{Name: "CGROUP_SCHED", Hint: "needs CGROUPS"},
	{Name: "BLK_DEV_INITRD", Hint: depHint},
	{Name: "DEVTMPFS", Hint: depHint},
	{Name: "TMPFS", Hint: "needs SHMEM"},
	{Name: "PROC_FS", Hint: depHint},
	{Name: "SYSFS", Hint: depHint},
	{Name: "VIRTIO_PCI", Hint: "needs PCI and VIRTIO_MENU"},
	{Name: "VIRTIO_CONSOLE", Hint: "needs TTY and VIRTIO"},
	{Name: "SERIAL_8250_CONSOLE", Hint: "needs TTY and SERIAL_8250", Arch: "x86_64"},
	{Name: "BINFMT_ELF", Hint: depHint},
}

// CheckConfig checks that the final .config in data sets every option
// the harness needs on arch (x86_64 or aarch64) to y. The error wraps
// [ErrConfigMissing] and names each missing option with a hint, on one
// line.
func CheckConfig(data []byte, arch string) error {
	if missing := missingOptions(data, arch); len(missing) > 0 {
		return missingError(missing)
	}
	return nil
}

func missingOptions(data []byte, arch string) []missingOption {
	opts := ParseConfig(data)
	var missing []missingOption
	for _, r := range requiredOptions {
		if r.Arch != "" && r.Arch != arch {
			continue
		}
		if opts[r.Name] != "y" {
			missing = append(missing, missingOption{Name: r.Name, Hint: r.Hint})
		}
	}
	return missing
}

// missingError turns missing options into one line wrapping
// [ErrConfigMissing].
func missingError(missing []missingOption) error {
	parts := make([]string, len(missing))
	for i, m := range missing {
		parts[i] = m.String()
	}
	return fmt.Errorf("%w: %s", ErrConfigMissing, strings.Join(parts, "; "))
}

// DroppedOptions returns the fragment's settings that the final .config
// in data does not carry, as "CONFIG_X=want (got v)". Options that do
// not exist in the kernel's version show up here too.
func DroppedOptions(data []byte, fragment string) []string {
	final := ParseConfig(data)
	var dropped []string
	for _, line := range strings.Split(fragment, "\n") {
		name, want, ok := configLine(line)
		if !ok {
			continue
		}
		got, present := final[name]
		if want == "n" && (!present || got == "n") {
			continue
		}
		if got != want {
			if !present {
				got = "unset"
			}
			dropped = append(dropped, fmt.Sprintf("CONFIG_%s=%s (got %s)", name, want, got))
		}
	}
	return dropped
}

// SchedExtEnabled reports whether the .config in data has sched_ext.
func SchedExtEnabled(data []byte) bool {
	return ParseConfig(data)["SCHED_CLASS_EXT"] == "y"
}

// schedExtBeside reports whether the config beside image ([ConfigBeside])
// has sched_ext; nil when there is none.
func schedExtBeside(image string) *bool {
	b := ConfigBeside(image)
	if b == nil {
		return nil
	}
	sx := SchedExtEnabled(b)
	return &sx
}

// ConfigBeside returns the .config that usually sits beside a kernel
// image: config-RELEASE beside vmlinuz-RELEASE (Debian's /boot), a tree's
// .config for TREE/arch/ARCH/boot/IMAGE, else a file named config in the
// image's directory (as in a cache entry); nil when there is none or it
// sets no option.
func ConfigBeside(image string) []byte {
	if real, err := filepath.EvalSymlinks(image); err == nil {
		image = real
	}
	boot := filepath.Dir(image)
	arch := filepath.Dir(filepath.Dir(boot))
	cfg := filepath.Join(boot, "config")
	if rel, ok := strings.CutPrefix(filepath.Base(image), "vmlinuz-"); ok {
		cfg = filepath.Join(boot, "config-"+rel)
	} else if filepath.Base(boot) == "boot" && filepath.Base(arch) == "arch" {
		cfg = filepath.Join(filepath.Dir(arch), ".config") // TREE/arch/<arch>/boot/<image>
	}
	b, err := os.ReadFile(cfg)
	if err != nil || len(ParseConfig(b)) == 0 {
		return nil
	}
	return b
}
