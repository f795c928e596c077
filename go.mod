module github.com/gauntlet-sched/gauntlet

go 1.26
