package nearest

import "testing"

func TestName(t *testing.T) {
	cmds := []string{"run", "plan", "presets", "report", "kernel", "shell"}
	for in, want := range map[string]string{
		"pln": "plan", "presest": "presets", "reprot": "report", "kernle": "kernel",
		"xyzzy": "", "plan": "", "": "",
	} {
		if got := Name(in, cmds); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
	if h := Hint("tiny-2lcc", []string{"tiny-1llc", "tiny-2llc"}); h != ` (did you mean "tiny-2llc"?)` {
		t.Errorf("hint %q", h)
	}
}

func FuzzDistance(f *testing.F) {
	f.Add("kitten", "sitting")
	f.Fuzz(func(t *testing.T, a, b string) {
		if d := distance(a, b); d != distance(b, a) || d > max(len(a), len(b)) || (d == 0) != (a == b) {
			t.Errorf("distance(%q, %q) = %d", a, b, d)
		}
	})
}
