// The sparse and elementwise kernels of @saekit/backend-onnxruntime, compiled to WebAssembly
// with 128-bit SIMD (native/build.sh). Every tensor lives in the module's linear memory, so a
// kernel receives byte offsets and sizes only; arguments were validated by saekit's core
// before the call (shapes, dtypes, aliasing), and index ranges by the JavaScript caller.
// No libc: the module imports its memory and exports these functions.
#include <wasm_simd128.h>

typedef float f32;
typedef int i32;

#define EXPORT(name) __attribute__((export_name(#name)))

// ---- helpers ---------------------------------------------------------------------------

// y[0..d) += s * x[0..d)
static inline void axpy(f32 *restrict y, const f32 *restrict x, f32 s, i32 d) {
  v128_t vs = wasm_f32x4_splat(s);
  i32 c = 0;
  for (; c + 16 <= d; c += 16) {
    v128_t y0 = wasm_v128_load(y + c), y1 = wasm_v128_load(y + c + 4);
    v128_t y2 = wasm_v128_load(y + c + 8), y3 = wasm_v128_load(y + c + 12);
    y0 = wasm_f32x4_add(y0, wasm_f32x4_mul(vs, wasm_v128_load(x + c)));
    y1 = wasm_f32x4_add(y1, wasm_f32x4_mul(vs, wasm_v128_load(x + c + 4)));
    y2 = wasm_f32x4_add(y2, wasm_f32x4_mul(vs, wasm_v128_load(x + c + 8)));
    y3 = wasm_f32x4_add(y3, wasm_f32x4_mul(vs, wasm_v128_load(x + c + 12)));
    wasm_v128_store(y + c, y0);
    wasm_v128_store(y + c + 4, y1);
    wasm_v128_store(y + c + 8, y2);
    wasm_v128_store(y + c + 12, y3);
  }
  for (; c + 4 <= d; c += 4) {
    wasm_v128_store(y + c, wasm_f32x4_add(wasm_v128_load(y + c),
                                          wasm_f32x4_mul(vs, wasm_v128_load(x + c))));
  }
  for (; c < d; c++) y[c] += s * x[c];
}

static inline f32 hsum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
         wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

static inline f32 dot(const f32 *restrict a, const f32 *restrict b, i32 d) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  i32 c = 0;
  for (; c + 16 <= d; c += 16) {
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + c), wasm_v128_load(b + c)));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(a + c + 4), wasm_v128_load(b + c + 4)));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(a + c + 8), wasm_v128_load(b + c + 8)));
    s3 = wasm_f32x4_add(s3,
                        wasm_f32x4_mul(wasm_v128_load(a + c + 12), wasm_v128_load(b + c + 12)));
  }
  for (; c + 4 <= d; c += 4)
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + c), wasm_v128_load(b + c)));
  f32 s = hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
  for (; c < d; c++) s += a[c] * b[c];
  return s;
}

// ---- sparse -----------------------------------------------------------------------------

void bucket_rows(const i32 *idx, i32 n, i32 m, i32 *start, i32 *order, i32 *fill);

// Slots per group in the register-blocked row walks: a group's rows of x (or out) stay in L1
// while the walk passes over their 32-column blocks; a row's whole slot list would not once
// it runs to hundreds (AuxK's k_aux), and each block would fetch every row again.
#define SLOT_GROUP 8

// o[0..d) = bias, or 0 without one: where a gather's sum starts.
static inline void start_row(f32 *o, const f32 *bias, i32 d) {
  if (bias) {
    for (i32 c = 0; c < d; c++) o[c] = bias[c];
  } else {
    for (i32 c = 0; c < d; c++) o[c] = 0;
  }
}

// out[b] = bias + sum_j vals[b,j] * w[idx[b,j]]; idx < 0 is an empty slot.
EXPORT(gather_sum)
void gather_sum(f32 *out, const f32 *vals, const i32 *idx, const f32 *w, const f32 *bias,
                i32 B, i32 k, i32 d) {
  for (i32 b = 0; b < B; b++) {
    f32 *o = out + (long)b * d;
    start_row(o, bias, d);
    const i32 *ib = idx + (long)b * k;
    const f32 *vb = vals + (long)b * k;
    for (i32 j = 0; j < k; j++) {
      i32 r = ib[j];
      if (r < 0) continue;
      axpy(o, w + (long)r * d, vb[j], d);
    }
  }
}

