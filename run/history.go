package run

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/gauntlet-sched/gauntlet/budget"
)

// readHistory reads dir/*/results.json. An unreadable file is skipped with
// a warning: history only sharpens estimates.
func readHistory(dir string) (*budget.History, []string) {
	if dir == "" {
		return nil, nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", ResultsFile))
	sort.Strings(files)
	var rs []*budget.Results
	var warnings []string
	for _, f := range files {
		r, err := readResultsFile(f)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("history: %v (ignored)", oneLine(err)))
			continue
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		return nil, warnings
	}
	return budget.NewHistory(rs...), warnings
}

func readResultsFile(path string) (*budget.Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return budget.ReadResults(f, path)
}
