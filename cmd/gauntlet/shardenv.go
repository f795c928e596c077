package main

import (
	"fmt"
	"strconv"
	"strings"
)

// ciShard is how one CI system tells a parallel job its index and the
// number of jobs.
type ciShard struct {
	system       string
	index, total string // environment variable names; total "" if none
	zeroBased    bool
}

// ciShards are the CI systems `--shard auto` knows, in the order they
// are tried.
var ciShards = []ciShard{
	{"GitLab CI (parallel:)", "CI_NODE_INDEX", "CI_NODE_TOTAL", false},
	{"Buildkite (parallelism)", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", true},
	{"CircleCI (parallelism)", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", true},
	{"Kubernetes indexed Job", "JOB_COMPLETION_INDEX", "", true},
}

// shardFromEnv resolves `--shard auto` (total 0) or `--shard auto/N`
// from a CI system's environment, read through getenv: it returns the
// 1-based shard K of N and the system it came from. Kubernetes exposes
// only the index, so there the total must be given as auto/N.
func shardFromEnv(getenv func(string) string, total int) (k, n int, from string, err error) {
	for _, s := range ciShards {
		iv := getenv(s.index)
		if iv == "" {
			continue
		}
		i, err := strconv.Atoi(strings.TrimSpace(iv))
		if err != nil {
			return 0, 0, "", fmt.Errorf("--shard auto: %s=%q is not a number", s.index, iv)
		}
		if s.zeroBased {
			i++
		}
		n := total
		if s.total != "" && getenv(s.total) != "" {
			if n, err = strconv.Atoi(strings.TrimSpace(getenv(s.total))); err != nil {
				return 0, 0, "", fmt.Errorf("--shard auto: %s=%q is not a number", s.total, getenv(s.total))
			}
		}
		if n == 0 {
			return 0, 0, "", fmt.Errorf("--shard auto: %s gives the index (%s) but not the number of shards; use --shard auto/N", s.system, s.index)
		}
		if i < 1 || i > n {
			return 0, 0, "", fmt.Errorf("--shard auto: %s says shard %d of %d; want 1 to %d", s.system, i, n, n)
		}
		return i, n, fmt.Sprintf("%s: %s", s.system, s.index), nil
	}
	return 0, 0, "", fmt.Errorf("--shard auto: no CI parallelism found in the environment (looked for %s); give --shard K/N", ciShardVars())
}

func ciShardVars() string {
	var names []string
	for _, s := range ciShards {
		names = append(names, s.index)
	}
	return strings.Join(names, ", ")
}
