// Package budget estimates what each variant costs and selects the
// variants that fit a wall-clock budget on a set of weighted VM slots. It
// is pure: the same inputs give the same plan.
package budget
