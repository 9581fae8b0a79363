// dst[p] += v for a float32 dst bound as atomic<u32>: a compare-and-swap loop on the float's
// bits, since WGSL has no float atomics. When several threads add to one element the order of
// the adds, and so the rounding of their sum, varies from run to run, as with PyTorch's CUDA
// kernels.
fn atomic_add_to_dst(p: u32, v: f32) {
    var old = atomicLoad(&dst[p]);
    loop {
        let swapped = atomicCompareExchangeWeak(&dst[p], old, bitcast<u32>(bitcast<f32>(old) + v));
        if swapped.exchanged {
            break;
        }
        old = swapped.old_value;
    }
}
