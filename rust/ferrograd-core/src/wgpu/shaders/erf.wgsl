// The float32 error function, its complement and its inverse, for the elementwise op table
// (prepended to the map template after math.wgsl). WGSL has none of them.
//
// Below 0.5, erf is its Taylor series. From 0.5 on, erfc(x) = e^(-x^2) g(x), where
// g = erfc e^(x^2) falls smoothly from 0.61 to 0.06 by 10 (where erfc leaves the float range):
// g is a least-squares polynomial in x - c on three intervals, each within 2^-23 relative in
// float32, and e^(-x^2) is taken with x^2 split exactly (x = h + l, h having 12 bits, so h^2 is
// exact), whose rounding would otherwise cost x^2 ulps.

// erf x for |x| < 0.5: 2/sqrt(pi) (x - x^3/3 + x^5/10 - ...) to x^17 (the rest is below
// 2^-30 relative).
fn erf_series(x: f32) -> f32 {
    let z = x * x;
    var p = 1.6462114365889247e-6;
    p = p * z - 1.4925650358406251e-5;
    p = p * z + 0.00012055332981789664;
    p = p * z - 0.00085483270234508528;
    p = p * z + 0.0052239776254421878;
    p = p * z - 0.026866170645131252;
    p = p * z + 0.11283791670955126;
    p = p * z - 0.37612638903183752;
    p = p * z + 1.1283791670955126;
    return x * p;
}

// erfc(x) e^(x^2) for x in [0.5, 10.1].
fn erfc_scaled(x: f32) -> f32 {
    var p: f32;
    if x < 1.5 {
        let u = x - 1.0;
        p = 0.00014131773787084967;
        p = p * u - 0.0004142455291002989;
        p = p * u + 0.0010494100861251354;
        p = p * u - 0.0027609351091086864;
        p = p * u + 0.006970041431486607;
        p = p * u - 0.016662755981087685;
        p = p * u + 0.03757231682538986;
        p = p * u - 0.07922693341970444;
        p = p * u + 0.15437155961990356;
        p = p * u - 0.2732120156288147;
        p = p * u + 0.42758357524871826;
    } else if x < 3.5 {
        let u = x - 2.5;
        p = 7.858961481588267e-08;
        p = p * u - 3.3135239618786727e-07;
        p = p * u + 1.0744124665507115e-06;
        p = p * u - 4.139243628742406e-06;
        p = p * u + 1.5964871636242606e-05;
        p = p * u - 5.891433829674497e-05;
        p = p * u + 0.00021102065511513501;
        p = p * u - 0.0007335777045227587;
        p = p * u + 0.002467036247253418;
        p = p * u - 0.008001570589840412;
        p = p * u + 0.02493799664080143;
        p = p * u - 0.0743473470211029;
        p = p * u + 0.21080636978149414;
    } else {
        let u = x - 6.800000190734863;
        p = 6.310547570609337e-12;
        p = p * u - 5.164032049198575e-11;
        p = p * u + 1.7370575811082034e-10;
        p = p * u - 1.2008364302928953e-09;
        p = p * u + 1.1854857540072317e-08;
        p = p * u - 8.900101988729148e-08;
        p = p * u + 6.349249019876879e-07;
        p = p * u - 4.613582859747112e-06;
        p = p * u + 3.333101631142199e-05;
        p = p * u - 0.0002382205129833892;
        p = p * u + 0.0016864915378391743;
        p = p * u - 0.011825443245470524;
        p = p * u + 0.0820995345711708;
    }
    return p;
}

// erfc x for x >= 0.5.
fn erfc_of_large(x: f32) -> f32 {
    if x > 10.1 {
        return 0.0;
    }
    let h = bitcast<f32>(bitcast<u32>(x) & 0xfffff000u);
    return exp_accurate(-h * h) * exp_accurate(-(x - h) * (x + h)) * erfc_scaled(x);
}

fn erf_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    let a = abs(x);
    if a < 0.5 {
        return erf_series(x); // keeps -0.0
    }
    if a > 4.0 {
        return with_sign(1.0, x); // erfc(4) is below half an ulp of 1
    }
    return with_sign(1.0 - erfc_of_large(a), x);
}

fn erfc_accurate(x: f32) -> f32 {
    if is_nan(x) {
        return x;
    }
    if x < 0.5 {
        if x > -0.5 {
            return 1.0 - erf_series(x);
        }
        return select(2.0 - erfc_of_large(-x), 2.0, x < -4.0);
    }
    return erfc_of_large(x);
}

// The inverse error function, in w = -ln(1 - y^2) as in Giles' "Approximating the erfinv
// function" (2010): erfinv(y) = y p, where p is a polynomial in w below 5 (|y| < 0.9966) and in
// sqrt(w) from there to the largest float below 1 (w < 16). Both are least-squares fits with
// float32 coefficients, within 2^-27 relative; the result is within 2 ulps of the float64
// function's at every float32. w keeps its digits: log1p takes a tiny y^2, and from 0.5 on
// 1 - |y| is exact.
fn erfinv_accurate(y: f32) -> f32 {
    let a = abs(y);
    if is_nan(y) || a > 1.0 {
        return nan();
    }
    if a == 1.0 {
        return with_sign(inf(), y);
    }
    var w: f32;
    if a < 0.5 {
        w = -log1p_accurate(-a * a);
    } else {
        w = -log_accurate((1.0 - a) * (1.0 + a));
    }
    var p: f32;
    if w < 5.0 {
        let u = w - 2.5283203125;
        p = -8.828629e-9;
        p = p * u + 2.0757868e-8;
        p = p * u + 4.716166e-7;
        p = p * u - 3.3666415e-6;
        p = p * u - 5.5452647e-6;
        p = p * u + 0.00021758657;
        p = p * u - 0.0012280485;
        p = p * u - 0.00428275;
        p = p * u + 0.24640068;
        p = p * u + 1.5083909;
    } else {
        let u = sqrt(w) - 3.029296875;
        p = 0.00012857266;
        p = p * u - 0.00028221897;
        p = p * u - 0.00014770268;
        p = p * u + 0.00146886;
        p = p * u - 0.0033251795;
        p = p * u + 0.005178949;
        p = p * u - 0.007003623;
        p = p * u + 0.00880226;
        p = p * u + 1.0022094;
        p = p * u + 2.8623307;
    }
    return y * p; // keeps -0.0
}
