package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// resetPeakRSS resets the kernel's peak-RSS mark (VmHWM) so each level
// reports its own peak; seeding a large directory does not count.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSMiB reads VmHWM from /proc/self/status.
func peakRSSMiB() float64 { return peakRSSOf("/proc/self/status") }

// peakRSSOf reads VmHWM from a /proc/<pid>/status file.
func peakRSSOf(status string) float64 {
	f, err := os.Open(status)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuSeconds is this process's user + system CPU time (its own, not its
// children's).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// clockTicks is the unit of the CPU times in /proc/<pid>/stat: USER_HZ,
// 100 on Linux on every architecture Go supports (sysconf(_SC_CLK_TCK)
// would need cgo).
const clockTicks = 100

// processTicks is the user + system CPU time, in clock ticks, of the
// PostgreSQL processes among pids and of their parent, the postmaster.
type processTicks map[int]uint64

// postgresTicks reads the CPU time of pids (PostgreSQL's processes on this
// machine: guestgate's sessions and the background processes) and of the
// postmaster that started them. A pid that isn't a "postgres" process here
// is left out: none is found when PostgreSQL runs elsewhere.
func postgresTicks(pids []int) processTicks {
	out := processTicks{}
	for _, pid := range pids {
		ticks, ppid, ok := readStat(pid)
		if !ok {
			continue // ended meanwhile, or not ours to see
		}
		out[pid] = ticks
		if _, seen := out[ppid]; !seen {
			if ticks, _, ok := readStat(ppid); ok {
				out[ppid] = ticks
			}
		}
	}
	return out
}

// secondsSince is the CPU time the processes of t used since before; a
// process that started since counts from zero, one that ended meanwhile
// is lost.
func (t processTicks) secondsSince(before processTicks) float64 {
	var d uint64
	for pid, ticks := range t {
		if ticks >= before[pid] {
			d += ticks - before[pid]
		}
	}
	return float64(d) / clockTicks
}

// readStat reads /proc/<pid>/stat of a process named "postgres": its
// utime + stime (not its children's) and its parent's pid.
func readStat(pid int) (ticks uint64, ppid int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	return parseStat(string(b))
}

func parseStat(stat string) (ticks uint64, ppid int, ok bool) {
	name, ticks, ppid, ok := parseProcStat(stat)
	if !ok || name != "postgres" {
		return 0, 0, false
	}
	return ticks, ppid, true
}

// processCPUSeconds is the user + system CPU time of process pid (its own,
// not its reaped children's).
func processCPUSeconds(pid int) (float64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	_, ticks, _, ok := parseProcStat(string(b))
	if !ok {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return float64(ticks) / clockTicks, nil
}

// parseProcStat reads a /proc/<pid>/stat line: the command name, utime +
// stime and the parent's pid.
func parseProcStat(stat string) (name string, ticks uint64, ppid int, ok bool) {
	open, shut := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if open < 0 || shut < open {
		return "", 0, 0, false
	}
	// After the name: state (field 3), ppid (4), …, utime (14), stime (15).
	f := strings.Fields(stat[shut+1:])
	if len(f) < 13 {
		return "", 0, 0, false
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return "", 0, 0, false
	}
	for _, v := range f[11:13] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return "", 0, 0, false
		}
		ticks += n
	}
	return stat[open+1 : shut], ticks, ppid, true
}

// loadAverage is the machine's 1-minute load average (0 where unknown).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	v, _ := parseLoadavg(string(b))
	return v
}

// parseLoadavg reads the first field of /proc/loadavg.
func parseLoadavg(s string) (float64, bool) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil
}

func machine() string {
	return fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
}
