// A batch of float32 matrix products, out = alpha * a @ b (+ beta * out), tiled through
// workgroup memory and register-blocked.
//
// Each workgroup of 16 x 16 threads computes one TILE x TILE block of one output matrix
// (workgroup_id.z is the batch entry). It walks k in slices of DEPTH: the threads first copy
// the a and b slices into workgroup memory (each global element read once per workgroup, not
// once per thread), then each thread multiplies out a BLOCK x BLOCK block of outputs held in
// registers: with BLOCK = 8, 16 loads from workgroup memory feed 64 multiply-adds. The block's
// code (PRODUCT, FINISH) is written out by matmul.rs with constant indices: a register block
// indexed in a loop that the driver's compiler does not unroll lives in slow local memory
// (on an H200, a 4096 x 4096 product ran at 2 TFLOP/s with BLOCK = 8 in loops, 24 unrolled).
//
// A product with few output tiles and a long k (a convolution's weight gradient: 64 x 288
// outputs over k = batch x windows) would leave most of the GPU idle, so its k range can be
// split in SPLIT parts, workgroup_id.z running over (batch entry, part): each part writes its
// partial product to its own (m, n) matrix of `out`, and matmul_split_sum.wgsl adds them up.
//
// Operands are read through their strides, so transposed views need no copy. Filled in by
// matmul.rs: BLOCK, DEPTH and SPLIT (see there), and for each operand its element type and the
// function copying its slice into workgroup memory: one element per load through the strides
// (matmul_load_a.wgsl, matmul_load_b.wgsl), or, for a row-major operand aligned to 4
// elements, vec4 loads (matmul_load_a_vec4.wgsl, matmul_load_b_vec4.wgsl).
//
// shape_info: [m, n, k, nbatch, a offset, b offset, a row stride, a col stride, b row stride,
//              b col stride, alpha bits, beta bits, has beta, k per part, batch shape,
//              a batch strides, b batch strides]

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<{{A_TYPE}}>;
@group(0) @binding(2) var<storage, read> b: array<{{B_TYPE}}>;
@group(0) @binding(3) var<storage, read> shape_info: array<u32>;

// Outputs per thread along each side.
const BLOCK: u32 = {{BLOCK}}u;
const TILE: u32 = 16u * BLOCK;
const DEPTH: u32 = {{DEPTH}}u;
const SPLIT: u32 = {{SPLIT}}u;
// Where the batch shape starts in shape_info.
const BATCH_DIMS: u32 = 14u;
const THREADS: u32 = 256u;
// Elements of each slice every thread copies.
const LOADS: u32 = TILE * DEPTH / THREADS;

// a's slice, DEPTH columns of TILE rows, stored column by column; b's, DEPTH rows of TILE.
var<workgroup> a_slice: array<f32, TILE * DEPTH>;
var<workgroup> b_slice: array<f32, TILE * DEPTH>;
// The end of this workgroup's k range (k, or its part's end): the loads read zero past it.
var<private> k_end: u32;

// Where matrix `z` of the batch starts in a (x) and in b (y).
fn batch_starts(z: u32) -> vec2<u32> {
    let nbatch = shape_info[3];
    var rest = z;
    var starts = vec2<u32>(shape_info[4], shape_info[5]);
    var d = nbatch;
    loop {
        if d == 0u {
            break;
        }
        d = d - 1u;
        let size = shape_info[BATCH_DIMS + d];
        let index = rest % size;
        rest = rest / size;
        starts.x = starts.x + index * shape_info[BATCH_DIMS + nbatch + d];
        starts.y = starts.y + index * shape_info[BATCH_DIMS + 2u * nbatch + d];
    }
    return starts;
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
    let m = shape_info[0];
    let n = shape_info[1];
    let starts = batch_starts(group.z / SPLIT);
    let k_begin = (group.z % SPLIT) * shape_info[13];
    k_end = min(shape_info[2], k_begin + shape_info[13]);
    let row0 = group.y * TILE;
    let col0 = group.x * TILE;
    let thread = local.y * 16u + local.x;

    var acc: array<f32, BLOCK * BLOCK>;
    for (var k0 = k_begin; k0 < k_end; k0 = k0 + DEPTH) {
        load_a_slice(thread, k0, row0, starts.x);
        load_b_slice(thread, k0, col0, starts.y);
        workgroupBarrier();
        for (var kk = 0u; kk < DEPTH; kk = kk + 1u) {
            let a_at = kk * TILE + local.y;
            let b_at = kk * TILE + local.x;
{{PRODUCT}}
        }
        workgroupBarrier();
    }

    let out_start = group.z * m * n;
    let row = row0 + local.y;
    let col = col0 + local.x;
{{FINISH}}
}

// Writes alpha v (+ beta out) at (row, col) of the output matrix starting at out_start.
fn finish(out_start: u32, row: u32, col: u32, v: f32) {
    let m = shape_info[0];
    let n = shape_info[1];
    if row < m && col < n {
        let at = out_start + row * n + col;
        var r = bitcast<f32>(shape_info[10]) * v;
        if shape_info[12] != 0u {
            r = r + bitcast<f32>(shape_info[11]) * out[at];
        }
        out[at] = r;
    }
}

{{LOAD_A}}

{{LOAD_B}}
