#!/usr/bin/env bash
# Mutation check: plants known bugs in lib/, one at a time, and checks that the unit tests catch
# each of them (issue 11, point 3).
#
# Usage: scripts/mutate.sh [--in-place --build DIR] [--list] [--only ID[,ID...]] [--subset ci]
#                          [-j N] [--max-failed N] [--work DIR] [--help]
#   (default)         copy the tracked and untracked, non-ignored files of this tree (by content:
#                     unchanged files keep their mtimes) to build/mutate/src, configure it in
#                     build/mutate/build (Release, -march=native, -Werror, as the release preset,
#                     without benchmarks and examples: no unit test runs them), build xgrad_tests,
#                     run the unmutated suite once (it must pass), then per mutation: apply it to
#                     the copy, rebuild xgrad_tests, run it, restore the file (with a new mtime)
#   --in-place        apply the mutations to this tree and rebuild in the configured build dir
#                     given by --build (for CI, whose tree is a throwaway clone); every file is
#                     restored on exit (also on Ctrl-C) and xgrad_tests is rebuilt once more at
#                     the end, so the build dir is left unmutated
#   --build DIR       the build directory (default build/mutate/build; required with --in-place)
#   --work DIR        the copy of the tree in the default mode (default build/mutate/src)
#   --list            print the table (id, file, what the mutation breaks) and exit
#   --only IDS        run only these mutations (comma-separated ids)
#   --subset ci       the CI subset (about 5 minutes on 2 cores with a built tree)
#   -j N              build jobs (default: XGRAD_JOBS, else 2)
#   --max-failed N    stop a mutant's test run after N failed test cases (default 3; 0: never)
#   --tests SPEC      run only the test cases of this Catch2 test spec (default: all), e.g. to
#                     leave out a test case that fails on the unmutated tree while it is fixed
# Prints one line per mutation ("caught by <test cases>", "SURVIVED", "does not compile"), then
# "mutations: N caught, N survived", and exits non-zero if any mutation survived, did not apply
# (its original snippet must occur exactly once in its file: update the table after a
# refactor, never drop a row silently) or did not compile.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
helper="$root/scripts/mutate_helper.py"

