// A batch of float32 matrix products, out = alpha * a @ b (+ beta * out), tiled through
// workgroup memory and register-blocked.
//
// Each workgroup of 16 x 16 threads computes one TILE x TILE block of one output matrix
// (workgroup_id.z is the batch entry). It walks k in slices of DEPTH: the threads first copy
// the a and b slices into workgroup memory (each global element read once per workgroup, not
// once per thread), then each thread multiplies out a BLOCK x BLOCK block of outputs held in
// registers: with BLOCK = 8, 16 loads from workgroup memory feed 64 multiply-adds.
//
// Operands are read through their strides, so transposed views need no copy. Filled in by
// matmul.rs: BLOCK and DEPTH (see there), and for each operand its element type and the
// function copying its slice into workgroup memory: one element per load through the strides
// (matmul_load_a.wgsl, matmul_load_b.wgsl), or, for a row-major operand aligned to 4
// elements, vec4 loads (matmul_load_a_vec4.wgsl, matmul_load_b_vec4.wgsl).
//
// shape_info: [m, n, k, nbatch, a offset, b offset, a row stride, a col stride, b row stride,
//              b col stride, alpha bits, beta bits, has beta, batch shape,
//              a batch strides, b batch strides]

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<{{A_TYPE}}>;
@group(0) @binding(2) var<storage, read> b: array<{{B_TYPE}}>;
@group(0) @binding(3) var<storage, read> shape_info: array<u32>;

// Outputs per thread along each side.
const BLOCK: u32 = {{BLOCK}}u;
const TILE: u32 = 16u * BLOCK;
const DEPTH: u32 = {{DEPTH}}u;
const THREADS: u32 = 256u;
// Elements of each slice every thread copies.
const LOADS: u32 = TILE * DEPTH / THREADS;

// a's slice, DEPTH columns of TILE rows, stored column by column; b's, DEPTH rows of TILE.
var<workgroup> a_slice: array<f32, TILE * DEPTH>;
var<workgroup> b_slice: array<f32, TILE * DEPTH>;

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
        let size = shape_info[13u + d];
        let index = rest % size;
        rest = rest / size;
        starts.x = starts.x + index * shape_info[13u + nbatch + d];
        starts.y = starts.y + index * shape_info[13u + 2u * nbatch + d];
    }
    return starts;
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
    let m = shape_info[0];
    let n = shape_info[1];
    let k = shape_info[2];
    let starts = batch_starts(group.z);
    let row0 = group.y * TILE;
    let col0 = group.x * TILE;
    let thread = local.y * 16u + local.x;

    var acc: array<f32, BLOCK * BLOCK>;
    for (var k0 = 0u; k0 < k; k0 = k0 + DEPTH) {
        load_a_slice(thread, k0, row0, starts.x);
        load_b_slice(thread, k0, col0, starts.y);
        workgroupBarrier();
        for (var kk = 0u; kk < DEPTH; kk = kk + 1u) {
            var av: array<f32, BLOCK>;
            var bv: array<f32, BLOCK>;
            for (var i = 0u; i < BLOCK; i = i + 1u) {
                av[i] = a_slice[kk * TILE + local.y + 16u * i];
                bv[i] = b_slice[kk * TILE + local.x + 16u * i];
            }
            for (var i = 0u; i < BLOCK; i = i + 1u) {
                for (var j = 0u; j < BLOCK; j = j + 1u) {
                    acc[i * BLOCK + j] = fma(av[i], bv[j], acc[i * BLOCK + j]);
                }
            }
        }
        workgroupBarrier();
    }

    let alpha = bitcast<f32>(shape_info[10]);
    let beta = bitcast<f32>(shape_info[11]);
    let has_beta = shape_info[12] != 0u;
    let out_start = group.z * m * n;
    for (var i = 0u; i < BLOCK; i = i + 1u) {
        let row = row0 + local.y + 16u * i;
        for (var j = 0u; j < BLOCK; j = j + 1u) {
            let col = col0 + local.x + 16u * j;
            if row < m && col < n {
                let at = out_start + row * n + col;
                var v = alpha * acc[i * BLOCK + j];
                if has_beta {
                    v = v + beta * out[at];
                }
                out[at] = v;
            }
        }
    }
}

{{LOAD_A}}

{{LOAD_B}}
