// Package report turns test output into what CI systems and people read:
// JUnit XML (through go-junit-report), terminal tables (tablewriter), and
// the results JSON each run writes for later cost estimates. A [Case]
// booted more than once carries its earlier attempts, which JUnit writes
// as Surefire's flakyFailure/rerunFailure elements and reads back.
package report