usage() { sed -n '2,29s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

# ---- the mutations ------------------------------------------------------------------------
# mutation ID FILE ORIGINAL REPLACEMENT DESCRIPTION. ORIGINAL must occur exactly once in FILE.
ids=() files=() origs=() repls=() descs=()
mutation() {
  ids+=("$1")
  files+=("$2")
  origs+=("$3")
  repls+=("$4")
  descs+=("$5")
}

# Backward rules.
mutation tanh_bwd lib/src/ops/elementwise.cpp \
  'return g * (T(1) - y * y);' \
  'return g * (T(1) - y);' \
  'tanh backward multiplies by 1 - y instead of 1 - y^2'
mutation sigmoid_bwd lib/src/ops/elementwise.cpp \
  'return g * y * (T(1) - y);' \
  'return g * (T(1) - y);' \
  'sigmoid backward drops the factor y of y (1 - y)'
mutation exp_bwd lib/src/ops/elementwise.cpp \
  '0, [](auto g, auto y) { return g * y; }, c.y());' \
  '0, [](auto g, auto y) { return g * y; }, c.x(0));' \
  'exp backward multiplies by x instead of e^x'
mutation log_bwd lib/src/ops/elementwise.cpp \
  'return g / x;' \
  'return g * x;' \
  'log backward multiplies by x instead of dividing'
mutation pow_bwd lib/src/ops/elementwise.cpp \
  'p * std::pow(x, p - T(1))' \
  'p * std::pow(x, p)' \
  'pow backward (p != 2) uses x^p instead of x^(p-1)'
mutation relu_bwd lib/src/ops/elementwise.cpp \
  'return x <= T(0) ? T(0) : g;' \
  'return x < T(0) ? T(0) : g;' \
  'relu backward passes the gradient at x = 0 (PyTorch gives 0 there)'
mutation div_bwd lib/src/ops/binary.cpp \
  '[](auto g, auto y, auto b) { return -g * y / b; }' \
  '[](auto g, auto y, auto b) { return g * y / b; }' \
  'div backward: d/db loses its minus sign'
mutation mul_same_shape_bwd lib/src/ops/binary.cpp \
  '0, [](auto g, auto b) { return g * b; }, c.x(1));' \
  '0, [](auto g, auto b) { return g * b; }, c.x(0));' \
  'mul backward: da = g a instead of g b'
mutation binary_same_shape_fwd lib/src/map.hpp \
  'if (a.shape() == b.shape()) return map(a, f, b);' \
  'if (a.shape() == b.shape()) return map(b, f, a);' \
  'binary ops forward fast path (same shapes) swaps the operands: b - a, b / a'
mutation matmul_bwd lib/src/ops/linalg.cpp \
  'if (c.needs(0)) c.add(0, gemm_new(false, true, c.gy(), b, a.shape(), n));' \
  'if (c.needs(0)) c.add(0, gemm_new(false, false, c.gy(), b, a.shape(), n));' \
  'matmul backward: da = g b instead of g b^T'
mutation softmax_bwd lib/src/ops/activation.cpp \
  '[](T g, T y, T r) { return y * (g - r); }' \
  '[](T g, T y, T r) { return y * g - r; }' \
  'softmax backward: y g - <g, y> instead of y (g - <g, y>)'
mutation log_softmax_bwd lib/src/ops/activation.cpp \
  '[](T g, T y, T r) { return g - std::exp(y) * r; }' \
  '[](T g, T y, T /*r*/) { return g - std::exp(y); }' \
  'log_softmax backward assumes the upstream gradient sums to 1 along the axis'
mutation max_bwd lib/src/ops/minmax.cpp \
  'd[s.base(o, i) + index[j] * s.inner] = g[j];' \
  'd[s.base(o, i) + index[j]] = g[j];' \
  'max backward forgets the inner stride (wrong element unless the axis is the last)'
mutation index_select_bwd lib/src/ops/indexing.cpp \
  'for (std::size_t i = 0; i < s.inner; ++i) to[i] += from[i];' \
  'for (std::size_t i = 0; i < s.inner; ++i) to[i] = from[i];' \
  'index_select backward overwrites instead of accumulating repeated indices'
mutation slice_bwd lib/src/ops/indexing.cpp \
  'copy_block(g.data(), len, 0, dx.data(), s.n, start, s.outer, s.inner, len);' \
  'copy_block(g.data(), len, 0, dx.data(), s.n, 0, s.outer, s.inner, len);' \
  'slice backward puts the gradient at the start of the axis instead of at start'
mutation concat_bwd lib/src/ops/indexing.cpp \
  'copy_block(g.data(), s.n, offset, dx.data(), len, 0, s.outer, s.inner, len);' \
  'copy_block(g.data(), s.n, 0, dx.data(), len, 0, s.outer, s.inner, len);' \
  'concat backward gives every input the first slab of the gradient'
mutation mean_axis_bwd lib/src/ops/reduce.cpp \
  'scale = n == 0 ? std::numeric_limits<T>::quiet_NaN() : T(1) / static_cast<T>(n);
      y /= static_cast<T>(n);' \
  'y /= static_cast<T>(n);' \
  'mean over an axis: backward as for sum (no 1/n)'
mutation unbroadcast_mean lib/src/shape_util.cpp \
  'while (r.dimension() > shape.size()) r = sum_axis(r, 0);' \
  'while (r.dimension() > shape.size()) {
    const auto k = static_cast<T>(r.shape()[0]);
    r = sum_axis(r, 0);
    r /= k;
  }' \
  'sum_to_shape (broadcast backward) averages instead of summing over the leading axes'