// gather_sum over rows [0, B) of one part, walking weight rows instead of slots: the part's
// slots are bucketed by weight row (start/order/fill: bucket_rows scratch for m rows and
// B * k slots), then each row of w is read once and added into every out row that uses it,
// 32 columns at a time held in eight SIMD registers, SLOT_GROUP slots at a time. Each out[b]
// sums its slots in increasing weight-row order (a row used twice: in slot order), whatever
// the split.
EXPORT(gather_sum_rows)
void gather_sum_rows(f32 *out, const f32 *vals, const i32 *idx, const f32 *w, const f32 *bias,
                     i32 B, i32 k, i32 d, i32 m, i32 *start, i32 *order, i32 *fill) {
  bucket_rows(idx, B * k, m, start, order, fill);
  for (i32 b = 0; b < B; b++) start_row(out + (long)b * d, bias, d);
  i32 wide = d & ~31;
  for (i32 r = 0; r < m; r++) {
    const f32 *wr = w + (long)r * d;
    for (i32 g0 = start[r], end = start[r + 1]; g0 < end; g0 += SLOT_GROUP) {
      i32 g1 = g0 + SLOT_GROUP < end ? g0 + SLOT_GROUP : end;
      for (i32 c = 0; c < wide; c += 32) {
        const f32 *q = wr + c;
        v128_t w0 = wasm_v128_load(q), w1 = wasm_v128_load(q + 4);
        v128_t w2 = wasm_v128_load(q + 8), w3 = wasm_v128_load(q + 12);
        v128_t w4 = wasm_v128_load(q + 16), w5 = wasm_v128_load(q + 20);
        v128_t w6 = wasm_v128_load(q + 24), w7 = wasm_v128_load(q + 28);
        for (i32 t = g0; t < g1; t++) {
          i32 s = order[t];
          f32 *o = out + (long)(s / k) * d + c;
          v128_t v = wasm_f32x4_splat(vals[s]);
          wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), wasm_f32x4_mul(v, w0)));
          wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), wasm_f32x4_mul(v, w1)));
          wasm_v128_store(o + 8, wasm_f32x4_add(wasm_v128_load(o + 8), wasm_f32x4_mul(v, w2)));
          wasm_v128_store(o + 12, wasm_f32x4_add(wasm_v128_load(o + 12), wasm_f32x4_mul(v, w3)));
          wasm_v128_store(o + 16, wasm_f32x4_add(wasm_v128_load(o + 16), wasm_f32x4_mul(v, w4)));
          wasm_v128_store(o + 20, wasm_f32x4_add(wasm_v128_load(o + 20), wasm_f32x4_mul(v, w5)));
          wasm_v128_store(o + 24, wasm_f32x4_add(wasm_v128_load(o + 24), wasm_f32x4_mul(v, w6)));
          wasm_v128_store(o + 28, wasm_f32x4_add(wasm_v128_load(o + 28), wasm_f32x4_mul(v, w7)));
        }
      }
      for (i32 t = g0; wide < d && t < g1; t++) {
        i32 s = order[t];
        axpy(out + (long)(s / k) * d + wide, wr + wide, vals[s], d - wide);
      }
    }
  }
}

// out[b,j] = <x[b], w[idx[b,j]]>, 0 for an empty slot.
EXPORT(gather_dot)
void gather_dot(f32 *out, const f32 *x, const i32 *idx, const f32 *w, i32 B, i32 k, i32 d) {
  for (i32 b = 0; b < B; b++) {
    const f32 *xb = x + (long)b * d;
    for (i32 j = 0; j < k; j++) {
      i32 r = idx[(long)b * k + j];
      out[(long)b * k + j] = r < 0 ? 0 : dot(xb, w + (long)r * d, d);
    }
  }
}

