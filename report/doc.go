// Package report turns test output into what CI systems and people read:
// JUnit XML (through go-junit-report), terminal tables (tablewriter), and
// the results JSON each run writes for later cost estimates.
package report
