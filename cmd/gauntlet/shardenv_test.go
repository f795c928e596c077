package main

import (
	"strings"
	"testing"
)

func TestShardFromEnv(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		env   map[string]string
		total int
		k, n  int
		err   string
	}{
		{"gitlab", map[string]string{"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"}, 0, 2, 3, ""},
		{"buildkite zero-based", map[string]string{"BUILDKITE_PARALLEL_JOB": "0", "BUILDKITE_PARALLEL_JOB_COUNT": "4"}, 0, 1, 4, ""},
		{"circleci", map[string]string{"CIRCLE_NODE_INDEX": "3", "CIRCLE_NODE_TOTAL": "4"}, 0, 4, 4, ""},
		{"kubernetes with auto/N", map[string]string{"JOB_COMPLETION_INDEX": "5"}, 8, 6, 8, ""},
		{"kubernetes without N", map[string]string{"JOB_COMPLETION_INDEX": "5"}, 0, 0, 0, "use --shard auto/N"},
		{"index past total", map[string]string{"CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "3"}, 0, 0, 0, "shard 4 of 3"},
		{"not a number", map[string]string{"CI_NODE_INDEX": "x", "CI_NODE_TOTAL": "3"}, 0, 0, 0, `CI_NODE_INDEX="x"`},
		{"nothing", nil, 0, 0, 0, "no CI parallelism found"},
	} {
		k, n, _, err := shardFromEnv(func(s string) string { return c.env[s] }, c.total)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want one containing %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || k != c.k || n != c.n {
			t.Errorf("%s: got %d/%d (%v), want %d/%d", c.name, k, n, err, c.k, c.n)
		}
	}
}

func TestShardAutoFlag(t *testing.T) {
	t.Parallel()
	var pf planFlags
	f := shardFlag{&pf.cfg.ShardK, &pf.cfg.ShardN, &pf.shardAuto}
	if err := f.Set("auto/4"); err != nil || !pf.shardAuto || pf.cfg.ShardN != 4 {
		t.Fatalf("auto/4: %v auto=%v n=%d", err, pf.shardAuto, pf.cfg.ShardN)
	}
	getenv := func(s string) string { return map[string]string{"JOB_COMPLETION_INDEX": "1"}[s] }
	c, err := pf.config(nil, getenv)
	if err != nil || c.ShardK != 2 || c.ShardN != 4 || !strings.HasPrefix(c.ShardFrom, "Kubernetes") {
		t.Fatalf("config: %v, shard %d/%d from %q, want 2/4 from Kubernetes", err, c.ShardK, c.ShardN, c.ShardFrom)
	}
	if err := f.Set("auto/x"); err == nil {
		t.Error("auto/x accepted")
	}
}
