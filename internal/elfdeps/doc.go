// Package elfdeps finds what a dynamically linked ELF program needs to run
// somewhere else: its interpreter (PT_INTERP) and the closure of its
// DT_NEEDED libraries, searched the way glibc's dynamic loader searches
// them: DT_RPATH (of the object and its loaders, when the object has no
// DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, then the
// default directories.
//
// The [Resolver] reads files only through an [FS], so the search is
// testable with a fake file system; [OS] is the host's. `gauntlet shell`
// uses it to copy an included binary's libraries into the guest at their
// original paths.
package elfdeps
