package kbuild

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/testutil"
	"github.com/gauntlet-sched/gauntlet/kernel"
)

// Environment of the opt-in real build test.
const (
	// envRealBuild=1 runs TestRealKernelBuild: minutes of compiling.
	envRealBuild = "GAUNTLET_REAL_KERNEL_BUILD"
	// envRealSource overrides the source it builds.
	envRealSource = "GAUNTLET_REAL_KERNEL_SOURCE"
	// envRealImage skips the build and boot-checks this image instead.
	envRealImage = "GAUNTLET_REAL_KERNEL_IMAGE"
)

// guestProbe is the busybox init of the boot check: it prints what the
// harness needs from the kernel as KEY=value lines, then powers off.
const guestProbe = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo "PROBE SCHED_EXT=$(cat /sys/kernel/sched_ext/state 2>&1)"
echo "PROBE BTF=$(test -s /sys/kernel/btf/vmlinux && echo yes || echo no)"
echo "PROBE CPUS=$(nproc)"
echo "PROBE NODES=$(ls -d /sys/devices/system/node/node* | wc -l)"
echo "PROBE CGROUP=$(cat /sys/fs/cgroup/cgroup.controllers)"
echo "PROBE VPORT=$(ls /sys/class/virtio-ports 2>&1)"
poweroff -f
`

// TestRealKernelBuild builds a real kernel with the embedded fragment
// (from Debian's linux-source-6.12 unless GAUNTLET_REAL_KERNEL_SOURCE
// names another tree or tarball) into the real kernel cache, then boots
// it under QEMU and checks sched_ext, BTF, SMP, NUMA, cgroup2 and the
// virtio console in the guest. The entry stays in the cache, so a second
// run only boots it. It runs only when asked:
//
//	GAUNTLET_REAL_KERNEL_BUILD=1 go test -run TestRealKernelBuild -timeout 90m -v ./kernel/kbuild
//
// GAUNTLET_REAL_KERNEL_IMAGE=PATH skips the build and checks that image.
func TestRealKernelBuild(t *testing.T) {
	image := os.Getenv(envRealImage)
	if os.Getenv(envRealBuild) != "1" && image == "" {
		t.Skipf("set %s=1 to build and boot a real kernel (takes minutes)", envRealBuild)
	}
	for _, tool := range []string{"qemu-system-x86_64", "busybox", "cpio"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: apt-get install -y qemu-system-x86 busybox-static cpio", tool)
		}
	}
	if image == "" {
		image = realBuild(t)
	}
	out := bootProbe(t, image)
	for _, want := range []string{"PROBE SCHED_EXT=disabled", "PROBE BTF=yes", "PROBE CPUS=4", "PROBE NODES=2", "cpuset cpu", "PROBE VPORT=vport"} {
		if !strings.Contains(out, want) {
			t.Errorf("guest output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("console:\n%s", out)
	}
}

// realBuild builds the real kernel into the real cache.
func realBuild(t *testing.T) string {
	src := os.Getenv(envRealSource)
	if src == "" {
		src = "/usr/src/linux-source-6.12.tar.xz"
	}
	res, err := Build(context.Background(), BuildOptions{Source: src, Fragment: kernel.Fragment, Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kernel %s (cached before: %v) in %s", res.Entry.Key, res.Cached, res.Elapsed.Round(time.Second))
	for _, d := range res.Dropped {
		t.Logf("dropped: %s", d)
	}
	return res.Entry.ImagePath()
}

// bootProbe boots image with the probe init on 4 vCPUs in two NUMA
// nodes and returns the console output.
func bootProbe(t *testing.T, image string) string {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	bb, _ := exec.LookPath("busybox")
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, filepath.Join(root, "bin/busybox"), data)
	testutil.WriteFile(t, filepath.Join(root, "init"), []byte(guestProbe))
	for _, p := range []string{"bin/busybox", "init"} {
		os.Chmod(filepath.Join(root, p), 0o755)
	}
	for _, d := range []string{"proc", "sys", "dev"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	initrd := filepath.Join(dir, "initrd.cpio")
	pack := exec.Command("sh", "-c", "find . | cpio -o -H newc > "+initrd)
	pack.Dir = root
	if out, err := pack.CombinedOutput(); err != nil {
		t.Fatalf("cpio: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	qemu := exec.CommandContext(ctx, "qemu-system-x86_64", "-M", "q35", "-accel", "tcg,thread=multi", "-cpu", "max",
		"-m", "1024", "-smp", "4,sockets=2,cores=2,threads=1", "-nodefaults", "-nographic", "-no-reboot",
		"-object", "memory-backend-ram,id=m0,size=512M", "-numa", "node,memdev=m0,cpus=0-1",
		"-object", "memory-backend-ram,id=m1,size=512M", "-numa", "node,memdev=m1,cpus=2-3",
		"-device", "virtio-serial-pci", "-chardev", "null,id=ch0", "-device", "virtserialport,chardev=ch0,name=probe",
		"-serial", "stdio", "-kernel", image, "-initrd", initrd, "-append", "console=ttyS0 panic=-1")
	var out bytes.Buffer
	qemu.Stdout, qemu.Stderr = &out, &out
	start := time.Now()
	if err := qemu.Run(); err != nil {
		t.Fatalf("qemu: %v\n%s", err, out.String())
	}
	t.Logf("boot and probe took %s", time.Since(start).Round(time.Millisecond))
	return out.String()
}

// testLog sends build progress to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
