// The inverse of im2col.wgsl, summing: x[n, c, i...] is the sum of cols[n, c * K + k, l] over
// the (kernel position k, window l) pairs that meet input element i. One thread per input
// element gathers its terms, so no two threads write one element (WGSL has no float atomics).
// This is the input gradient of a convolution and the transposed convolution.
//
// shape_info: as im2col.wgsl (the input strides unused: x is written contiguous).

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read> shape_info: array<u32>;

const FIELDS: u32 = 7u;
const HEAD: u32 = 8u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let e = gid.x + gid.y * groups.x * 256u;
    if e >= shape_info[0] {
        return;
    }
    let channels = shape_info[1];
    let dims = shape_info[2];
    let kernel_numel = shape_info[3];
    let windows = shape_info[4];
    var input_numel = 1u;
    for (var d = 0u; d < dims; d = d + 1u) {
        input_numel = input_numel * shape_info[HEAD + d * FIELDS];
    }
    let c = (e / input_numel) % channels;
    let n = e / (input_numel * channels);
    let row_start = (n * channels * kernel_numel + c * kernel_numel) * windows;
    var total = 0.0;
    for (var k = 0u; k < kernel_numel; k = k + 1u) {
        // The window l where kernel position k meets this element, if any.
        var rest_i = e % input_numel;
        var rest_k = k;
        var l = 0u;
        var scale = 1u;
        var hit = true;
        var d = dims;
        loop {
            if d == 0u {
                break;
            }
            d = d - 1u;
            let at = HEAD + d * FIELDS;
            let in_size = shape_info[at];
            let out_size = shape_info[at + 1u];
            let kernel_size = shape_info[at + 2u];
            let stride = shape_info[at + 3u];
            let i = rest_i % in_size;
            rest_i = rest_i / in_size;
            let kd = rest_k % kernel_size;
            rest_k = rest_k / kernel_size;
            let t = i32(i + shape_info[at + 4u]) - i32(kd * shape_info[at + 5u]);
            if t < 0 || u32(t) % stride != 0u || u32(t) / stride >= out_size {
                hit = false;
                break;
            }
            l = l + (u32(t) / stride) * scale;
            scale = scale * out_size;
        }
        if hit {
            total = total + cols[row_start + k * windows + l];
        }
    }
    x[e] = total;
}