mutation unbroadcast_size1 lib/src/shape_util.cpp \
  'for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1 && r.shape()[i] != 1) {' \
  'for (std::size_t i = 1; i < shape.size(); ++i) {
    if (shape[i] == 1 && r.shape()[i] != 1) {' \
  'sum_to_shape skips a size-1 first axis (e.g. (1,3) + (4,3)): the gradient keeps shape (4,3)'
mutation sub_rhs_only_bwd lib/src/ops/binary.cpp \
  'c.add_map(1, [](auto g) { return -g; });' \
  'c.add_map(1, [](auto g) { return g; });' \
  'sub backward: d/db = +g instead of -g'
mutation clamp_edges_bwd lib/src/ops/activation.cpp \
  'return (x >= l && x <= h) ? g : T(0);' \
  'return (x > l && x < h) ? g : T(0);' \
  'clamp backward blocks the gradient at the bounds (PyTorch passes it there)'
mutation tie_half_bwd lib/src/ops/minmax.cpp \
  '0, [](T g, T a, T b) { return a == b ? g * T(0.5) : (wins<P>(b, a) ? T(0) : g); }' \
  '0, [](T g, T a, T b) { return wins<P>(b, a) ? T(0) : g; }' \
  'maximum/minimum backward at a tie gives the first input the full gradient instead of g/2'
mutation logsumexp_neg_inf lib/src/ops/activation.cpp \
  'max_and_sum(x.data(), s, o, true, m.data(), sum.data());' \
  'max_and_sum(x.data(), s, o, false, m.data(), sum.data());' \
  'logsumexp of an all -inf slice is nan instead of -inf (no shift of an infinite maximum)'
mutation mse_target_bwd lib/src/ops/loss.cpp \
  'const T ki = i == 0 ? k : -k;' \
  'const T ki = k;' \
  'mse/sse backward: the target gets the prediction'"'"'s gradient instead of its negative'
mutation bce_target_bwd lib/src/ops/loss.cpp \
  'return scale * (clamped_log1m(pj) - clamped_log(pj));' \
  'return scale * (clamped_log(pj) - clamped_log1m(pj));' \
  'binary_cross_entropy backward: the gradient of the target has the wrong sign'
mutation bce_logits_target_bwd lib/src/ops/loss.cpp \
  '[scale](T xj) { return -scale * xj; }' \
  '[scale](T xj) { return scale * xj; }' \
  'binary_cross_entropy_with_logits backward: the gradient of the target has the wrong sign'

# Fast paths.
mutation small_gemm_row_update lib/src/ops/linalg_blas.cpp \
  'for (std::size_t j = 0; j < n; ++j) ci[j] += aip * bp[j];' \
  'for (std::size_t j = 0; j < n; ++j) ci[j] = aip * bp[j];' \
  'small GEMM row-update branch (512 < m n k <= 4096, B not transposed) overwrites C'
mutation small_gemm_trans_a lib/src/ops/linalg_blas.cpp \
  'return TransA ? a[p * m + i] : a[i * k + p];' \
  'return TransA ? a[i * k + p] : a[i * k + p];' \
  'small GEMM ignores the transpose of A (matmul and linear backward of the weights)'
mutation small_gemm_beta lib/src/ops/linalg_blas.cpp \
  'dots([alpha, beta](T& cij, T acc) { cij = alpha * acc + beta * cij; });' \
  'dots([alpha, beta](T& cij, T acc) { cij = alpha * acc + beta * T(0) * cij; });' \
  'small GEMM dot-product branch drops beta C (linear loses its bias below the cutoff)'
mutation cblas_sgemm_beta lib/src/ops/linalg_blas.cpp \
  'static_cast<int>(k), alpha, a, lda, b, ldb, beta, c, static_cast<int>(n));
}

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha,' \
  'static_cast<int>(k), alpha, a, lda, b, ldb, 0.0f, c, static_cast<int>(n));
}

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha,' \
  'cblas_sgemm with beta 0: float32 linear drops its bias above 4096 multiply-adds'
