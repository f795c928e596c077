package budget

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// ResultsVersion is the results.json format this package reads and writes.
const ResultsVersion = 1

// Results is the content of one run's results.json: what ran, where, and
// how long each variant took. `gauntlet run` writes one per run; earlier
// ones feed [NewHistory].
type Results struct {
	// Version is [ResultsVersion].
	Version int `json:"version"`
	// RunID names the run (its directory name, say).
	RunID string `json:"run_id"`
	// Started is when the run started.
	Started time.Time `json:"started"`
	// WallS is the run's wall time in seconds, from Started until its
	// last VM ended; zero when unknown (a merge of several runs).
	WallS float64 `json:"wall_s,omitempty"`
	// Slots is the most VMs the run's plan let run at once (its
	// --jobs); zero when unknown. The host CPUs the VMs shared are
	// Host.CPUs.
	Slots int `json:"slots,omitempty"`
	// Host is the machine the run used.
	Host Host `json:"host"`
	// Accel is the accelerator the run's VMs used.
	Accel spec.Accel `json:"accel"`
	// Variants holds one entry per variant run.
	Variants []VariantResult `json:"variants"`
}

// VariantResult is one variant's measured run.
type VariantResult struct {
	Package  string        `json:"package"`
	Test     string        `json:"test"`
	Variant  string        `json:"variant"`
	Preset   string        `json:"preset,omitempty"`
	Profile  string        `json:"profile,omitempty"`
	Topology topo.Topology `json:"topology"`
	VCPUs    int           `json:"vcpus"`
	// HostCPUs is the host CPUs the VM held while it ran (its plan
	// Weight.CPUs: a 2-vCPU guest under multi-threaded TCG on a 2-CPU
	// host holds both, a single-threaded TCG guest one); zero in files
	// written before it ([VariantResult.HeldCPUs] weighs those).
	HostCPUs int        `json:"host_cpus,omitempty"`
	Accel    spec.Accel `json:"accel"`
	// Kernel is the image the VM booted.
	Kernel string `json:"kernel,omitempty"`
	// KernelLabel is the kernel's label ([Candidate.Kernel]); a variant
	// name of a run with several kernels ends in "/" and it. Empty in
	// files written before labels: those runs count for every kernel.
	KernelLabel string `json:"kernel_label,omitempty"`
	// BootS is the measured boot time in seconds (QEMU start to init);
	// zero when the variant shared a boot (SharedBoot).
	BootS float64 `json:"boot_s"`
	// TestS is the measured test time in seconds.
	TestS float64 `json:"test_s"`
	// TotalS is the whole VM run's wall time in seconds.
	TotalS float64 `json:"total_s"`
	// Outcome is how the run ended; old spellings ("timed-out") are read
	// as their outcome.
	Outcome spec.Outcome `json:"outcome"`
	// Metrics are the variant's measurements: its payloads' metrics and
	// its workers' numbers ("s0.cg_0.work_units", ...), which `gauntlet
	// report --compare` reads; absent in older files.
	Metrics []spec.Metric `json:"metrics,omitempty"`
	// Scheduler is the scheduler the guest ran ("eevdf", or the sched_ext
	// ops name); empty when the guest gave no result.
	Scheduler string `json:"scheduler,omitempty"`
	// BPFPrograms are the scheduler's BPF programs with the instructions
	// the verifier processed, most first, so a change that bloats the
	// verifier's work shows between runs.
	BPFPrograms []spec.BPFProgram `json:"bpf_programs,omitempty"`
	// SharedBoot, when set, names the VM, booted for an earlier variant,
	// that the variant ran in (boot sharing): its BootS is zero and
	// says nothing of how long its boot takes, so [NewHistory] learns
	// boot times from the variant's other runs only.
	SharedBoot string `json:"shared_boot,omitempty"`
	// Flaky is set when the variant passed after failed attempts.
	Flaky bool `json:"flaky,omitempty"`
	// Attempts are the earlier attempts of a variant booted again after
	// failing (`gauntlet run --retries`), oldest first. The fields above
	// are the last attempt's, and only they feed [NewHistory]: one
	// sample per variant and run, whatever the retries.
	Attempts []Attempt `json:"attempts,omitempty"`
}

// HeldCPUs is the host CPUs the variant's VM held: HostCPUs, or for
// files written before it, the weight the planner gives its topology on
// host h (see [Capacity.Weigh]); never more than h's CPUs when h says
// how many it has.
func (v VariantResult) HeldCPUs(h Host) int {
	if v.HostCPUs > 0 {
		if h.CPUs > 0 {
			return min(v.HostCPUs, h.CPUs)
		}
		return v.HostCPUs
	}
	return NewCapacity(h, 0).Weigh(v.Topology, 0).CPUs
}

