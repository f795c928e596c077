package vm

import (
	"strings"
	"text/template"

	"github.com/gauntlet-sched/gauntlet/topo"
)

// shellInit is what a shell VM's /init script is made from.
type shellInit struct {
	// Topology is the requested layout, printed above what sysfs shows.
	Topology topo.Topology
	// Command runs instead of an interactive shell when set.
	Command []string
	// Term is TERM for the shell; Rows and Cols the console size
	// (zero: left alone).
	Term       string
	Rows, Cols int
	// LibraryPath becomes LD_LIBRARY_PATH when not empty: the directories
	// of included libraries.
	LibraryPath []string
}

// shellInitTemplate is the guest's /init: a busybox sh script run as
// PID 1. Mount failures are reported, not fatal. The shell (or command)
// runs in its own session with the console as controlling terminal
// (setsid cttyhack), so job control works; its exit status goes to the
// host on the status port, then the VM powers off.
var shellInitTemplate = template.Must(template.New("init").Funcs(template.FuncMap{
	"quote": shellQuote, "join": strings.Join, "quoteArgs": QuoteArgs,
}).Parse(`#!/bin/busybox sh
# gauntlet shell init (generated): mount, summarise the topology, run
# {{if .Command}}the command{{else}}an interactive shell{{end}}, report its exit status, power off.
/bin/busybox --install -s /bin
export PATH=/include-files:/bin HOME=/root TERM={{quote .Term}}
{{- if .LibraryPath}}
export LD_LIBRARY_PATH={{quote (join .LibraryPath ":")}}
{{- end}}
warn() { echo "gauntlet init: $*" >&2; }
mnt() { mkdir -p "$3" && mount -t "$1" "$2" "$3" || warn "mount $1 on $3 failed"; }
mnt proc proc /proc
mnt sysfs sysfs /sys
mnt devtmpfs devtmpfs /dev
mnt tmpfs tmpfs /tmp
mnt tmpfs tmpfs /dev/shm
mnt cgroup2 cgroup2 /sys/fs/cgroup
echo "+cpuset +cpu" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

port=
for p in /sys/class/virtio-ports/*; do
	[ "$(cat "$p/name" 2>/dev/null)" = {{quote .Port}} ] && port=/dev/${p##*/}
done
[ -n "$port" ] || warn "no virtio port {{.Port}}; the exit status cannot reach the host"
report() { [ -n "$port" ] && echo "$*" > "$port"; }
report "ready $(cut -d' ' -f1 /proc/uptime)"

sys=/sys/devices/system
cpus=$(nproc)
cores=$(cat $sys/cpu/cpu[0-9]*/topology/core_cpus_list 2>/dev/null | sort -u | wc -l)
sockets=$(cat $sys/cpu/cpu[0-9]*/topology/physical_package_id 2>/dev/null | sort -u | wc -l)
[ "$cores" -gt 0 ] || cores=$cpus
[ "$sockets" -gt 0 ] || sockets=1
echo "gauntlet shell: requested topology {{.Topology}}, vCPUs: {{.Topology.CPUs}}"
echo "CPU(s):               $cpus"
echo "On-line CPU(s) list:  $(cat $sys/cpu/online)"
echo "Thread(s) per core:   $((cpus / cores))"
echo "Core(s) per socket:   $((cores / sockets))"
echo "Socket(s):            $sockets"
echo "NUMA node(s):         $(ls -d $sys/node/node[0-9]* 2>/dev/null | wc -l)"
for n in $sys/node/node[0-9]*; do
	[ -e "$n/cpulist" ] && echo "NUMA ${n##*/} CPU(s):    $(cat "$n/cpulist")"
done
echo "LLC (L3) CPU groups:  $(cat $sys/cpu/cpu[0-9]*/cache/index3/shared_cpu_list 2>/dev/null | sort -u | tr '\n' ' ')"
{{- if .Rows}}
stty rows {{.Rows}} cols {{.Cols}} 2>/dev/null
{{- end}}

cd /
{{- if .Command}}
setsid cttyhack sh -c {{quote (quoteArgs .Command)}}
{{- else}}
echo "gauntlet shell: busybox sh; included files are in /include-files; exit or Ctrl-D powers off, Ctrl-A X quits QEMU"
PS1='gauntlet:\w\$ ' setsid cttyhack sh
{{- end}}
status=$?
report "exit $status"
echo 0 > /proc/sys/kernel/printk # no "reboot: Power down" after the output
poweroff -f
`))

// script renders the /init script.
func (s shellInit) script() string {
	var b strings.Builder
	data := struct {
		shellInit
		Port string
	}{s, ShellPortName}
	if data.Term == "" {
		data.Term = "linux"
	}
	if err := shellInitTemplate.Execute(&b, data); err != nil {
		panic("shell init template: " + err.Error()) // the template is fixed; tests execute it
	}
	return b.String()
}
