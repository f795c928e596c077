package kernel

import "fmt"

// PlanClean returns the entries a clean removes from entries (ordered as
// [Cache.List] orders them): every corrupt entry, and the valid ones after
// the keep newest. keep must be 0 or more.
func PlanClean(entries []CacheEntry, keep int) ([]CacheEntry, error) {
	if keep < 0 {
		return nil, fmt.Errorf("keep %d: want 0 or more entries to keep", keep)
	}
	var remove []CacheEntry
	kept := 0
	for _, e := range entries {
		if e.Valid() && kept < keep {
			kept++
			continue
		}
		remove = append(remove, e)
	}
	return remove, nil
}

// Clean removes what [PlanClean] selects, plus hidden directories left by
// installs that were killed, and returns the removed entries. It stops at
// the first entry it cannot remove.
func (c *Cache) Clean(keep int) ([]CacheEntry, error) {
	entries, err := c.List()
	if err != nil {
		return nil, err
	}
	plan, err := PlanClean(entries, keep)
	if err != nil {
		return nil, err
	}
	if _, err := c.removeLeftovers(); err != nil {
		return nil, fmt.Errorf("clean kernel cache: %w", err)
	}
	for i, e := range plan {
		if err := c.Remove(e.Key); err != nil {
			return plan[:i], err
		}
	}
	return plan, nil
}
