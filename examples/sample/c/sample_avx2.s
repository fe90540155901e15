	.text
	.intel_syntax noprefix
	.file	"sample.c"
	.globl	sample_sum_avx2                 # -- Begin function sample_sum_avx2
	.p2align	4, 0x90
	.type	sample_sum_avx2,@function
sample_sum_avx2:                        # @sample_sum_avx2
# %bb.0:
	test	rsi, rsi
	jle	.LBB0_1
# %bb.3:
	lea	rcx, [rdi + 8*rsi]
	lea	rax, [rdi + 8]
	cmp	rcx, rax
	cmova	rax, rcx
	mov	rsi, rdi
	not	rsi
	add	rsi, rax
	cmp	rsi, 120
	jae	.LBB0_5
# %bb.4:
	xor	eax, eax
	mov	rdx, rdi
	jmp	.LBB0_8
.LBB0_1:
	xor	eax, eax
	ret
.LBB0_5:
	shr	rsi, 3
	inc	rsi
	mov	r8, rsi
	and	r8, -16
	lea	rdx, [rdi + 8*r8]
	vpxor	xmm0, xmm0, xmm0
	xor	eax, eax
	vpxor	xmm1, xmm1, xmm1
	vpxor	xmm2, xmm2, xmm2
	vpxor	xmm3, xmm3, xmm3
	.p2align	4, 0x90
.LBB0_6:                                # =>This Inner Loop Header: Depth=1
	vpaddq	ymm0, ymm0, ymmword ptr [rdi + 8*rax]
	vpaddq	ymm1, ymm1, ymmword ptr [rdi + 8*rax + 32]
	vpaddq	ymm2, ymm2, ymmword ptr [rdi + 8*rax + 64]
	vpaddq	ymm3, ymm3, ymmword ptr [rdi + 8*rax + 96]
	add	rax, 16
	cmp	r8, rax
	jne	.LBB0_6
# %bb.7:
	vpaddq	ymm0, ymm1, ymm0
	vpaddq	ymm1, ymm3, ymm2
	vpaddq	ymm0, ymm1, ymm0
	vextracti128	xmm1, ymm0, 1
	vpaddq	xmm0, xmm0, xmm1
	vpshufd	xmm1, xmm0, 238                 # xmm1 = xmm0[2,3,2,3]
	vpaddq	xmm0, xmm0, xmm1
	vmovq	rax, xmm0
	cmp	rsi, r8
	jne	.LBB0_8
# %bb.2:
	vzeroupper
	ret
.LBB0_8:
	push	rbp
	mov	rbp, rsp
	and	rsp, -8
	.p2align	4, 0x90
.LBB0_9:                                # =>This Inner Loop Header: Depth=1
	add	rax, qword ptr [rdx]
	add	rdx, 8
	cmp	rdx, rcx
	jb	.LBB0_9
# %bb.10:
	mov	rsp, rbp
	pop	rbp
	vzeroupper
	ret
.Lfunc_end0:
	.size	sample_sum_avx2, .Lfunc_end0-sample_sum_avx2
                                        # -- End function
	.section	.rodata.cst8,"aM",@progbits,8
	.p2align	3, 0x0                          # -- Begin function sample_max_avx2
.LCPI1_0:
	.quad	-9223372036854775808            # 0x8000000000000000
	.text
	.globl	sample_max_avx2
	.p2align	4, 0x90
	.type	sample_max_avx2,@function
sample_max_avx2:                        # @sample_max_avx2
# %bb.0:
	test	rsi, rsi
	je	.LBB1_1
# %bb.3:
	movabs	rax, -9223372036854775808
	jle	.LBB1_2
# %bb.4:
	push	rbp
	mov	rbp, rsp
	and	rsp, -8
	lea	rcx, [rdi + 8*rsi]
	lea	rdx, [rdi + 8]
	cmp	rcx, rdx
	cmova	rdx, rcx
	mov	rsi, rdi
	not	rsi
	add	rsi, rdx
	cmp	rsi, 120
	jae	.LBB1_6
# %bb.5:
	mov	rdx, rdi
	jmp	.LBB1_9
.LBB1_1:
	xor	eax, eax
.LBB1_2:
	ret
.LBB1_6:
	shr	rsi, 3
	inc	rsi
	mov	r8, rsi
	and	r8, -16
	lea	rdx, [rdi + 8*r8]
	vpbroadcastq	ymm0, qword ptr [rip + .LCPI1_0] # ymm0 = [9223372036854775808,9223372036854775808,9223372036854775808,9223372036854775808]
	xor	eax, eax
	vmovdqa	ymm3, ymm0
	vmovdqa	ymm2, ymm0
	vmovdqa	ymm1, ymm0
	.p2align	4, 0x90
.LBB1_7:                                # =>This Inner Loop Header: Depth=1
	vmovdqu	ymm4, ymmword ptr [rdi + 8*rax]
	vmovdqu	ymm5, ymmword ptr [rdi + 8*rax + 32]
	vmovdqu	ymm6, ymmword ptr [rdi + 8*rax + 64]
	vpcmpgtq	ymm7, ymm4, ymm0
	vblendvpd	ymm0, ymm0, ymm4, ymm7
	vmovdqu	ymm4, ymmword ptr [rdi + 8*rax + 96]
	vpcmpgtq	ymm7, ymm5, ymm3
	vblendvpd	ymm3, ymm3, ymm5, ymm7
	vpcmpgtq	ymm5, ymm6, ymm2
	vblendvpd	ymm2, ymm2, ymm6, ymm5
	vpcmpgtq	ymm5, ymm4, ymm1
	vblendvpd	ymm1, ymm1, ymm4, ymm5
	add	rax, 16
	cmp	r8, rax
	jne	.LBB1_7