mutation pow_fwd_large lib/src/ops/elementwise.cpp \
  'return xt::pow(x, p);' \
  'return xt::pow(x, std::trunc(p));' \
  'pow forward above 64 elements truncates the exponent to an integer'
mutation simd_tail lib/src/ops/elementwise.cpp \
  'if (i + kWidth > n) i = n - kWidth;  // the last batch ends at n' \
  'if (i + kWidth > n) break;  // the last batch ends at n' \
  'exp/log/sqrt/sigmoid/tanh forward: the last partial SIMD batch is never computed'

# Optimizers and schedulers.
mutation sgd_plain_path lib/src/optim/sgd.cpp \
  'if (weight_decay_ == 0.0 && momentum_ == 0.0) {' \
  'if (momentum_ == 0.0) {' \
  'SGD fast path (no momentum) is also taken with weight decay, which it ignores'
mutation sgd_nesterov lib/src/optim/sgd.cpp \
  'd += mu * b;' \
  'd += b;' \
  'SGD nesterov: g + b instead of g + momentum b'
mutation sgd_dampening lib/src/optim/sgd.cpp \
  'b = mu * b + static_cast<T>(1.0 - dampening_) * d;' \
  'b = mu * b + d;' \
  'SGD momentum ignores dampening'
mutation sgd_first_buffer lib/src/optim/sgd.cpp \
  'b = d;  // first step: the buffer is the gradient itself, without dampening' \
  'b = static_cast<T>(1.0 - dampening_) * d;  // first step' \
  'SGD dampens the first momentum buffer (PyTorch starts it at the gradient itself)'
mutation adam_bias_correction2 lib/src/optim/adam.cpp \
  'std::sqrt(1.0 - std::pow(beta2_, t))' \
  '(1.0 - std::pow(beta2_, t))' \
  'Adam: second-moment bias correction without its square root'
mutation adamw_decoupled lib/src/optim/adam.cpp \
  'p.mutable_value() *= static_cast<T>(1.0 - lr * weight_decay_);  // AdamW' \
  'p.mutable_value() *= static_cast<T>(1.0 - weight_decay_);  // AdamW' \
  'AdamW: decoupled weight decay not scaled by the learning rate'
mutation amsgrad_max lib/src/optim/adam.cpp \
  's.max_exp_avg_sq = xt::maximum(s.max_exp_avg_sq, s.exp_avg_sq);' \
  's.max_exp_avg_sq = s.exp_avg_sq;' \
  'amsgrad: no running maximum of the second moment (plain Adam)'
mutation step_lr lib/src/optim/lr_scheduler.cpp \
  'return epoch % step_size_ == 0 ? gamma_ : 1.0;' \
  'return epoch % step_size_ == 1 ? gamma_ : 1.0;' \
  'StepLR decays one epoch late (off by one)'
mutation plateau_patience lib/src/optim/lr_scheduler.cpp \
  'if (num_bad_epochs_ > options_.patience()) {' \
  'if (num_bad_epochs_ >= options_.patience()) {' \
  'ReduceLROnPlateau reduces after patience bad epochs instead of more than patience'
mutation adam_eps_placement lib/src/optim/adam.cpp \
  'p.mutable_value() -= step_size * s.exp_avg / (xt::sqrt(s.exp_avg_sq) / bc2 + eps);' \
  'p.mutable_value() -= step_size * s.exp_avg / ((xt::sqrt(s.exp_avg_sq) + eps) / bc2);' \
  'Adam adds eps before the bias correction of the denominator (eps scaled by 1/bc2)'
mutation adam_decay_swapped lib/src/optim/adam.cpp \
  '      if (decoupled_) {' \
  '      if (!decoupled_) {' \
  'Adam and AdamW swap their weight decay (Adam decoupled, AdamW as L2 in the gradient)'
