package kernel

import (
	"slices"
	"strings"
	"testing"
)

func TestParseID(t *testing.T) {
	tests := []struct {
		in   string
		kind IDKind
		err  string
	}{
		{"6.14.2", IDVersion, ""},
		{"6.14", IDVersion, ""},
		{"6.14.2-tarball-x86_64", IDKey, ""},
		{"6.12.117+deb12-cloud-amd64-import-0123abcd-x86_64", IDKey, ""},
		{"6.12.8-tree-deadbeef-aarch64", IDKey, ""},
		{"../linux", IDPath, ""},
		{"./linux", IDPath, ""},
		{"/usr/src/linux", IDPath, ""},
		{".", IDPath, ""},
		{"", 0, "empty kernel id"},
		{"linux", 0, `kernel id "linux": not a path`},
		{"6.12.8-custom", IDVersion, ""},
		{"6.12.117+deb12-cloud-amd64", IDVersion, ""},
		{"6.14 2", 0, "not a path"},
		{"v6.14", 0, "not a path"},
	}
	for _, tt := range tests {
		id, err := ParseID(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseID(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || id.Kind != tt.kind || id.Value != tt.in {
			t.Errorf("ParseID(%q) = %+v, %v; want kind %d", tt.in, id, err, tt.kind)
		}
	}
}

func TestCheckVersion(t *testing.T) {
	for _, ok := range []string{"6.12", "6.12.8", "5.15.170", "10.0"} {
		if err := CheckVersion(ok); err != nil {
			t.Errorf("CheckVersion(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "6", "6.12.8.1", "v6.12", "6.12-rc1", "06.1", "latest", "6.x"} {
		err := CheckVersion(bad)
		if err == nil || !strings.Contains(err.Error(), "unknown version format") || strings.Contains(err.Error(), "\n") {
			t.Errorf("CheckVersion(%q) = %v, want one-line unknown version format", bad, err)
		}
	}
}

func TestCompareRelease(t *testing.T) {
	got := []string{"6.12.9-cloud-amd64", "6.1.0-28-amd64", "6.12.117+deb12-cloud-amd64", "5.10.0", "6.12.10", "6.12"}
	slices.SortFunc(got, compareRelease)
	want := []string{"5.10.0", "6.1.0-28-amd64", "6.12", "6.12.9-cloud-amd64", "6.12.10", "6.12.117+deb12-cloud-amd64"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted = %q\nwant %q", got, want)
	}
	if compareRelease("6.12.99999999999999999999", "6.12.1") <= 0 {
		t.Error("huge numeric runs must still order after small ones")
	}
}