// gather_dot for slots bucketed by weight row (order[start[r]..start[r+1]) lists the slots of
// row r, as bucket_rows builds them): out[s] = <x[s / k], w[r]>. Each row of w is read once
// for all its slots while the x rows, far fewer bytes, come from cache; a by-slot walk reads
// a row of w from memory once per slot. w and start point at the part's first row; empty
// slots are in no bucket (the caller zeroes them).
EXPORT(gather_dot_rows)
void gather_dot_rows(f32 *out, const i32 *start, const i32 *order, const f32 *x, const f32 *w,
                     i32 m, i32 k, i32 d) {
  for (i32 r = 0; r < m; r++) {
    const f32 *wr = w + (long)r * d;
    for (i32 t = start[r]; t < start[r + 1]; t++) {
      i32 s = order[t];
      out[s] = dot(x + (long)(s / k) * d, wr, d);
    }
  }
}

// out[s] = 0 where idx[s] < 0 (the empty slots gather_dot_rows leaves alone).
EXPORT(zero_empty_slots)
void zero_empty_slots(f32 *out, const i32 *idx, i32 n) {
  for (i32 s = 0; s < n; s++)
    if (idx[s] < 0) out[s] = 0;
}

// w[r] += sum over the slots s listed in order[start[r]..start[r+1]) of vals[s] * x[s / k]:
// the slots were bucketed by target row by the caller, so each row of w is read and written
// once per group of SLOT_GROUP slots, in a fixed order (reproducible). A group updates 32
// columns at a time, held in eight SIMD registers across its slots; every element still adds
// its slots in slot order, as a row-at-a-time axpy would.
EXPORT(scatter_outer_add)
void scatter_outer_add(f32 *w, const i32 *start, const i32 *order, const f32 *vals,
                       const f32 *x, i32 m, i32 k, i32 d) {
  i32 wide = d & ~31;
  for (i32 r = 0; r < m; r++) {
    f32 *wr = w + (long)r * d;
    for (i32 g0 = start[r], end = start[r + 1]; g0 < end; g0 += SLOT_GROUP) {
      i32 g1 = g0 + SLOT_GROUP < end ? g0 + SLOT_GROUP : end;
      for (i32 c = 0; c < wide; c += 32) {
        f32 *o = wr + c;
        v128_t a0 = wasm_v128_load(o), a1 = wasm_v128_load(o + 4);
        v128_t a2 = wasm_v128_load(o + 8), a3 = wasm_v128_load(o + 12);
        v128_t a4 = wasm_v128_load(o + 16), a5 = wasm_v128_load(o + 20);
        v128_t a6 = wasm_v128_load(o + 24), a7 = wasm_v128_load(o + 28);
        for (i32 t = g0; t < g1; t++) {
          i32 s = order[t];
          const f32 *xr = x + (long)(s / k) * d + c;
          v128_t v = wasm_f32x4_splat(vals[s]);
          a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(v, wasm_v128_load(xr)));
          a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(v, wasm_v128_load(xr + 4)));
          a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(v, wasm_v128_load(xr + 8)));
          a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(v, wasm_v128_load(xr + 12)));
          a4 = wasm_f32x4_add(a4, wasm_f32x4_mul(v, wasm_v128_load(xr + 16)));
          a5 = wasm_f32x4_add(a5, wasm_f32x4_mul(v, wasm_v128_load(xr + 20)));
          a6 = wasm_f32x4_add(a6, wasm_f32x4_mul(v, wasm_v128_load(xr + 24)));
          a7 = wasm_f32x4_add(a7, wasm_f32x4_mul(v, wasm_v128_load(xr + 28)));
        }
        wasm_v128_store(o, a0);
        wasm_v128_store(o + 4, a1);
        wasm_v128_store(o + 8, a2);
        wasm_v128_store(o + 12, a3);
        wasm_v128_store(o + 16, a4);
        wasm_v128_store(o + 20, a5);
        wasm_v128_store(o + 24, a6);
        wasm_v128_store(o + 28, a7);
      }
      for (i32 t = g0; wide < d && t < g1; t++) {
        i32 s = order[t];
        axpy(wr + wide, x + (long)(s / k) * d + wide, vals[s], d - wide);
      }
    }
  }
}

// ---- optimizer and constraints ------------------------------------------------------------

