// Random draws for the map template (prepended after int64.wgsl and trig.wgsl): Philox4x32-10,
// a counter-based generator, so output element i computes its own draws from (key, counter)
// with no state shared between threads (random/philox.rs has the scheme).
//
// A sampling kernel's extra words are [seed low, seed high, offset low, offset high, the
// distribution's parameters...]; block b of the op is philox((b, 0, offset), seed). Element i
// takes word i % 4 of block i / 4 when it needs one word, and a pair of words when it needs
// two: words (i & 2, (i & 2) + 1) of block i / 4 for a normal (a Box-Muller pair gives the
// cosine to the even element and the sine to the odd one), words 2 (i % 2) and the next of
// block i / 2 for a 64-bit integer.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// Ten rounds of Philox4x32: each multiplies two words into (high, low) halves, mixes the
// highs with the other words and the round's key, and the key steps by the Weyl constants.
fn philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = counter;
    var k = key;
    for (var round = 0u; round < 10u; round = round + 1u) {
        let p0 = u32_mul_wide(PHILOX_M0, c.x);
        let p1 = u32_mul_wide(PHILOX_M1, c.z);
        c = vec4<u32>(p1.y ^ c.y ^ k.x, p1.x, p0.y ^ c.w ^ k.y, p0.x);
        k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
    }
    return c;
}

fn random_block(b: u32) -> vec4<u32> {
    return philox(vec4<u32>(b, 0u, extra(2u), extra(3u)), vec2<u32>(extra(0u), extra(1u)));
}

fn random_word(i: u32) -> u32 {
    return random_block(i / 4u)[i % 4u];
}

fn random_wide(i: u32) -> vec2<u32> {
    let w = random_block(i / 2u);
    return select(w.xy, w.zw, i % 2u == 1u);
}

// The top 24 bits of a word as a float32 in [0, 1), every value exact.
fn unit_closed_open(w: u32) -> f32 {
    return f32(w >> 8u) * 5.9604645e-8;
}

// A word as a float32 in (0, 1], for a logarithm: all 32 bits count, so the smallest values
// (the tails of a normal or an exponential) are as fine as 2^-32, not 2^-24. Rounding to 24
// bits near 1 may give 1 exactly, never more.
fn unit_open_closed(w: u32) -> f32 {
    return (f32(w) + 1.0) * 2.3283064e-10;
}

// Uniform in [low, high): a value that rounds up to `high` becomes `low`, as on the CPU.
fn random_uniform(i: u32, low: f32, high: f32) -> f32 {
    let v = low + unit_closed_open(random_word(i)) * (high - low);
    return select(v, low, v >= high);
}

// A standard normal by Box-Muller: sqrt(-2 log u1) times the cosine or sine of 2 pi u2.
fn random_normal(i: u32) -> f32 {
    let w = random_block(i / 4u);
    let pair = select(w.xy, w.zw, (i & 2u) != 0u);
    let radius = sqrt(-2.0 * log(unit_open_closed(pair.x)));
    let angle = 6.2831855 * unit_closed_open(pair.y);
    return radius * select(cos_accurate(angle), sin_accurate(angle), (i & 1u) != 0u);
}

// Exponential with rate `lambd`; 0 - log(u) keeps u = 1 at +0, not -0.
fn random_exponential(i: u32, lambd: f32) -> f32 {
    return (0.0 - log(unit_open_closed(random_word(i)))) / lambd;
}

// A success with probability threshold / 2^24 (the host rounds p * 2^24 up).
fn random_success(i: u32, threshold: u32) -> bool {
    return (random_word(i) >> 8u) < threshold;
}

// low + a draw mod range, as a 64-bit value: one word serves ranges below 2^28 (where the CPU
// uses one 32-bit draw too), two words the wider ones, so the modulo's bias stays below 2^-4.
fn random_integer(i: u32, low: vec2<u32>, range: vec2<u32>) -> vec2<u32> {
    var r: vec2<u32>;
    if range.y == 0u && range.x < 0x10000000u {
        r = vec2<u32>(random_word(i) % range.x, 0u);
    } else {
        r = u64_divmod(random_wide(i), range).zw;
    }
    return i64_add(r, low);
}
