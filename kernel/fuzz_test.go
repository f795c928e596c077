package kernel

import (
	"maps"
	"strings"
	"testing"
)

// FuzzParseID checks that ParseID never panics and that what it accepts
// is what its kinds promise: the value unchanged, a path with a slash or a
// leading dot, a version that is a valid release, a key the cache could
// have written.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"", "6.14.2", "6.12.8-custom", "6.14.2-tarball-x86_64", "6.12.8-file-0123abcd-aarch64",
		"./linux", "../linux", "/boot/vmlinuz", ".", "linux", "6.12 8", "6.14.2-tarball-riscv64", "\x00", "6.12\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			if id != (ID{}) {
				t.Errorf("ParseID(%q) = %+v with error %v", s, id, err)
			}
			if s != "" && (strings.ContainsRune(s, '/') || strings.HasPrefix(s, ".") || CheckRelease(s) == nil) {
				t.Errorf("ParseID(%q) rejected a path or release: %v", s, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("ParseID(%q): error is not one line: %q", s, err)
			}
			return
		}
		if id.Value != s {
			t.Errorf("ParseID(%q).Value = %q", s, id.Value)
		}
		switch id.Kind {
		case IDKey:
			if !cacheKeyRE.MatchString(s) || CheckRelease(s) != nil {
				t.Errorf("ParseID(%q): a key the cache cannot have written", s)
			}
		case IDPath:
			if !strings.ContainsRune(s, '/') && !strings.HasPrefix(s, ".") {
				t.Errorf("ParseID(%q): a path without a slash or leading dot", s)
			}
		case IDVersion:
			if CheckRelease(s) != nil {
				t.Errorf("ParseID(%q): version %q is no valid release", s, s)
			}
		default:
			t.Errorf("ParseID(%q): kind %d", s, id.Kind)
		}
	})
}

// FuzzParseConfig checks that ParseConfig never panics, reads only named
// options, and that merging a fragment into an empty config keeps exactly
// the options the fragment sets.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"", "CONFIG_SMP=y\n", "# CONFIG_NUMA is not set\n", "CONFIG_CMDLINE=\"console=ttyS0\"\r\nCONFIG_SMP=y",
		"CONFIG_=y\n# CONFIG_ is not set\n#CONFIG_X is not set\n", "CONFIG_A=1\nCONFIG_A=2\n", "  CONFIG_B=m  \n",
		"# CONFIG_A B is not set\n", "CONFIG_SCHED_CLASS_EXT=y\n", Fragment,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := ParseConfig(data)
		for name := range opts {
			if name == "" || strings.Contains(name, "=") {
				t.Errorf("ParseConfig read option %q", name)
			}
		}
		if merged := ParseConfig(MergeConfig(nil, string(data))); !maps.Equal(merged, opts) {
			t.Errorf("merging into an empty config: %v, want %v", merged, opts)
		}
		if SchedExtEnabled(data) != (opts["SCHED_CLASS_EXT"] == "y") {
			t.Errorf("SchedExtEnabled disagrees with ParseConfig")
		}
	})
}