// One Adam step on g' = scale * g (PyTorch's bias corrections folded into lr_t and eps_t by
// the caller: p -= lr_t * m / (sqrt(v) + eps_t)).
EXPORT(adam)
void adam(f32 *p, const f32 *g, f32 *m, f32 *v, i32 n, f32 scale, f32 b1, f32 b2, f32 lr_t,
          f32 eps_t) {
  v128_t vb1 = wasm_f32x4_splat(b1), vb2 = wasm_f32x4_splat(b2);
  v128_t va1 = wasm_f32x4_splat(1 - b1), va2 = wasm_f32x4_splat(1 - b2);
  v128_t vsc = wasm_f32x4_splat(scale), vlr = wasm_f32x4_splat(lr_t);
  v128_t veps = wasm_f32x4_splat(eps_t);
  i32 i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = wasm_f32x4_mul(vsc, wasm_v128_load(g + i));
    v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(vb1, wasm_v128_load(m + i)), wasm_f32x4_mul(va1, gi));
    v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(vb2, wasm_v128_load(v + i)),
                               wasm_f32x4_mul(va2, wasm_f32x4_mul(gi, gi)));
    wasm_v128_store(m + i, mi);
    wasm_v128_store(v + i, vi);
    v128_t step = wasm_f32x4_div(wasm_f32x4_mul(vlr, mi), wasm_f32x4_add(wasm_f32x4_sqrt(vi), veps));
    wasm_v128_store(p + i, wasm_f32x4_sub(wasm_v128_load(p + i), step));
  }
  for (; i < n; i++) {
    f32 gi = scale * g[i];
    f32 mi = b1 * m[i] + (1 - b1) * gi;
    f32 vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_t * mi / (__builtin_sqrtf(vi) + eps_t);
  }
}

// grad[i] -= <grad[i], w[i]> w[i] for each of m rows of d.
EXPORT(remove_parallel)
void remove_parallel(f32 *grad, const f32 *w, i32 m, i32 d) {
  for (i32 r = 0; r < m; r++) {
    f32 *g = grad + (long)r * d;
    const f32 *wr = w + (long)r * d;
    axpy(g, wr, -dot(g, wr, d), d);
  }
}

// w[i] /= |w[i]| for rows with a non-zero norm.
EXPORT(normalize_rows)
void normalize_rows(f32 *w, i32 m, i32 d) {
  for (i32 r = 0; r < m; r++) {
    f32 *wr = w + (long)r * d;
    // The norm in double, as the reference does: a row's squared norm sums d terms.
    double s = 0;
    v128_t acc = wasm_f32x4_splat(0);
    i32 c = 0;
    for (; c + 4 <= d; c += 4) {
      v128_t x = wasm_v128_load(wr + c);
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(x, x));
    }
    s = hsum(acc);
    for (; c < d; c++) s += (double)wr[c] * wr[c];
    if (s > 0) {
      f32 inv = (f32)(1.0 / __builtin_sqrt(s));
      v128_t vi = wasm_f32x4_splat(inv);
      c = 0;
      for (; c + 4 <= d; c += 4) wasm_v128_store(wr + c, wasm_f32x4_mul(wasm_v128_load(wr + c), vi));
      for (; c < d; c++) wr[c] *= inv;
    }
  }
}

// ---- selection ----------------------------------------------------------------------------

// a ranks below b: smaller value, or equal value and higher index (the tie loser).
static inline int worse(f32 av, i32 ai, f32 bv, i32 bi) {
  return av < bv || (av == bv && ai > bi);
}

static void sift_down(f32 *hv, i32 *hi, i32 n, i32 i) {
  f32 v = hv[i];
  i32 c = hi[i];
  for (;;) {
    i32 l = 2 * i + 1;
    if (l >= n) break;
    i32 r = l + 1;
    i32 w = r < n && worse(hv[r], hi[r], hv[l], hi[l]) ? r : l;
    if (!worse(hv[w], hi[w], v, c)) break;
    hv[i] = hv[w];
    hi[i] = hi[w];
    i = w;
  }
  hv[i] = v;
  hi[i] = c;
}

static void heap_push(f32 *hv, i32 *hi, i32 n, f32 v, i32 c) {
  i32 i = n;
  while (i > 0) {
    i32 p = (i - 1) >> 1;
    if (!worse(v, c, hv[p], hi[p])) break;
    hv[i] = hv[p];
    hi[i] = hi[p];
    i = p;
  }
  hv[i] = v;
  hi[i] = c;
}

