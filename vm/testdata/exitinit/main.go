// Command exitinit is an init that exits at once, which makes the kernel
// panic ("Attempted to kill init!"). The vm tests boot it to check that a
// kernel panic is classified as one, with the console tail attached.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("exitinit: exiting as PID", os.Getpid())
	os.Exit(3)
}
