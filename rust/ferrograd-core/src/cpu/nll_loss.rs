//! The negative log-likelihood loss kernels: the input seen as a contiguous `(n, c, k)` buffer
//! of log-probabilities (class dim in the middle), the target as `(n, k)` class indices. Each
//! target picks one value: the loss there is `-weight[t] * input[i, t, j]`.

use crate::dtype::Element;

/// The shapes, targets and class weights of one `nll_loss` call.
pub struct NllPlan<'a> {
    pub n: usize,
    pub c: usize,
    pub k: usize,
    pub target: &'a [i64],
    /// One weight per class; `None` weighs every class 1.
    pub weight: Option<&'a [f64]>,
    pub ignore_index: i64,
}

impl NllPlan<'_> {
    /// The first target that is neither a class nor `ignore_index`.
    pub fn bad_target(&self) -> Option<i64> {
        self.target
            .iter()
            .copied()
            .find(|&t| t != self.ignore_index && (t < 0 || t >= self.c as i64))
    }

    /// The weight of position `p` of the target (0 where it is ignored), and its class.
    #[inline]
    pub fn pick(&self, p: usize) -> Option<(usize, f64)> {
        let t = self.target[p];
        if t == self.ignore_index {
            return None;
        }
        let class = t as usize;
        Some((class, self.weight.map_or(1.0, |w| w[class])))
    }

    /// Where the value picked by target position `p = i * k + j` lies in the input.
    #[inline]
    fn input_index(&self, p: usize, class: usize) -> usize {
        let (i, j) = (p / self.k, p % self.k);
        (i * self.c + class) * self.k + j
    }
}

/// The loss at every target position (0 where ignored), and the total weight of the targets
/// that count (the divisor of the mean). Callers check the targets first (`bad_target`).
pub fn nll_forward<T: Element>(x: &[T], plan: &NllPlan<'_>) -> (Vec<f64>, f64) {
    let mut total_weight = 0.0;
    let losses = (0..plan.target.len())
        .map(|p| match plan.pick(p) {
            None => 0.0,
            Some((class, w)) => {
                total_weight += w;
                -w * x[plan.input_index(p, class)].to_f64()
            }
        })
        .collect();
    (losses, total_weight)
}

/// The gradient of the loss with respect to the input, written into `out` (zeros, the input's
/// size): `-weight[t] * grad * scale` at each picked position. `grad` holds one value (a reduced
/// loss) or one per target position (`reduction='none'`).
pub fn nll_backward<T: Element>(grad: &[f64], plan: &NllPlan<'_>, scale: f64, out: &mut [T]) {
    for p in 0..plan.target.len() {
        if let Some((class, w)) = plan.pick(p) {
            let g = if grad.len() == 1 { grad[0] } else { grad[p] };
            out[plan.input_index(p, class)] = T::from_f64(-w * g * scale);
        }
    }
}