// Puts (v, c) in place of the heap's root (its worst entry) and returns the new root's value:
// the threshold a later value must beat.
static inline f32 replace_root(f32 *hv, i32 *hi, i32 n, f32 v, i32 c) {
  hv[0] = v;
  hi[0] = c;
  sift_down(hv, hi, n, 0);
  return hv[0];
}

// Writes a heap of n entries into vo/io in descending order (worst popped first, written back
// to front), padding slots n..k with value 0 and index -1.
static void pop_heap_into(f32 *vo, i32 *io, f32 *hv, i32 *hi, i32 n, i32 k) {
  for (i32 j = n; j < k; j++) {
    vo[j] = 0;
    io[j] = -1;
  }
  for (i32 j = n - 1; j >= 0; j--) {
    vo[j] = hv[0];
    io[j] = hi[0];
    hv[0] = hv[j];
    hi[0] = hi[j];
    sift_down(hv, hi, j, 0);
  }
}

// The k largest of row[0..m) by a min-heap of the best k so far: columns are scanned 16 at a
// time against the heap's root with SIMD compares, and only a block holding a larger value
// is looked at element by element.
static void topk_scan(f32 *vo, i32 *io, const f32 *row, i32 m, i32 k, f32 *hv, i32 *hi) {
  i32 n = 0;
  i32 fill = k < m ? k : m;
  for (; n < fill; n++) heap_push(hv, hi, n, row[n], n);
  if (n == k && k > 0) {
    f32 thr = hv[0];
    i32 c = n;
    // Scalar up to a multiple of 16, then blocks.
    for (; c < m && (c & 15); c++) {
      f32 v = row[c];
      if (v > thr) thr = replace_root(hv, hi, n, v, c);
    }
    for (; c + 16 <= m; c += 16) {
      v128_t t = wasm_f32x4_splat(thr);
      v128_t any = wasm_v128_or(
          wasm_v128_or(wasm_f32x4_gt(wasm_v128_load(row + c), t),
                       wasm_f32x4_gt(wasm_v128_load(row + c + 4), t)),
          wasm_v128_or(wasm_f32x4_gt(wasm_v128_load(row + c + 8), t),
                       wasm_f32x4_gt(wasm_v128_load(row + c + 12), t)));
      if (!wasm_v128_any_true(any)) continue;
      for (i32 e = c; e < c + 16; e++) {
        f32 v = row[e];
        if (v > thr) thr = replace_root(hv, hi, n, v, e);
      }
    }
    for (; c < m; c++) {
      f32 v = row[c];
      if (v > thr) thr = replace_root(hv, hi, n, v, c);
    }
  }
  pop_heap_into(vo, io, hv, hi, n, k);
}

// A value that at least k entries of row[0..m) reach: cut the row into k strips and take the
// smallest strip maximum (each strip's maximum is a distinct entry at or above it). Strips
// are whole multiples of 16 columns (the caller ensures m / k >= 16); columns past the last
// strip are not needed for the bound. Four running maxima keep pmax's latency off the loop.
// (NaN scores are outside the kernel contract; pmax passes over them.)
static f32 strip_bound(const f32 *row, i32 m, i32 k) {
  i32 len = (m / k) & ~15;
  f32 bound = 0;
  for (i32 j = 0; j < k; j++) {
    const f32 *st = row + (long)j * len;
    v128_t m0 = wasm_v128_load(st), m1 = wasm_v128_load(st + 4);
    v128_t m2 = wasm_v128_load(st + 8), m3 = wasm_v128_load(st + 12);
    for (i32 c = 16; c < len; c += 16) {
      m0 = wasm_f32x4_pmax(m0, wasm_v128_load(st + c));
      m1 = wasm_f32x4_pmax(m1, wasm_v128_load(st + c + 4));
      m2 = wasm_f32x4_pmax(m2, wasm_v128_load(st + c + 8));
      m3 = wasm_f32x4_pmax(m3, wasm_v128_load(st + c + 12));
    }
    v128_t mx = wasm_f32x4_pmax(wasm_f32x4_pmax(m0, m1), wasm_f32x4_pmax(m2, m3));
    mx = wasm_f32x4_pmax(mx, wasm_i32x4_shuffle(mx, mx, 2, 3, 0, 1));
    mx = wasm_f32x4_pmax(mx, wasm_i32x4_shuffle(mx, mx, 1, 0, 3, 2));
    f32 s = wasm_f32x4_extract_lane(mx, 0);
    if (j == 0 || s < bound) bound = s;
  }
  return bound;
}

