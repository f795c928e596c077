// Package metrics reads named measurements out of payload programs'
// output and judges them: stress-ng's --yaml report ([StressNGYAML]),
// cyclictest's --json report ([CyclictestJSON]), declared regexp
// patterns for tools without a machine-readable format ([Patterns]),
// bounds a Spec puts on metrics ([Check]), and the A/B comparison of two
// runs' metrics with per-metric regression gates ([Compare]). It is pure:
// bytes in, values out, no I/O.
package metrics
