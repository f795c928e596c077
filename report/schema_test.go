package report

import (
	"bytes"
	"encoding/xml"
	"path/filepath"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
)

func validate(t *testing.T, xsd string, doc []byte) {
	t.Helper()
	testutil.ValidateXML(t, filepath.Join("testdata", "xsd", xsd), doc)
}

// surefireSuite is one <testsuite> as a document of its own, the root
// Surefire's schema has; its schema has no hostname, timestamp or id.
type surefireSuite struct {
	XMLName xml.Name `xml:"testsuite"`
	Suite
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := xml.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(xml.Header), b...)
}

// schemaDocs are a run's JUnit (every outcome, subtests, a flaky variant
// and one that failed every attempt) and a merge of two shards of it.
func schemaDocs(t *testing.T) map[string]Suites {
	cases := append(fixtureCases(t), retriedCases(t)...)
	run := JUnit(cases, "host1", time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	s := &run.Suites[0]
	s.Properties = &[]XMLProp{{Name: "gauntlet.run.accel", Value: "tcg"}}
	merged := MergeJUnit(JUnit(cases[:4], "host1", time.Time{}), JUnit(cases[4:], "host2", time.Time{}))
	return map[string]Suites{"run": run, "merged": merged}
}

func TestJUnitValidatesAgainstSchemas(t *testing.T) {
	for name, doc := range schemaDocs(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := doc.WriteXML(&buf); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
				t.Errorf("no XML declaration: %.60q", buf.String())
			}
			validate(t, "junit-10.xsd", buf.Bytes())
			for _, s := range doc.Suites {
				s.Hostname, s.Timestamp, s.ID = "", "", 0
				b := bytes.Replace(encode(t, surefireSuite{Suite: s}), []byte(` id="0"`), nil, 1)
				validate(t, "surefire-test-report-3.0.xsd", b)
			}
		})
	}
}
