#include "textflag.h"
#include "funcdata.h"

// func Add3Switched(a, b, c int64) int64
TEXT ·Add3Switched(SB), $56-32
	NO_LOCAL_POINTERS
	LEAQ 48(SP), R11                        // top of the C stack area inside this frame
	ANDQ $-16, R11
	MOVQ SP, 0(R11)                         // save Go SP above the stack arguments
	MOVQ a+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ c+16(FP), DX
	MOVQ R11, SP                            // switch to the C stack
	CALL add3realign<>(SB)
	MOVQ 0(SP), SP                          // back to the Go stack
	MOVQ AX, ret+24(FP)
	RET

TEXT add3realign<>(SB), NOSPLIT|NOFRAME, $0
	LEAQ 0(SP), SP                          // mark SPWRITE: stack use is opaque to Go's unwinder
	BYTE $0x55                              // push	rbp
	WORD $0x8948; BYTE $0xe5                // mov	rbp, rsp
	LONG $0xf8e48348                        // and	rsp, -8
	LONG $0x37048d48                        // lea	rax, [rdi + rsi]
	WORD $0x0148; BYTE $0xd0                // add	rax, rdx
	WORD $0x8948; BYTE $0xec                // mov	rsp, rbp
	BYTE $0x5d                              // pop	rbp
	BYTE $0xc3                              // ret

// func DotF32Peer(a, b *float32, n int64) float32
TEXT ·DotF32Peer(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ n+16(FP), DX
	BYTE $0x55                              // push	rbp
	WORD $0x8948; BYTE $0xe5                // mov	rbp, rsp
	LONG $0xf8e48348                        // and	rsp, -8
	WORD $0x8548; BYTE $0xd2                // test	rdx, rdx
	JLE LBB3_1                              // jle	.LBB3_1
	WORD $0xd089                            // mov	eax, edx
	WORD $0xe083; BYTE $0x03                // and	eax, 3
	LONG $0x04fa8348                        // cmp	rdx, 4
	JCC LBB3_8                              // jae	.LBB3_8
	LONG $0xc057f8c5                        // vxorps	xmm0, xmm0, xmm0
	WORD $0xc931                            // xor	ecx, ecx
	JMP LBB3_4                              // jmp	.LBB3_4
LBB3_1:
	LONG $0xc057f8c5                        // vxorps	xmm0, xmm0, xmm0
	WORD $0x8948; BYTE $0xec                // mov	rsp, rbp
	BYTE $0x5d                              // pop	rbp
	MOVSS X0, ret+24(FP)                    // ret
	RET
LBB3_8:
	QUAD $0xfffffffffffcb948; WORD $0x7fff  // movabs	rcx, 9223372036854775804
	WORD $0x2148; BYTE $0xca                // and	rdx, rcx
	LONG $0xc057f8c5                        // vxorps	xmm0, xmm0, xmm0
	WORD $0xc931                            // xor	ecx, ecx
	PCALIGN $16
LBB3_9:
	LONG $0x0c10fac5; BYTE $0x8f            // vmovss	xmm1, dword ptr [rdi + 4*rcx]
	LONG $0x5410fac5; WORD $0x048f          // vmovss	xmm2, dword ptr [rdi + 4*rcx + 4]
	LONG $0x9979e2c4; WORD $0x8e0c          // vfmadd132ss	xmm1, xmm0, dword ptr [rsi + 4*rcx]
	LONG $0xb969e2c4; WORD $0x8e4c; BYTE $0x04 // vfmadd231ss	xmm1, xmm2, dword ptr [rsi + 4*rcx + 4]
	LONG $0x5410fac5; WORD $0x088f          // vmovss	xmm2, dword ptr [rdi + 4*rcx + 8]
	LONG $0x9971e2c4; WORD $0x8e54; BYTE $0x08 // vfmadd132ss	xmm2, xmm1, dword ptr [rsi + 4*rcx + 8]
	LONG $0x4410fac5; WORD $0x0c8f          // vmovss	xmm0, dword ptr [rdi + 4*rcx + 12]
	LONG $0x9969e2c4; WORD $0x8e44; BYTE $0x0c // vfmadd132ss	xmm0, xmm2, dword ptr [rsi + 4*rcx + 12]
	LONG $0x04c18348                        // add	rcx, 4
	WORD $0x3948; BYTE $0xca                // cmp	rdx, rcx
	JNE LBB3_9                              // jne	.LBB3_9
LBB3_4:
	WORD $0x8548; BYTE $0xc0                // test	rax, rax
	JEQ LBB3_7                              // je	.LBB3_7
	LONG $0x8e148d48                        // lea	rdx, [rsi + 4*rcx]
	LONG $0x8f0c8d48                        // lea	rcx, [rdi + 4*rcx]
	WORD $0xf631                            // xor	esi, esi
	PCALIGN $16
LBB3_6:
	LONG $0x0c10fac5; BYTE $0xb1            // vmovss	xmm1, dword ptr [rcx + 4*rsi]
	LONG $0xb971e2c4; WORD $0xb204          // vfmadd231ss	xmm0, xmm1, dword ptr [rdx + 4*rsi]
	WORD $0xff48; BYTE $0xc6                // inc	rsi
	WORD $0x3948; BYTE $0xf0                // cmp	rax, rsi
	JNE LBB3_6                              // jne	.LBB3_6
LBB3_7:
	WORD $0x8948; BYTE $0xec                // mov	rsp, rbp
	BYTE $0x5d                              // pop	rbp
	MOVSS X0, ret+24(FP)                    // ret
	RET

// func Add3RealignPeer(a, b, c int64) int64
TEXT ·Add3RealignPeer(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ c+16(FP), DX
	BYTE $0x55                              // push	rbp
	WORD $0x8948; BYTE $0xe5                // mov	rbp, rsp
	LONG $0xf8e48348                        // and	rsp, -8
	LONG $0x37048d48                        // lea	rax, [rdi + rsi]
	WORD $0x0148; BYTE $0xd0                // add	rax, rdx
	WORD $0x8948; BYTE $0xec                // mov	rsp, rbp
	BYTE $0x5d                              // pop	rbp
	MOVQ AX, ret+24(FP)                     // ret
	RET

// func Add3SpillPeer(a, b, c int64) int64
TEXT ·Add3SpillPeer(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ c+16(FP), DX
	BYTE $0x50                              // push	rax
	LONG $0x24148948                        // mov	qword ptr [rsp], rdx
	LONG $0x37048d48                        // lea	rax, [rdi + rsi]
	LONG $0x24040348                        // add	rax, qword ptr [rsp]
	BYTE $0x59                              // pop	rcx
	MOVQ AX, ret+24(FP)                     // ret
	RET