mutation plateau_cooldown lib/src/optim/lr_scheduler.cpp \
  '    --cooldown_counter_;
    num_bad_epochs_ = 0;' \
  '    --cooldown_counter_;' \
  'ReduceLROnPlateau counts bad epochs during the cooldown'
mutation plateau_rel_threshold lib/src/optim/lr_scheduler.cpp \
  'return metric < (rel ? best_ * (1.0 - th) : best_ - th);' \
  'return metric < (rel ? best_ - th : best_ - th);' \
  'ReduceLROnPlateau (min mode): a relative threshold used as an absolute one'

# Loaders and I/O.
mutation npy_shape_digits lib/src/io/npy.cpp \
  'v = v * 10 + digit;' \
  'v = v + digit;' \
  '.npy header: multi-digit shape entries summed digit by digit (12 -> 3)'
mutation npy_fortran_strides lib/src/io/npy.cpp \
  'c_stride[k - 1] = c_stride[k] * npy.shape[k];' \
  'c_stride[k - 1] = c_stride[k] * npy.shape[k - 1];' \
  '.npy Fortran-order data placed with the wrong row-major strides'
mutation npz_compress lib/src/io/npz.cpp \
  'options.compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE' \
  'options.compress ? ZIP_CM_STORE : ZIP_CM_DEFLATE' \
  '.npz writer: NpzOptions::compress inverted (compressed archives stored, and the reverse)'
mutation csv_ragged lib/src/data/csv.cpp \
  '} else if (count != cols) {' \
  '} else if (count < cols) {' \
  'CSV rows with extra fields are accepted, the extra fields dropped silently'
mutation csv_crlf lib/src/data/csv.cpp \
  "if (!line.empty() && line.back() == '\\r') line.remove_suffix(1);" \
  "if (!line.empty() && line.back() == '\\r' && line.size() == 1) line.remove_suffix(1);" \
  'CSV: CRLF line endings no longer stripped'
mutation loader_shuffle lib/src/data/dataloader.cpp \
  'const auto j = static_cast<std::size_t>(gen_->uniform_int(i));' \
  'const auto j = static_cast<std::size_t>(gen_->uniform_int(i - 1));' \
  'DataLoader shuffle: Fisher-Yates off by one (an element never stays in place)'
mutation loader_last_batch lib/src/data/dataloader.cpp \
  'return options_.drop_last ? n / b : (n + b - 1) / b;' \
  'return options_.drop_last ? n / b : n / b + 1;' \
  'DataLoader: an extra empty last batch when the batch size divides the sample count'
mutation npy_growth_axis lib/src/io/npy.cpp \
  'const std::size_t axis = array.fortran_order ? array.shape.size() - 1 : 0;' \
  'const std::size_t axis = array.fortran_order ? 0 : array.shape.size() - 1;' \
  '.npy writer counts the growth room on the wrong axis (header differs from numpy'"'"'s)'
mutation csv_bom lib/src/data/csv.cpp \
  'if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);' \
  '' \
  'CSV: a leading UTF-8 byte-order mark is no longer stripped'
mutation csv_blank_line lib/src/data/csv.cpp \
  'if (trim(line).empty()) continue;' \
  'if (line.empty()) continue;' \
  'CSV: lines of only spaces or tabs are parsed as rows (and fail) instead of skipped'
mutation csv_underflow lib/src/data/csv.cpp \
  'if (r.ec == std::errc() && std::fabs(wide) < 1.0L) {' \
  'if (r.ec == std::errc() && std::fabs(wide) < 0.0L) {' \
  'CSV: values below the type'"'"'s range are an error instead of 0 or a subnormal (NumPy)'
mutation loader_epoch_reset lib/src/data/dataloader.cpp \
  '  // Each epoch'"'"'s permutation depends only on the generator'"'"'s state: start from the identity.
  std::iota(order_.begin(), order_.end(), std::size_t{0});
' \
  '' \
  'DataLoader shuffle permutes the previous epoch'"'"'s order instead of the identity'
