// Package handasm holds hand-written Go assembly: the floor for an assembly call.
package handasm

// Empty returns at once.
func Empty()

// Add3 returns a+b+c.
func Add3(a, b, c int64) int64
