// A running sum, product, extreme or log-sum-exp along a dim (see scan.rs): one workgroup per
// lane. Each thread combines its own segment of the lane, the workgroup scans the segments'
// totals in its memory, and each thread then walks its segment again from the total of those
// before it. combine(a, b) always has a before b, so it need not commute (a running max keeps
// where its value was found); it must associate.
//
// Filled in by scan.rs: the bindings, VALUE (what is carried), IDENTITY, COMBINE (of a and
// b), READ (element j of the lane, at position p of x, as a VALUE) and STORE (the running
// value at output position q).
//
// shape_info: [lanes, n, inner, x offset]

{{BINDINGS}}

var<workgroup> totals: array<{{VALUE}}, 256>;

fn combine(a: {{VALUE}}, b: {{VALUE}}) -> {{VALUE}} {
{{COMBINE}}
}

fn element_at(p: u32, j: u32) -> {{VALUE}} {
    return {{READ}};
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    // Grids wider than the adapter's limit fold into y (see kernel.rs); a whole workgroup
    // leaves or stays, so every thread of a working one reaches the barriers.
    let lane = wid.x + wid.y * groups.x;
    if lane >= shape_info[0] {
        return;
    }
    let n = shape_info[1];
    let inner = shape_info[2];
    let first = (lane / inner) * n * inner + lane % inner;
    let segment = (n + 255u) / 256u;
    let start = min(lid * segment, n);
    let end = min(start + segment, n);
    var total = {{IDENTITY}};
    for (var j = start; j < end; j = j + 1u) {
        total = combine(total, element_at(shape_info[3] + first + j * inner, j));
    }
    totals[lid] = total;
    workgroupBarrier();
    // Inclusive scan of the 256 totals (Hillis-Steele), reading and writing in separate
    // phases. Segments past the lane's end are empty and come last, so an identity combined
    // after a real total reaches no output.
    for (var step = 1u; step < 256u; step = step * 2u) {
        var before = {{IDENTITY}};
        if lid >= step {
            before = totals[lid - step];
        }
        workgroupBarrier();
        totals[lid] = combine(before, totals[lid]);
        workgroupBarrier();
    }
    var running = {{IDENTITY}};
    if lid > 0u {
        running = totals[lid - 1u];
    }
    for (var j = start; j < end; j = j + 1u) {
        let q = first + j * inner;
        running = combine(running, element_at(shape_info[3] + q, j));
{{STORE}}
    }
}
