package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// The JUnit XML document model. It follows go-junit-report's junit
// package (same elements and attributes) and adds <properties> to
// testcases, where gauntlet puts each variant's structured result
// (topology, thresholds, per-cgroup statistics); Jenkins, GitLab and
// most other readers accept testcase properties and ignore what they do
// not know.

// Suites is a <testsuites> document.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr,omitempty"`
	Time     string   `xml:"time,attr,omitempty"`
	Tests    int      `xml:"tests,attr"`
	Errors   int      `xml:"errors,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []Suite  `xml:"testsuite,omitempty"`
}

// Suite is one <testsuite>: the variants of one package.
type Suite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	ID         int        `xml:"id,attr"`
	Hostname   string     `xml:"hostname,attr,omitempty"`
	Skipped    int        `xml:"skipped,attr,omitempty"`
	Time       string     `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr,omitempty"`
	Properties *[]XMLProp `xml:"properties>property,omitempty"`
	Testcases  []Testcase `xml:"testcase,omitempty"`
	SystemOut  *XMLOutput `xml:"system-out,omitempty"`
	SystemErr  *XMLOutput `xml:"system-err,omitempty"`
}

// Testcase is one <testcase>: a variant or one of its subtests.
type Testcase struct {
	Name       string     `xml:"name,attr"`
	Classname  string     `xml:"classname,attr"`
	Time       string     `xml:"time,attr,omitempty"`
	Properties *[]XMLProp `xml:"properties>property,omitempty"`
	Skipped    *XMLResult `xml:"skipped,omitempty"`
	Error      *XMLResult `xml:"error,omitempty"`
	Failure    *XMLResult `xml:"failure,omitempty"`
	SystemOut  *XMLOutput `xml:"system-out,omitempty"`
	SystemErr  *XMLOutput `xml:"system-err,omitempty"`
}

// XMLProp is a <property name= value=>.
type XMLProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// XMLResult is a <failure>, <error> or <skipped> element.
type XMLResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Data    string `xml:",cdata"`
}

// XMLOutput is <system-out> or <system-err> text.
type XMLOutput struct {
	Data string `xml:",cdata"`
}

// WriteXML writes s, indented, with a trailing newline.
func (s Suites) WriteXML(w io.Writer) error {
	enc := xml.NewEncoder(w)
	enc.Indent("", "\t")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	if err := enc.Flush(); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// add appends tc to s and counts it.
func (s *Suite) add(tc Testcase) {
	s.Testcases = append(s.Testcases, tc)
	s.Tests++
	switch {
	case tc.Error != nil:
		s.Errors++
	case tc.Failure != nil:
		s.Failures++
	case tc.Skipped != nil:
		s.Skipped++
	}
}

// addSuite appends s to d and adds its totals.
func (d *Suites) addSuite(s Suite) {
	d.Suites = append(d.Suites, s)
	d.Tests += s.Tests
	d.Errors += s.Errors
	d.Failures += s.Failures
	d.Skipped += s.Skipped
}

func (s *Suite) setTimestamp(t time.Time) {
	if !t.IsZero() {
		s.Timestamp = t.Format(time.RFC3339)
	}
}