# %bb.8:
	vpcmpgtq	ymm4, ymm0, ymm3
	vblendvpd	ymm0, ymm3, ymm0, ymm4
	vpcmpgtq	ymm3, ymm0, ymm2
	vblendvpd	ymm0, ymm2, ymm0, ymm3
	vpcmpgtq	ymm2, ymm0, ymm1
	vblendvpd	ymm0, ymm1, ymm0, ymm2
	vextractf128	xmm1, ymm0, 1
	vpcmpgtq	xmm2, xmm0, xmm1
	vblendvpd	xmm0, xmm1, xmm0, xmm2
	vshufps	xmm1, xmm0, xmm0, 238           # xmm1 = xmm0[2,3,2,3]
	vpcmpgtq	xmm2, xmm0, xmm1
	vblendvpd	xmm0, xmm1, xmm0, xmm2
	vmovq	rax, xmm0
	cmp	rsi, r8
	je	.LBB1_10
	.p2align	4, 0x90
.LBB1_9:                                # =>This Inner Loop Header: Depth=1
	mov	rsi, qword ptr [rdx]
	cmp	rsi, rax
	cmovg	rax, rsi
	add	rdx, 8
	cmp	rdx, rcx
	jb	.LBB1_9
.LBB1_10:
	mov	rsp, rbp
	pop	rbp
	vzeroupper
	ret
.Lfunc_end1:
	.size	sample_max_avx2, .Lfunc_end1-sample_max_avx2
                                        # -- End function
	.section	.rodata.cst8,"aM",@progbits,8
	.p2align	3, 0x0                          # -- Begin function sample_min_avx2
.LCPI2_0:
	.quad	9223372036854775807             # 0x7fffffffffffffff
	.text
	.globl	sample_min_avx2
	.p2align	4, 0x90
	.type	sample_min_avx2,@function
sample_min_avx2:                        # @sample_min_avx2
# %bb.0:
	test	rsi, rsi
	je	.LBB2_1
# %bb.3:
	movabs	rax, 9223372036854775807
	jle	.LBB2_2
# %bb.4:
	push	rbp
	mov	rbp, rsp
	and	rsp, -8
	lea	rcx, [rdi + 8*rsi]
	lea	rdx, [rdi + 8]
	cmp	rcx, rdx
	cmova	rdx, rcx
	mov	rsi, rdi
	not	rsi
	add	rsi, rdx
	cmp	rsi, 120
	jae	.LBB2_6
# %bb.5:
	mov	rdx, rdi
	jmp	.LBB2_9
.LBB2_1:
	xor	eax, eax
.LBB2_2:
	ret
.LBB2_6:
	shr	rsi, 3
	inc	rsi
	mov	r8, rsi
	and	r8, -16
	lea	rdx, [rdi + 8*r8]
	vpbroadcastq	ymm0, qword ptr [rip + .LCPI2_0] # ymm0 = [9223372036854775807,9223372036854775807,9223372036854775807,9223372036854775807]
	xor	eax, eax
	vmovdqa	ymm3, ymm0
	vmovdqa	ymm2, ymm0
	vmovdqa	ymm1, ymm0
	.p2align	4, 0x90
.LBB2_7:                                # =>This Inner Loop Header: Depth=1
	vmovdqu	ymm4, ymmword ptr [rdi + 8*rax]
	vmovdqu	ymm5, ymmword ptr [rdi + 8*rax + 32]
	vmovdqu	ymm6, ymmword ptr [rdi + 8*rax + 64]
	vpcmpgtq	ymm7, ymm0, ymm4
	vblendvpd	ymm0, ymm0, ymm4, ymm7
	vmovdqu	ymm4, ymmword ptr [rdi + 8*rax + 96]
	vpcmpgtq	ymm7, ymm3, ymm5
	vblendvpd	ymm3, ymm3, ymm5, ymm7
	vpcmpgtq	ymm5, ymm2, ymm6
	vblendvpd	ymm2, ymm2, ymm6, ymm5
	vpcmpgtq	ymm5, ymm1, ymm4
	vblendvpd	ymm1, ymm1, ymm4, ymm5
	add	rax, 16
	cmp	r8, rax
	jne	.LBB2_7
# %bb.8:
	vpcmpgtq	ymm4, ymm3, ymm0
	vblendvpd	ymm0, ymm3, ymm0, ymm4
	vpcmpgtq	ymm3, ymm2, ymm0
	vblendvpd	ymm0, ymm2, ymm0, ymm3
	vpcmpgtq	ymm2, ymm1, ymm0
	vblendvpd	ymm0, ymm1, ymm0, ymm2
	vextractf128	xmm1, ymm0, 1
	vpcmpgtq	xmm2, xmm1, xmm0
	vblendvpd	xmm0, xmm1, xmm0, xmm2
	vshufps	xmm1, xmm0, xmm0, 238           # xmm1 = xmm0[2,3,2,3]
	vpcmpgtq	xmm2, xmm1, xmm0
	vblendvpd	xmm0, xmm1, xmm0, xmm2
	vmovq	rax, xmm0
	cmp	rsi, r8
	je	.LBB2_10
	.p2align	4, 0x90
.LBB2_9:                                # =>This Inner Loop Header: Depth=1
	mov	rsi, qword ptr [rdx]
	cmp	rsi, rax
	cmovl	rax, rsi
	add	rdx, 8
	cmp	rdx, rcx
	jb	.LBB2_9
.LBB2_10:
	mov	rsp, rbp
	pop	rbp
	vzeroupper
	ret
.Lfunc_end2:
	.size	sample_min_avx2, .Lfunc_end2-sample_min_avx2
                                        # -- End function
	.ident	"Debian clang version 19.1.7 (3~deb12u1)"
	.section	".note.GNU-stack","",@progbits
	.addrsig
