package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// The JUnit XML document model. It follows go-junit-report's junit
// package and is valid against Jenkins' junit-10.xsd and, suite by suite,
// against Maven Surefire's surefire-test-report-3.0.xsd (whose root is a
// lone <testsuite> without hostname, timestamp or id), both kept in
// testdata/xsd. Neither schema admits <properties> inside a <testcase>,
// so gauntlet writes each variant's facts as lines at the top of the
// testcase's <system-out> (see [factsBlock]) and run-level facts as suite
// properties. Elements are declared in the order Surefire's schema wants
// them (failure, rerunFailure, flakyFailure, skipped, error, rerunError,
// flakyError, system-out, system-err).

// Suites is a <testsuites> document.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr,omitempty"`
	Time     string   `xml:"time,attr,omitempty"`
	Tests    int      `xml:"tests,attr"`
	Errors   int      `xml:"errors,attr"`
	Failures int      `xml:"failures,attr"`
	// Skipped is counted but not written: junit-10.xsd has no skipped
	// attribute on <testsuites> (each <testsuite> carries its own).
	Skipped int     `xml:"-"`
	Suites  []Suite `xml:"testsuite,omitempty"`
}

// Suite is one <testsuite>: the variants of one package.
type Suite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	ID         int        `xml:"id,attr"`
	Hostname   string     `xml:"hostname,attr,omitempty"`
	Skipped    int        `xml:"skipped,attr"`
	Time       string     `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr,omitempty"`
	Properties *[]XMLProp `xml:"properties>property,omitempty"`
	Testcases  []Testcase `xml:"testcase,omitempty"`
	SystemOut  *XMLOutput `xml:"system-out,omitempty"`
	SystemErr  *XMLOutput `xml:"system-err,omitempty"`
}

// Testcase is one <testcase>: a variant or one of its subtests.
type Testcase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	Time      string `xml:"time,attr"`
	// Properties are only read, from older gauntlet files and other
	// tools, and kept when those are merged; gauntlet writes its facts to
	// SystemOut instead (the schemas have no testcase properties).
	Properties *[]XMLProp `xml:"properties>property,omitempty"`
	Failure    *XMLResult `xml:"failure,omitempty"`
	// RerunFailures are the failed attempts of a variant that failed
	// every attempt; FlakyFailures those of a variant that then passed.
	RerunFailures []XMLRerun `xml:"rerunFailure,omitempty"`
	FlakyFailures []XMLRerun `xml:"flakyFailure,omitempty"`
	Skipped       *XMLResult `xml:"skipped,omitempty"`
	Error         *XMLResult `xml:"error,omitempty"`
	RerunErrors   []XMLRerun `xml:"rerunError,omitempty"`
	FlakyErrors   []XMLRerun `xml:"flakyError,omitempty"`
	SystemOut     *XMLOutput `xml:"system-out,omitempty"`
	SystemErr     *XMLOutput `xml:"system-err,omitempty"`
}

// XMLProp is a <property name= value=>.
type XMLProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// XMLResult is a <failure>, <error> or <skipped> element. Type is left
// empty on <skipped> (Surefire's schema has no type there).
type XMLResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Data    string `xml:",cdata"`
}

// XMLRerun is one earlier attempt of a testcase: a <flakyFailure>,
// <flakyError>, <rerunFailure> or <rerunError>, as Surefire and nextest
// write them.
type XMLRerun struct {
	Message    string     `xml:"message,attr"`
	Type       string     `xml:"type,attr"`
	StackTrace XMLOutput  `xml:"stackTrace"`
	SystemOut  *XMLOutput `xml:"system-out,omitempty"`
}

// XMLOutput is <system-out> or <system-err> text.
type XMLOutput struct {
	Data string `xml:",cdata"`
}

// WriteXML writes s as a document: the XML declaration, then s indented,
// with a trailing newline.
func (s Suites) WriteXML(w io.Writer) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
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