mutation loader_gather_order lib/src/data/dataloader.cpp \
  'std::memcpy(out.data() + i * row, a.data() + idx[i] * row, row * sizeof(T));' \
  'std::memcpy(out.data() + i * row, a.data() + (idx[0] + i) * row, row * sizeof(T));' \
  'DataLoader batches take consecutive rows from the first shuffled index (right only unshuffled)'
mutation dropout_scale lib/src/nn/dropout.cpp \
  'const T scale = static_cast<T>(1.0 / (1.0 - p_));' \
  'const T scale = static_cast<T>(1.0 - p_);' \
  'Dropout scales kept elements by 1 - p instead of 1 / (1 - p)'
mutation module_nested_prefix lib/src/nn/module.cpp \
  'stack.emplace_back(it->second.get(), prefix + it->first + ".");' \
  'stack.emplace_back(it->second.get(), it->first + ".");' \
  'named_parameters: modules nested two deep lose their parent'"'"'s prefix (a.b.weight -> b.weight)'
mutation init_leaky_gain lib/src/nn/init.cpp \
  'return std::sqrt(2.0 / (1.0 + param * param));' \
  'return std::sqrt(2.0 / (1.0 + param));' \
  'calculate_gain(leaky_relu, a): sqrt(2 / (1 + a)) instead of sqrt(2 / (1 + a^2))'
mutation init_receptive_field lib/src/nn/init.cpp \
  'for (std::size_t d = 2; d < shape.size(); ++d) receptive *= shape[d];' \
  'for (std::size_t d = 3; d < shape.size(); ++d) receptive *= shape[d];' \
  'fan in/out of a tensor of rank >= 3 misses the first receptive-field dimension'
mutation gradcheck_ones_seed lib/src/gradcheck.cpp \
  'Array64 v = randn<double>(y.shape(), gen).value();' \
  'Array64 v = randn<double>(y.shape(), gen).value();
  v.fill(1.0);' \
  'gradcheck uses an all-ones upstream gradient, which hides errors that cancel in the sum'

# Memory and engine.
mutation grad_accumulate lib/src/node.cpp \
  'detail::loop(grad_->data(), grad_->size(), std::plus<T>(), grad_->data(), g.data());' \
  '*grad_ = std::move(g);' \
  'gradients overwrite (=) instead of accumulating (+=) when a tensor is reused'
mutation retain_graph lib/src/engine.cpp \
  'if (!retain_graph) {' \
  'if (!retain_graph || !order.empty()) {' \
  'backward ignores retain_graph: the graph is always freed'
mutation engine_grad_reset lib/src/engine.cpp \
  'n.grad_.reset();  // free the buffer now' \
  '// n.grad_ kept' \
  'engine keeps the gradients of op nodes after their backward (a retained graph double counts)'
mutation version_check lib/src/op.hpp \
  'if (e.node->version_ != e.version) {' \
  'if (false && e.node->version_ != e.version) {' \
  'backward no longer checks saved inputs against in-place modification (version counter)'

# The CI subset (--subset ci): about 5 minutes on 2 cores with a built tree, one or two mutations
# per area, in translation units that rebuild in seconds.
ci_subset=(
  tanh_bwd
  sub_rhs_only_bwd
  softmax_bwd
  index_select_bwd
  mean_axis_bwd
  unbroadcast_size1
  small_gemm_row_update
  cblas_sgemm_beta
  sgd_nesterov
  adam_bias_correction2
  amsgrad_max
  step_lr
  plateau_patience
  npy_growth_axis
  npz_compress
  csv_ragged
  csv_bom
  loader_epoch_reset
  loader_last_batch
  dropout_scale
  grad_accumulate
  engine_grad_reset
  retain_graph
)