// Appends to cand the columns of row[0..m) whose value is at least t, in column order, and
// returns their count. Blocks of 16 with no such column cost one SIMD test; a block with some
// walks its set bits only.
static i32 list_at_least(const f32 *row, i32 m, f32 t, i32 *cand) {
  v128_t vt = wasm_f32x4_splat(t);
  i32 nc = 0, c = 0;
  for (; c + 16 <= m; c += 16) {
    v128_t g0 = wasm_f32x4_ge(wasm_v128_load(row + c), vt);
    v128_t g1 = wasm_f32x4_ge(wasm_v128_load(row + c + 4), vt);
    v128_t g2 = wasm_f32x4_ge(wasm_v128_load(row + c + 8), vt);
    v128_t g3 = wasm_f32x4_ge(wasm_v128_load(row + c + 12), vt);
    if (!wasm_v128_any_true(wasm_v128_or(wasm_v128_or(g0, g1), wasm_v128_or(g2, g3)))) continue;
    unsigned bits = wasm_i32x4_bitmask(g0) | wasm_i32x4_bitmask(g1) << 4 |
                    wasm_i32x4_bitmask(g2) << 8 | wasm_i32x4_bitmask(g3) << 12;
    for (; bits; bits &= bits - 1) cand[nc++] = c + __builtin_ctz(bits);
  }
  for (; c < m; c++)
    if (row[c] >= t) cand[nc++] = c;
  return nc;
}

// Per row of s [B, m]: the k largest (ties to the lower column), descending, in vals/idx.
// Where a row has at least 16 columns per slot, it is first bounded from below by
// strip_bound; the columns at or above the bound (at least k of them, holding the row's top k)
// are listed in column order, and only they enter the heap. A row then costs two SIMD
// passes, the second from cache, instead of hundreds of heap replacements while the heap's
// root climbs from the row's first k values. Narrower rows, and rows where fewer than k
// columns were listed (only possible with NaN scores), are scanned as they are.
// heap: 2k scratch words; cand: m. Returns how many rows were scanned without a bound, so
// that tests can see which path ran.
EXPORT(topk_rows)
i32 topk_rows(f32 *vals, i32 *idx, const f32 *s, i32 B, i32 m, i32 k, f32 *hv, i32 *hi,
              i32 *cand) {
  i32 scanned = 0;
  for (i32 b = 0; b < B; b++) {
    const f32 *row = s + (long)b * m;
    f32 *vo = vals + (long)b * k;
    i32 *io = idx + (long)b * k;
    i32 nc = k > 0 && m / k >= 16 ? list_at_least(row, m, strip_bound(row, m, k), cand) : 0;
    if (nc < k || k == 0) {
      scanned++;
      topk_scan(vo, io, row, m, k, hv, hi);
      continue;
    }
    i32 n = 0;
    for (; n < k; n++) heap_push(hv, hi, n, row[cand[n]], cand[n]);
    f32 thr = hv[0];
    for (i32 t = k; t < nc; t++) {
      f32 v = row[cand[t]];
      if (v > thr) thr = replace_root(hv, hi, n, v, cand[t]);
    }
    pop_heap_into(vo, io, hv, hi, n, k);
  }
  return scanned;
}

// topk_rows over the columns listed in cols[0..nc) (ascending) only: AuxK's dead latents.
// Slots beyond nc hold index -1 and value 0.
EXPORT(topk_rows_listed)
void topk_rows_listed(f32 *vals, i32 *idx, const f32 *s, i32 B, i32 m, i32 k, const i32 *cols,
                      i32 nc, f32 *hv, i32 *hi) {
  for (i32 b = 0; b < B; b++) {
    const f32 *row = s + (long)b * m;
    i32 n = 0;
    i32 fill = k < nc ? k : nc;
    for (; n < fill; n++) heap_push(hv, hi, n, row[cols[n]], cols[n]);
    if (n == k && k > 0) {
      f32 thr = hv[0];
      for (i32 t = n; t < nc; t++) {
        i32 c = cols[t];
        f32 v = row[c];
        if (v > thr) thr = replace_root(hv, hi, n, v, c);
      }
    }
    pop_heap_into(vals + (long)b * k, idx + (long)b * k, hv, hi, n, k);
  }
}

