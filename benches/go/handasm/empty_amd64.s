#include "textflag.h"

// func Empty()
TEXT ·Empty(SB), NOSPLIT, $0-0
	RET

// func Add3(a, b, c int64) int64
TEXT ·Add3(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), AX
	ADDQ b+8(FP), AX
	ADDQ c+16(FP), AX
	MOVQ AX, ret+24(FP)
	RET