# ---- options ------------------------------------------------------------------------------
in_place=0
list=0
only=""
subset=""
build=""
work=""
jobs="${XGRAD_JOBS:-2}"
max_failed=3
tests=()
while (($#)); do
  case "$1" in
    --in-place) in_place=1 ;;
    --build) build="${2:?--build needs a directory}"; shift ;;
    --work) work="${2:?--work needs a directory}"; shift ;;
    --list) list=1 ;;
    --only) only="${2:?--only needs ids}"; shift ;;
    --subset) subset="${2:?--subset needs a name}"; shift ;;
    -j) jobs="${2:?-j needs a number}"; shift ;;
    -j*) jobs="${1#-j}" ;;
    --max-failed) max_failed="${2:?--max-failed needs a number}"; shift ;;
    --tests) tests=("${2:?--tests needs a Catch2 test spec}"); shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "mutate: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# check_row I: prints why row I does not apply to this tree, or nothing.
check_row() {
  local f="${files[$1]}" why
  if [[ ! -f "$f" ]]; then
    echo "file $f does not exist"
  elif ! why=$(python3 "$helper" check "$f" "${origs[$1]}"); then
    echo "the original snippet $why in $f"
  fi
}

if ((list)); then
  status=0
  for i in "${!ids[@]}"; do
    printf '%-24s %-30s %s\n' "${ids[$i]}" "${files[$i]}" "${descs[$i]}"
    why=$(check_row "$i")
    if [[ -n "$why" ]]; then
      echo "  DOES NOT APPLY: $why: update the mutation table"
      status=2
    fi
  done
  echo "(${#ids[@]} mutations; --subset ci: ${ci_subset[*]})"
  exit "$status"
fi

# The selected rows, by index into the table.
selected=()
index_of() {
  local i
  for i in "${!ids[@]}"; do
    if [[ "${ids[$i]}" == "$1" ]]; then
      echo "$i"
      return 0
    fi
  done
  echo "mutate: unknown mutation id '$1' (see --list)" >&2
  return 1
}
if [[ -n "$only" && -n "$subset" ]]; then
  echo "mutate: --only and --subset exclude each other" >&2
  exit 2
fi
if [[ -n "$only" ]]; then
  IFS=, read -r -a wanted <<<"$only"
  for id in "${wanted[@]}"; do selected+=("$(index_of "$id")"); done
elif [[ -n "$subset" ]]; then
  if [[ "$subset" != ci ]]; then
    echo "mutate: unknown subset '$subset' (known: ci)" >&2
    exit 2
  fi
  for id in "${ci_subset[@]}"; do selected+=("$(index_of "$id")"); done
else
  selected=("${!ids[@]}")
fi

# Every selected snippet must occur exactly once in this tree, checked before any build.
bad=0
for i in "${selected[@]}"; do
  why=$(check_row "$i")
  if [[ -n "$why" ]]; then
    echo "mutate: ${ids[$i]}: does not apply: $why: update the mutation table" >&2
    bad=1
  fi
done
if ((bad)); then
  echo "mutations: some did not apply (see above)" >&2
  exit 2
fi

# ---- the tree to mutate and its build ------------------------------------------------------
if ((in_place)); then
  if [[ -z "$build" ]]; then
    echo "mutate: --in-place needs --build DIR (a configured build directory)" >&2
    exit 2
  fi
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    echo "mutate: $build is not a configured build directory" >&2
    exit 2
  fi
  src="$root"
else
  work="${work:-build/mutate/src}"
  build="${build:-build/mutate/build}"
  mkdir -p "$work"
  src="$(cd "$work" && pwd)"
  if [[ "$src" == "$root" ]]; then
    echo "mutate: the work directory must not be the tree itself (use --in-place)" >&2
    exit 2
  fi
fi
mkdir -p "$build"
build="$(cd "$build" && pwd)"
logs="$build/mutate-logs"
mkdir -p "$logs"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/xgrad-mutate.XXXXXX")"
bin="$build/tests/xgrad_tests"
export OPENBLAS_NUM_THREADS=1  # as the ctest presets

applied=""      # the mutated file (path in $src) while a mutation is in place
build_dirty=0   # the build holds a mutant (in-place mode rebuilds it on exit)
finished=0

