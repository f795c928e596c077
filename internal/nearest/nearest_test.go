package nearest

import "testing"

func TestName(t *testing.T) {
	cmds := []string{"run", "plan", "presets", "report", "kernel", "shell"}
	for in, want := range map[string]string{
		"pln": "plan", "presest": "presets", "reprot": "report", "kernle": "kernel",
		"xyzzy": "", "plan": "", "": "", "kernel": "", "rnu": "run", "shlel": "shell",
	} {
		if got := Name(in, cmds); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
	if h := Hint("tiny-2lcc", []string{"tiny-1llc", "tiny-2llc"}); h != ` (did you mean "tiny-2llc"?)` {
		t.Errorf("hint %q", h)
	}
}

func TestDistanceSwap(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"biuld", "build", 1}, {"ab", "ba", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"ca", "abc", 3}} {
		if got := distance(c.a, c.b); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
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