// Attempt is one earlier attempt of a variant: how it ended and its
// measured times, in seconds like [VariantResult]'s.
type Attempt struct {
	Outcome spec.Outcome `json:"outcome"`
	BootS   float64      `json:"boot_s"`
	TestS   float64      `json:"test_s"`
	TotalS  float64      `json:"total_s"`
}

// ReadResults decodes one results.json from r. name (a path, say) is only
// used in errors, which name it and what is wrong, e.g.
// `results runs/x/results.json: version 2 is not supported; this gauntlet reads version 1`.
func ReadResults(r io.Reader, name string) (*Results, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("results %s: read: %w", name, err)
	}
	res, err := decodeResults(data)
	if err != nil {
		return nil, fmt.Errorf("results %s: %w", name, err)
	}
	return res, nil
}

func decodeResults(data []byte) (*Results, error) {
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a results.json: %w", cleanJSONError(err))
	}
	if head.Version == nil {
		return nil, errors.New(`not a results.json: no "version" field`)
	}
	if *head.Version != ResultsVersion {
		return nil, fmt.Errorf("version %d is not supported; this gauntlet reads version %d", *head.Version, ResultsVersion)
	}
	var res Results
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("bad results.json: %w", cleanJSONError(err))
	}
	if err := res.Validate(); err != nil {
		return nil, err
	}
	return &res, nil
}

// cleanJSONError drops the Go type names encoding/json puts in its
// messages, keeping the field and the problem.
func cleanJSONError(err error) error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Errorf("field %q: want a %s, got a JSON %s", ute.Field, kindName(ute.Type.Kind().String()), ute.Value)
	}
	return err
}

// kindName turns a reflect kind into a word for users.
func kindName(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "slice":
		return "list"
	case k == "struct", k == "map":
		return "object"
	}
	return k
}

// WriteResults validates res and writes it to w as indented JSON.
func WriteResults(w io.Writer, res *Results) error {
	if err := res.Validate(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// Validate checks res: the version, a run id, known accelerators and
// outcomes, valid topologies matching their vCPU counts, and times that
// are finite and not negative. The error names the first bad variant.
func (res *Results) Validate() error {
	switch {
	case res.Version != ResultsVersion:
		return fmt.Errorf("version %d is not supported; this gauntlet reads version %d", res.Version, ResultsVersion)
	case res.RunID == "":
		return errors.New(`empty "run_id"`)
	case res.Host.CPUs < 1:
		return fmt.Errorf(`host: %d CPUs; want at least 1`, res.Host.CPUs)
	}
	if err := validAccel("accel", res.Accel, false); err != nil {
		return err
	}
	for i := range res.Variants {
		if err := res.Variants[i].validate(); err != nil {
			return fmt.Errorf("variant %d (%q): %w", i, res.Variants[i].Variant, err)
		}
	}
	return nil
}

func (v *VariantResult) validate() error {
	switch {
	case v.Test == "":
		return errors.New(`empty "test"`)
	case v.Variant == "":
		return errors.New(`empty "variant"`)
	}
	if _, err := spec.ParseOutcome(string(v.Outcome)); err != nil {
		return err
	}
	if err := v.Topology.Validate(); err != nil {
		return err
	}
	if v.VCPUs != v.Topology.CPUs() {
		return fmt.Errorf("vcpus %d does not match topology %s (%d CPUs)", v.VCPUs, v.Topology, v.Topology.CPUs())
	}
	if err := validAccel("accel", v.Accel, false); err != nil {
		return err
	}
	if err := validTimes(v.BootS, v.TestS, v.TotalS); err != nil {
		return err
	}
	for i, a := range v.Attempts {
		if _, err := spec.ParseOutcome(string(a.Outcome)); err != nil {
			return fmt.Errorf("attempt %d: %w", i+1, err)
		}
		if err := validTimes(a.BootS, a.TestS, a.TotalS); err != nil {
			return fmt.Errorf("attempt %d: %w", i+1, err)
		}
	}
	return nil
}

// validTimes checks a run's boot, test and total seconds.
func validTimes(boot, test, total float64) error {
	for _, t := range []struct {
		name string
		v    float64
	}{{"boot_s", boot}, {"test_s", test}, {"total_s", total}} {
		if t.v < 0 || math.IsNaN(t.v) || math.IsInf(t.v, 0) {
			return fmt.Errorf("%s is %g; want a duration in seconds, 0 or more", t.name, t.v)
		}
	}
	return nil
}
