// Command testsummary reads `go test -json` on its standard input and
// writes what a person wants from a test run: the ok/FAIL line of every
// package, the output of every failed test and of every failed build, the
// skipped tests grouped by their skip message with how to install what was
// missing, and, as the last line, "N passed, N failed, N skipped" (CI reads
// that form); before it, the lines tests logged as "figures: …" (what the
// high-availability tests measured). It exits 1 when anything failed,
// including a package that failed outside any test (a build failure, a
// panic, a timeout).
//
// scripts/test runs it: go test -json ... 2>&1 | go run ./internal/tools/testsummary
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

func main() {
	s := newSummary(os.Stdout)
	if err := s.read(os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(2)
	}
	if !s.finish() {
		os.Exit(1)
	}
}

// read feeds every line of r to the summary.
func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		s.line(sc.Text())
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading test output: %w", err)
	}
	return nil
}
