package spec

import "testing"

func TestParseAccel(t *testing.T) {
	for in, want := range map[string]Accel{"": AccelAuto, "auto": AccelAuto, "kvm": AccelKVM, "tcg": AccelTCG} {
		if got, err := ParseAccel(in); got != want || err != nil {
			t.Errorf("ParseAccel(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, hint := range map[string]string{"hvf": "", "KVM": "", " tcg": ` (did you mean "tcg"?)`, "kmv": ` (did you mean "kvm"?)`} {
		_, err := ParseAccel(in)
		if want := `accelerator "` + in + `"` + hint + ` is not one of auto, kvm, tcg`; err == nil || err.Error() != want {
			t.Errorf("ParseAccel(%q): %v; want %q", in, err, want)
		}
	}
}
