// The column matrix of a convolution: cols[n, c * K + k, l] is the input element that kernel
// position k of input channel c meets in window l of sample n (zero in the padding). One
// thread per element of cols; the input is read through its strides.
//
// The convolution is then a matrix product with the weights (see tensor/conv_gpu.rs), which
// runs on the tiled matmul kernel.
//
// shape_info: [total, channels, spatial dims S, kernel numel K, windows L, input offset,
//              batch stride, channel stride, then per spatial dim: input size, output size,
//              kernel size, stride, padding, dilation, input stride]

@group(0) @binding(0) var<storage, read_write> cols: array<f32>;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> shape_info: array<u32>;

const FIELDS: u32 = 7u;
const HEAD: u32 = 8u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    // Grids wider than the adapter's limit fold into y (see kernel.rs).
    let e = gid.x + gid.y * groups.x * 256u;
    if e >= shape_info[0] {
        return;
    }
    let channels = shape_info[1];
    let dims = shape_info[2];
    let kernel_numel = shape_info[3];
    let windows = shape_info[4];
    var l = e % windows;
    let row = (e / windows) % (channels * kernel_numel);
    let n = e / (windows * channels * kernel_numel);
    var k = row % kernel_numel;
    let c = row / kernel_numel;
    var pos = shape_info[5] + n * shape_info[6] + c * shape_info[7];
    var d = dims;
    loop {
        if d == 0u {
            break;
        }
        d = d - 1u;
        let at = HEAD + d * FIELDS;
        let out_size = shape_info[at + 1u];
        let kernel_size = shape_info[at + 2u];
        let o = l % out_size;
        l = l / out_size;
        let kd = k % kernel_size;
        k = k / kernel_size;
        // i32: the window may start before the input (padding).
        let i = i32(o * shape_info[at + 3u] + kd * shape_info[at + 5u]) - i32(shape_info[at + 4u]);
        if i < 0 || i >= i32(shape_info[at]) {
            cols[e] = 0.0;
            return;
        }
        pos = pos + u32(i) * shape_info[at + 6u];
    }
    cols[e] = input[pos];
}