// out[i] = ref[i] > 0 ? grad[i] : 0 (the ReLU backward); out may alias grad.
EXPORT(mask_positive)
void mask_positive(f32 *out, const f32 *grad, const f32 *ref, i32 n) {
  v128_t zero = wasm_f32x4_splat(0);
  i32 i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t keep = wasm_f32x4_gt(wasm_v128_load(ref + i), zero);
    wasm_v128_store(out + i, wasm_v128_and(wasm_v128_load(grad + i), keep));
  }
  for (; i < n; i++) out[i] = ref[i] > 0 ? grad[i] : 0;
}

// out[i] = v for n words (a float32 or int32 bit pattern).
EXPORT(fill_words)
void fill_words(i32 *out, i32 v, i32 n) {
  v128_t vv = wasm_i32x4_splat(v);
  i32 i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, vv);
  for (; i < n; i++) out[i] = v;
}

// out[idx[s]] += vals[s] over the n slots (idx < 0: empty), each target summed in double from
// its old value in slot order, then rounded once. acc: m doubles of scratch.
EXPORT(scatter_add)
void scatter_add(f32 *out, const i32 *idx, const f32 *vals, i32 n, i32 m, double *acc) {
  for (i32 r = 0; r < m; r++) acc[r] = out[r];
  for (i32 s = 0; s < n; s++)
    if (idx[s] >= 0) acc[idx[s]] += vals[s];
  for (i32 r = 0; r < m; r++) out[r] = (f32)acc[r];
}

// ---- checks and bucketing (serial: linear passes over [B, k] index arrays) ------------------

// The first position s with idx[s] >= rows (an index past the weight's rows), or -1. Negative
// entries are empty slots and pass.
EXPORT(first_row_past)
i32 first_row_past(const i32 *idx, i32 n, i32 rows) {
  for (i32 s = 0; s < n; s++)
    if (idx[s] >= rows) return s;
  return -1;
}

// A counting sort of the slots by target row: start[0..m] the prefix sums of the row counts,
// order[start[r]..start[r+1]) the slots of row r in increasing slot order. fill: m words.
EXPORT(bucket_rows)
void bucket_rows(const i32 *idx, i32 n, i32 m, i32 *start, i32 *order, i32 *fill) {
  for (i32 r = 0; r <= m; r++) start[r] = 0;
  for (i32 s = 0; s < n; s++)
    if (idx[s] >= 0) start[idx[s] + 1]++;
  for (i32 r = 0; r < m; r++) start[r + 1] += start[r];
  for (i32 r = 0; r < m; r++) fill[r] = start[r];
  for (i32 s = 0; s < n; s++) {
    i32 r = idx[s];
    if (r >= 0) order[fill[r]++] = s;
  }
}

// ---- centred sum of squares, in fixed blocks of rows --------------------------------------
// Both passes work on blocks of `br` rows of x [R, C] and write one partial per block; the
// caller adds the partials in block order, so the totals do not depend on how the blocks were
// spread over threads.

// out[b*C + c] = sum over block b's rows of x[r, c], in double.
EXPORT(column_sums_f64)
void column_sums_f64(const f32 *x, i32 R, i32 C, i32 br, double *out) {
  for (i32 b0 = 0; b0 < R; b0 += br) {
    double *o = out + (long)(b0 / br) * C;
    i32 b1 = b0 + br < R ? b0 + br : R;
    for (i32 c = 0; c < C; c++) o[c] = 0;
    for (i32 r = b0; r < b1; r++) {
      const f32 *row = x + (long)r * C;
      for (i32 c = 0; c < C; c++) o[c] += row[c];
    }
  }
}

