#!/bin/sh
# Regenerates the recorded `go test -v` outputs the report tests read.
# Run from the repository root: sh report/testdata/regen.sh
set -u
d=report/testdata
go test -c -o /tmp/report-src.test ./$d/src
for t in Pass Fail Skip; do /tmp/report-src.test -test.v -test.run "^Test$t\$" > $d/$(echo $t | tr A-Z a-z).out 2>&1; done
REPORT_SRC_PANIC=1 /tmp/report-src.test -test.v -test.run '^TestPanic$' 2>&1 | sed "s/+0x[0-9a-f]*//; s/goroutine [0-9]*/goroutine N/; s#$(pwd)/#REPO/#g" > $d/panic.out
rm -f /tmp/report-src.test
