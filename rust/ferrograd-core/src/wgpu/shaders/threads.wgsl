// The frame of a kernel with one thread per element: the bindings the dispatcher declares,
// shape_info after them (its first word the number of threads), and an entry point that
// calls the kernel body's `run(t)` for each thread t (see kernel.rs `per_thread_source`).

{{BINDINGS}}
@group(0) @binding({{META_BINDING}}) var<storage, read> shape_info: array<u32>;

// Thread t's coordinates (o, j, i) in a row-major (outer, n, inner) block: the view of a
// tensor around one dim that gathers and scatters take.
fn around_dim(t: u32, n: u32, inner: u32) -> vec3<u32> {
    return vec3<u32>(t / (inner * n), (t / inner) % n, t % inner);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    // Grids wider than the adapter's limit fold into y (see kernel.rs).
    let t = gid.x + gid.y * groups.x * 256u;
    if t >= shape_info[0] {
        return;
    }
    run(t);
}
