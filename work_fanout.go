package gauntlet

import "github.com/gauntlet-sched/gauntlet/internal/guest"

// FutexFanOut: workers form groups of 1 + fanOut (the count must be a
// multiple; fanOut 0 means 4): the group's first worker, the waker, runs
// the CPUSpin block, stamps the time and wakes all its waiters with one
// FUTEX_WAKE on a shared generation word, without waiting for them; each
// waiter blocks on the word, then runs 256 rounds. One iteration is one
// wake (waker) or one generation seen (waiter). A waiter that was
// blocked at the wake takes the time from the waker's stamp to running as
// a wake-latency sample: the latency of a 1:N wake-up. Its workers are not
// compared for fairness (the waker never blocks).
func FutexFanOut(fanOut int) WorkType {
	return WorkType{guest.WorkSpec{Kind: guest.KindFutexFanOut, FanOut: fanOut}}
}

// FanOutCompute: workers form groups of 1 + fanOut (the count must be a
// multiple; fanOut 0 means 4), a producer and its compute workers. One
// round: the producer wakes all its workers at once (futex), each
// multiplies two square matrices sized to fill sizeKiB together with the
// product (0 means 64 KiB), and the producer waits until the last one is
// done. One iteration is one round (producer) or one multiplication
// (worker). Wake-latency samples: the time from the producer's wake to
// each worker running, and from the last worker's finish to the producer
// running. Its workers are not compared for fairness.
func FanOutCompute(fanOut, sizeKiB int) WorkType {
	return WorkType{guest.WorkSpec{Kind: guest.KindFanOutCompute, FanOut: fanOut, SizeKiB: sizeKiB}}
}

// CacheYield: one iteration walks the next 64 KiB window of a sizeKiB
// buffer as [CachePressure] does (0 means 1024), then calls sched_yield,
// so the worker gives up the CPU with a warm working set. The time the
// yield took, until the worker ran again, is a wake-latency sample.
func CacheYield(sizeKiB int) WorkType {
	return WorkType{guest.WorkSpec{Kind: guest.KindCacheYield, SizeKiB: sizeKiB}}
}

// CachePipe: like [PipeIO] (workers pair up; the count must be even), but
// between receiving and sending each side walks the next 64 KiB window of
// its sizeKiB buffer (0 means 1024), so cache-hot work is handed back and
// forth. The time from the partner's send to running is a wake-latency
// sample.
func CachePipe(sizeKiB int) WorkType {
	return WorkType{guest.WorkSpec{Kind: guest.KindCachePipe, SizeKiB: sizeKiB}}
}

// PageFaultChurn: each worker maps a private regionKiB region (0 means
// 4096, at least 4) with small pages; one iteration runs 256 rounds of
// arithmetic, writes one byte to each of touches random pages of it (0
// means 256), faulting in every page not present, and then drops all its
// pages (MADV_DONTNEED), so every cycle faults again. The faults are
// counted in [spec.CgroupStats] PageFaults.
func PageFaultChurn(regionKiB, touches int) WorkType {
	return WorkType{guest.WorkSpec{Kind: guest.KindPageFaultChurn, SizeKiB: regionKiB, Touches: touches}}
}