restore() {
  if [[ -n "$applied" ]]; then
    python3 "$helper" restore "$src/$applied" "$tmp/backup"
    applied=""
  fi
}

build_tests() {  # build_tests LOG
  cmake --build "$build" -j "$jobs" --target xgrad_tests >"$1" 2>&1
}

on_exit() {
  local status=$?
  trap - EXIT INT TERM
  restore
  if ((in_place && build_dirty)); then
    echo "mutate: rebuilding xgrad_tests unmutated in $build ..." >&2
    build_tests "$logs/final-build.log" || echo "mutate: the final rebuild failed ($logs/final-build.log)" >&2
  fi
  rm -rf "$tmp"
  if ((!finished && status == 0)); then status=1; fi
  exit "$status"
}
trap on_exit EXIT
trap 'echo "mutate: interrupted" >&2; exit 130' INT TERM

start_all=$SECONDS
if ((!in_place)); then
  echo "mutate: syncing the tree into $work"
  git ls-files -co --exclude-standard -z | python3 "$helper" sync "$root" "$src"
  # The release preset's cache variables, without the targets no unit test needs.
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DXGRAD_NATIVE=ON -DXGRAD_WERROR=ON \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DXGRAD_BUILD_BENCHMARKS=OFF -DXGRAD_BUILD_EXAMPLES=OFF \
    >"$logs/configure.log" 2>&1 || {
    echo "mutate: configuring $build failed ($logs/configure.log)" >&2
    exit 2
  }
fi

echo "mutate: building xgrad_tests in $build"
t0=$SECONDS
if ! build_tests "$logs/baseline-build.log"; then
  tail -n 30 "$logs/baseline-build.log" >&2
  echo "mutate: the unmutated tree does not build ($logs/baseline-build.log)" >&2
  exit 2
fi
echo "mutate: built in $((SECONDS - t0)) s; running the unmutated suite"
t0=$SECONDS
if ! result=$(python3 "$helper" run "$bin" 0 1800 "${tests[@]}"); then
  echo "mutate: the unmutated suite does not pass: $result" >&2
  exit 2
fi
baseline=$((SECONDS - t0))
echo "mutate: unmutated suite $result"
# A mutant's run may take longer (a slow loop, a retry) but not forever.
timeout=$((baseline * 5 + 60))

caught=0 survived=0 broken=0
for i in "${selected[@]}"; do
  id="${ids[$i]}"
  f="${files[$i]}"
  t0=$SECONDS
  python3 "$helper" apply "$src/$f" "${origs[$i]}" "${repls[$i]}" "$tmp/backup"
  applied="$f"
  build_dirty=1
  if ! build_tests "$logs/$id.build.log"; then
    line="does not compile ($logs/$id.build.log)"
    broken=$((broken + 1))
  elif result=$(python3 "$helper" run "$bin" "$max_failed" "$timeout" "${tests[@]}"); then
    line="SURVIVED"
    survived=$((survived + 1))
  else
    case "$result" in
      "failed: "*) line="caught by ${result#failed: }" ;;
      *) line="caught: $result" ;;
    esac
    caught=$((caught + 1))
  fi
  restore
  printf '%-24s %s [%d s]\n' "$id:" "$line" $((SECONDS - t0))
done

if ((in_place)); then
  echo "mutate: rebuilding xgrad_tests unmutated"
  if build_tests "$logs/final-build.log"; then
    build_dirty=0
  else
    echo "mutate: the final rebuild failed ($logs/final-build.log)" >&2
  fi
fi
finished=1
summary="mutations: ${caught} caught, ${survived} survived"
((broken)) && summary+=", ${broken} did not compile"
echo "$summary (${#selected[@]} run in $((SECONDS - start_all)) s)"
# In the default mode the build dir is a throwaway copy that may hold the last mutant; in place it
# must have been rebuilt unmutated.
((survived == 0 && broken == 0 && (!in_place || build_dirty == 0)))
