package sample

import (
	"os"
	"strings"
)

// hasAVX2 reads /proc/cpuinfo so the example needs no module downloads; real packages
// use golang.org/x/sys/cpu (the `package` command generates that dispatch).
var hasAVX2 = func() bool {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false
	}
	return strings.Contains(string(b), " avx2 ")
}()