// out[b] = sum over block b's rows and every column of (x[r, c] - mean[c])^2, in double:
// f64x2 lanes over columns (two accumulators of two columns each), added across lanes at the
// end of the block, the columns past the last multiple of 4 in scalar double.
EXPORT(centered_squares_f64)
void centered_squares_f64(const f32 *x, i32 R, i32 C, i32 br, const double *mean, double *out) {
  i32 wide = C & ~3;
  for (i32 b0 = 0; b0 < R; b0 += br) {
    i32 b1 = b0 + br < R ? b0 + br : R;
    v128_t s0 = wasm_f64x2_splat(0), s1 = s0;
    double tail = 0;
    for (i32 r = b0; r < b1; r++) {
      const f32 *row = x + (long)r * C;
      for (i32 c = 0; c < wide; c += 4) {
        v128_t v = wasm_v128_load(row + c);
        v128_t lo = wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(v), wasm_v128_load(mean + c));
        v128_t hi = wasm_f64x2_sub(
            wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)),
            wasm_v128_load(mean + c + 2));
        s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(lo, lo));
        s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(hi, hi));
      }
      for (i32 c = wide; c < C; c++) {
        double e = row[c] - mean[c];
        tail += e * e;
      }
    }
    v128_t s = wasm_f64x2_add(s0, s1);
    out[b0 / br] = wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1) + tail;
  }
}

// ---- reductions and elementwise -------------------------------------------------------------

// Sums of x (squares = 0) or of x² (squares = 1) over consecutive blocks of 512 elements
// (the last may be shorter): out[j] = block j's sum, float32 SIMD lanes within the block and
// its scalar remainder added in double. The caller adds the blocks in order in double, so the
// error stays that of a 512-term float sum however long x is, and the total is the same
// however the blocks were spread over threads.
EXPORT(reduce_blocks)
void reduce_blocks(const f32 *x, i32 n, i32 squares, double *out) {
  for (i32 b = 0; b < n; b += 512) {
    i32 end = b + 512 <= n ? b + 512 : n;
    i32 i = b;
    v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (; i + 16 <= end; i += 16) {
      v128_t a = wasm_v128_load(x + i), c = wasm_v128_load(x + i + 4);
      v128_t e = wasm_v128_load(x + i + 8), f = wasm_v128_load(x + i + 12);
      if (squares) {
        a = wasm_f32x4_mul(a, a);
        c = wasm_f32x4_mul(c, c);
        e = wasm_f32x4_mul(e, e);
        f = wasm_f32x4_mul(f, f);
      }
      s0 = wasm_f32x4_add(s0, a);
      s1 = wasm_f32x4_add(s1, c);
      s2 = wasm_f32x4_add(s2, e);
      s3 = wasm_f32x4_add(s3, f);
    }
    double total = hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
    for (; i < end; i++) total += squares ? (double)x[i] * x[i] : x[i];
    out[b / 512] = total;
  }
}

// Each of M rows of out[M, N] = row[0..N): a bias broadcast before a BLAS product adds into it.
EXPORT(fill_rows)
void fill_rows(f32 *out, const f32 *row, i32 M, i32 N) {
  for (i32 r = 0; r < M; r++) {
    f32 *o = out + (long)r * N;
    i32 c = 0;
    for (; c + 4 <= N; c += 4) wasm_v128_store(o + c, wasm_v128_load(row + c));
    for (; c < N; c++) o[c] = row[c];
  }
}

// out = a*x + b*y, y a row vector of `cols` broadcast over the rows of x when broadcast != 0.
// Elementwise read-before-write, so out may alias x or y.
EXPORT(axpby)
void axpby(f32 *out, f32 a, const f32 *x, f32 b, const f32 *y, i32 n, i32 cols, i32 broadcast) {
  v128_t va = wasm_f32x4_splat(a), vb = wasm_f32x4_splat(b);
  i32 len = broadcast ? cols : n;
  for (i32 base = 0; base < n; base += len) {
    const f32 *xr = x + base;
    f32 *orow = out + base;
    i32 c = 0;
    for (; c + 4 <= len; c += 4) {
      v128_t r = wasm_f32x4_add(wasm_f32x4_mul(va, wasm_v128_load(xr + c)),
                                wasm_f32x4_mul(vb, wasm_v128_load(y + (broadcast ? 0 : base) + c)));
      wasm_v128_store(orow + c, r);
    }
    for (; c < len; c++) orow[c] = a * xr[c] + b * y[(broadcast ? 0 : base) + c];
  }
}
