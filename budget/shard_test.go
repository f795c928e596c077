package budget

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestShardUnionIsThePlan(t *testing.T) {
	cs := genSet{seed: 9, tests: 10, packages: 2, presets: bigHost.presets()}.generate()
	for _, budget := range []time.Duration{0, 5 * time.Minute} {
		p, err := Select(cs, Options{Budget: budget, Host: bigHost.host})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 3, 7} {
			var union []string
			var loads []float64
			for k := 1; k <= n; k++ {
				s, err := p.Shard(k, n)
				if err != nil {
					t.Fatal(err)
				}
				checkPlan(t, s, cs)
				if s.EstWall > p.EstWall {
					t.Errorf("shard %d/%d ends at %s, after the whole plan's %s", k, n, s.EstWall, p.EstWall)
				}
				var load float64
				for _, a := range s.Selected {
					union = append(union, a.id())
					load += a.Cost.Total().Seconds() * p.Capacity.share(a.Weight)
				}
				loads = append(loads, load)
				for _, l := range s.LeftOut {
					if l.Kind == LeftOutShard && !strings.HasPrefix(l.Reason, "shard: selected for shard ") {
						t.Errorf("shard reason %q", l.Reason)
					}
				}
			}
			var want []string
			for _, a := range p.Selected {
				want = append(want, a.id())
			}
			slices.Sort(union)
			slices.Sort(want)
			if !slices.Equal(union, want) {
				t.Errorf("budget %s, %d shards: union of %d variants differs from the plan's %d", budget, n, len(union), len(want))
			}
			if spread := slices.Max(loads) - slices.Min(loads); n > 1 && spread > maxWork(p) {
				t.Errorf("budget %s, %d shards: work %v spreads by %.1f, more than the largest variant (%.1f)", budget, n, loads, spread, maxWork(p))
			}
		}
	}
}

// maxWork is the largest variant's work in p (seconds x capacity share).
func maxWork(p Plan) float64 {
	var m float64
	for _, a := range p.Selected {
		m = max(m, a.Cost.Total().Seconds()*p.Capacity.share(a.Weight))
	}
	return m
}

func TestShardDeterministic(t *testing.T) {
	cs := smallSet()
	p, err := Select(cs, Options{Host: tcgHost})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := p.Shard(2, 3)
	b, _ := p.Shard(2, 3)
	if render(a) != render(b) {
		t.Errorf("two calls gave different shards")
	}
	if len(a.Selected) == 0 {
		t.Errorf("shard 2/3 of %d variants is empty", len(p.Selected))
	}
}

func TestShardErrors(t *testing.T) {
	p, _ := Select(smallSet(), Options{Host: tcgHost})
	for _, kn := range [][2]int{{0, 2}, {3, 2}, {1, 0}, {-1, -1}} {
		if _, err := p.Shard(kn[0], kn[1]); err == nil || !strings.Contains(err.Error(), "want") {
			t.Errorf("Shard(%d, %d): error %v", kn[0], kn[1], err)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		k, n int
		err  string
	}{
		{"1/2", 1, 2, ""},
		{" 3/3 ", 3, 3, ""},
		{"3/2", 0, 0, `shard "3/2": K is 3; want 1 <= K <= N (2)`},
		{"0/2", 0, 0, `shard "0/2": K is 0`},
		{"1/0", 0, 0, `shard "1/0": N is 0; want at least 1 shard`},
		{"1", 0, 0, `shard "1": want K/N, e.g. 1/2`},
		{"a/b", 0, 0, `shard "a/b": want K/N`},
		{"1/2/3", 0, 0, `shard "1/2/3": want K/N`},
	} {
		k, n, err := ParseShard(c.in)
		if c.err == "" {
			if err != nil || k != c.k || n != c.n {
				t.Errorf("ParseShard(%q) = %d, %d, %v; want %d, %d", c.in, k, n, err, c.k, c.n)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("ParseShard(%q) error %v; want %q", c.in, err, c.err)
		}
	}
}
