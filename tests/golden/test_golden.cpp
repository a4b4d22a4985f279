// SPDX-License-Identifier: MIT
// Golden values from PyTorch (docs/reliability.md, G5): forward values, input gradients and
// optimizer trajectories computed by torch 1.13 (tests/golden/make_golden.py) and committed under
// tests/golden/fixtures, compared with xgrad's. Torch is not needed to run these tests.
//
// Tolerances: float32 forward atol 1e-6 / rtol 1e-3, float32 gradients atol 1e-4 / rtol 1e-3,
// float64 atol 1e-10 / rtol 1e-10; 10 optimizer steps: SGD atol 1e-6 and Adam/AdamW 2e-4 in
// float32, 1e-10 in float64.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <xgrad/io/npz.hpp>
#include <xgrad/xgrad.hpp>
#include <xtensor/xview.hpp>

#include "support/helpers.hpp"
#include "support/thresholds.hpp"

using namespace xgrad;

namespace {

/// tests/golden/fixtures, found next to this file; XGRAD_GOLDEN_FIXTURES overrides it.
std::filesystem::path golden_dir() {
  if (const char* env = std::getenv("XGRAD_GOLDEN_FIXTURES")) return env;
  return std::filesystem::path(__FILE__).parent_path() / "fixtures";
}

/// The arrays of a fixture archive by key.
std::map<std::string, io::NpyArray> load(const std::string& name) {
  const auto p = golden_dir() / name;
  INFO("fixture " << p.string()
                  << " (set XGRAD_GOLDEN_FIXTURES to the tests/golden/fixtures directory)");
  REQUIRE(std::filesystem::exists(p));
  std::map<std::string, io::NpyArray> out;
  for (auto& [key, array] : io::load_npz(p)) out.emplace(key, std::move(array));
  return out;
}

/// Per category (e.g. "ops_f32.npz gradient"), the largest |a - e| / (atol + rtol |e|) that
/// mismatch() saw and where: printed when XGRAD_GOLDEN_REPORT is set, to show the margin the
/// tolerances leave.
struct Worst {
  double ratio = 0.0;
  std::string where;
};
std::map<std::string, Worst>& worst() {
  static std::map<std::string, Worst> w;
  return w;
}
void report_worst() {
  if (std::getenv("XGRAD_GOLDEN_REPORT") != nullptr) {
    for (const auto& [category, w] : worst()) {
      std::cout << "golden " << category << ": largest error / tolerance " << w.ratio << " ("
                << w.where << ")\n";
    }
  }
  worst().clear();
}

/// Empty if `actual` matches `expected` (same shape, |a - e| <= atol + rtol |e| everywhere,
/// no nan), else a description of the first mismatch.
template <class A, class E, class T = typename A::value_type>
std::string mismatch(const A& actual, const E& expected, double atol, double rtol,
                     const std::string& category, const std::string& where) {
  std::ostringstream os;
  if (actual.shape() != expected.shape()) {
    os << "shape (";
    for (auto s : actual.shape()) os << s << ",";
    os << ") vs expected (";
    for (auto s : expected.shape()) os << s << ",";
    os << ")";
    return os.str();
  }
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double a = static_cast<double>(actual.data()[i]);
    const double e = static_cast<double>(expected.data()[i]);
    const double ratio = std::abs(a - e) / (atol + rtol * std::abs(e));
    Worst& w = worst()[category];
    if (ratio >= w.ratio) w = Worst{ratio, where};
    if (!(std::abs(a - e) <= atol + rtol * std::abs(e))) {
      os.precision(17);
      os << "flat element " << i << ": " << a << " vs torch " << e << " (diff " << a - e << ")";
      return os.str();
    }
  }
  return {};
}

template <class T>
using OpFn = std::function<BasicTensor<T>(const std::vector<BasicTensor<T>>&,
                                          const std::vector<std::size_t>&)>;

/// The op of every case of make_golden.py (same names, same non-tensor arguments).
template <class T>
std::map<std::string, OpFn<T>> op_table() {
  using V = std::vector<BasicTensor<T>>;
  using I = std::vector<std::size_t>;
  std::map<std::string, OpFn<T>> t;
  t["sigmoid"] = [](const V& x, const I&) { return sigmoid(x[0]); };
  t["tanh"] = [](const V& x, const I&) { return tanh(x[0]); };
  t["relu"] = [](const V& x, const I&) { return relu(x[0]); };
  t["exp"] = [](const V& x, const I&) { return exp(x[0]); };
  t["log"] = [](const V& x, const I&) { return log(x[0]); };
  t["sqrt"] = [](const V& x, const I&) { return sqrt(x[0]); };
  t["abs"] = [](const V& x, const I&) { return abs(x[0]); };
  t["neg"] = [](const V& x, const I&) { return neg(x[0]); };
  t["pow3"] = [](const V& x, const I&) { return pow(x[0], T(3)); };
  t["softplus"] = [](const V& x, const I&) { return softplus(x[0]); };
  t["log_sigmoid"] = [](const V& x, const I&) { return log_sigmoid(x[0]); };
  t["leaky_relu"] = [](const V& x, const I&) { return leaky_relu(x[0], T(0.1)); };
  t["clamp"] = [](const V& x, const I&) { return clamp(x[0], T(-0.5), T(0.75)); };
  t["softmax1"] = [](const V& x, const I&) { return softmax(x[0], 1); };
  t["softmax0"] = [](const V& x, const I&) { return softmax(x[0], 0); };
  t["log_softmax1"] = [](const V& x, const I&) { return log_softmax(x[0], 1); };
  t["log_softmax_neg1"] = [](const V& x, const I&) { return log_softmax(x[0], -1); };
  t["logsumexp1"] = [](const V& x, const I&) { return logsumexp(x[0], 1); };
  t["logsumexp0_keepdims"] = [](const V& x, const I&) { return logsumexp(x[0], 0, true); };
  t["add_broadcast"] = [](const V& x, const I&) { return x[0] + x[1]; };
  t["sub"] = [](const V& x, const I&) { return x[0] - x[1]; };
  t["mul_broadcast"] = [](const V& x, const I&) { return x[0] * x[1]; };
  t["div"] = [](const V& x, const I&) { return x[0] / x[1]; };
  t["sum_all"] = [](const V& x, const I&) { return sum(x[0]); };
  t["sum1"] = [](const V& x, const I&) { return sum(x[0], 1); };
  t["mean_all"] = [](const V& x, const I&) { return mean(x[0]); };
  t["mean0_keepdims"] = [](const V& x, const I&) { return mean(x[0], 0, true); };
  t["transpose"] = [](const V& x, const I&) { return transpose(x[0]); };
  t["reshape"] = [](const V& x, const I&) { return reshape(x[0], {2, 6}); };
  t["matmul"] = [](const V& x, const I&) { return matmul(x[0], x[1]); };
  t["linear"] = [](const V& x, const I&) { return linear(x[0], x[1], x[2]); };
  t["linear_nobias"] = [](const V& x, const I&) { return linear(x[0], x[1]); };
  t["mse_loss"] = [](const V& x, const I&) { return mse_loss(x[0], x[1]); };
  t["binary_cross_entropy"] = [](const V& x, const I&) { return binary_cross_entropy(x[0], x[1]); };
  t["binary_cross_entropy_with_logits"] = [](const V& x, const I&) {
    return binary_cross_entropy_with_logits(x[0], x[1]);
  };
  t["cross_entropy"] = [](const V& x, const I& i) { return cross_entropy(x[0], i); };
  t["nll_loss"] = [](const V& x, const I& i) { return nll_loss(x[0], i); };
  t["max1"] = [](const V& x, const I&) { return max(x[0], 1); };
  t["max0_keepdims"] = [](const V& x, const I&) { return max(x[0], 0, true); };
  t["maximum"] = [](const V& x, const I&) { return maximum(x[0], x[1]); };
  t["minimum"] = [](const V& x, const I&) { return minimum(x[0], x[1]); };
  t["maximum_broadcast"] = [](const V& x, const I&) { return maximum(x[0], x[1]); };
  t["concat1"] = [](const V& x, const I&) { return concat({x[0], x[1]}, 1); };
  t["concat0"] = [](const V& x, const I&) { return concat({x[0], x[1], x[2]}, 0); };
  t["index_select0"] = [](const V& x, const I& i) { return index_select(x[0], 0, i); };
  t["index_select1"] = [](const V& x, const I& i) { return index_select(x[0], 1, i); };
  t["slice1"] = [](const V& x, const I&) { return slice(x[0], 1, 1, 4); };
  t["mlp_cross_entropy"] = [](const V& x, const I& i) {
    return cross_entropy(linear(tanh(linear(x[0], x[1], x[2])), x[3], x[4]), i);
  };
  // Both sides of the size thresholds (make_golden.py: the cases after mlp_cross_entropy).
  for (int n : {1, 7, 37}) {
    const std::string s = "_" + std::to_string(n);
    t["exp" + s] = [](const V& x, const I&) { return exp(x[0]); };
    t["log" + s] = [](const V& x, const I&) { return log(x[0]); };
    t["sqrt" + s] = [](const V& x, const I&) { return sqrt(x[0]); };
    t["sigmoid" + s] = [](const V& x, const I&) { return sigmoid(x[0]); };
    t["tanh" + s] = [](const V& x, const I&) { return tanh(x[0]); };
  }
  for (int n : {64, 65, 131}) {
    const std::string s = "_" + std::to_string(n);
    t["pow1.5" + s] = [](const V& x, const I&) { return pow(x[0], T(1.5)); };
    t["pow-0.5" + s] = [](const V& x, const I&) { return pow(x[0], T(-0.5)); };
    t["pow3" + s] = [](const V& x, const I&) { return pow(x[0], T(3)); };
  }
  for (const char* mkn : {"8x8x8", "8x9x8", "16x16x16", "16x17x16", "15x19x17"}) {
    t[std::string("matmul_") + mkn] = [](const V& x, const I&) { return matmul(x[0], x[1]); };
    t[std::string("linear_") + mkn] = [](const V& x, const I&) { return linear(x[0], x[1], x[2]); };
  }
  t["add_broadcast_17x33"] = [](const V& x, const I&) { return x[0] + x[1]; };
  t["mul_broadcast_17x33"] = [](const V& x, const I&) { return x[0] * x[1]; };
  t["sum1_17x33"] = [](const V& x, const I&) { return sum(x[0], 1); };
  t["mean0_17x33"] = [](const V& x, const I&) { return mean(x[0], 0); };
  t["add_rank5"] = [](const V& x, const I&) { return x[0] + x[1]; };
  t["sum0_rank6"] = [](const V& x, const I&) { return sum(x[0], 0); };
  return t;
}

/// The case names of an ops archive: the keys' prefixes before their last '.'.
std::set<std::string> case_names(const std::map<std::string, io::NpyArray>& arrays) {
  std::set<std::string> names;
  for (const auto& kv : arrays) names.insert(kv.first.substr(0, kv.first.rfind('.')));
  return names;
}

template <class T>
void check_ops(const std::string& file, double fwd_atol, double fwd_rtol, double grad_atol,
               double grad_rtol) {
  const auto arrays = load(file);
  worst().clear();
  const auto table = op_table<T>();
  const auto names = case_names(arrays);
  // make_golden.py and op_table list the same cases.
  std::set<std::string> table_names;
  for (const auto& kv : table) table_names.insert(kv.first);
  CHECK(names == table_names);
  REQUIRE(names.size() >= 40);

  for (const auto& name : names) {
    INFO("case " << name << " (" << file << ")");
    const auto it = table.find(name);
    if (it == table.end()) continue;  // reported by the set comparison above
    auto get = [&](const std::string& key) -> const io::NpyArray* {
      const auto a = arrays.find(name + "." + key);
      return a == arrays.end() ? nullptr : &a->second;
    };
    std::vector<BasicTensor<T>> inputs;
    std::vector<bool> has_grad;
    for (std::size_t k = 0; get("x" + std::to_string(k)) != nullptr; ++k) {
      const bool rg = get("dx" + std::to_string(k)) != nullptr;
      inputs.emplace_back(io::to_xarray<T>(*get("x" + std::to_string(k))), rg);
      has_grad.push_back(rg);
    }
    REQUIRE(!inputs.empty());
    std::vector<std::size_t> idx;
    if (const auto* a = get("idx")) {
      for (const std::int64_t v : io::to_xarray<std::int64_t>(*a)) {
        REQUIRE(v >= 0);
        idx.push_back(static_cast<std::size_t>(v));
      }
    }
    REQUIRE(get("y") != nullptr);
    REQUIRE(get("g") != nullptr);

    const BasicTensor<T> y = it->second(inputs, idx);
    const std::string fwd = mismatch(y.value(), io::to_xarray<T>(*get("y")), fwd_atol, fwd_rtol,
                                     file + " forward", name);
    INFO("forward: " << fwd);
    CHECK(fwd.empty());

    y.backward(io::to_xarray<T>(*get("g")));
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (!has_grad[k]) continue;
      INFO("gradient of input " << k);
      REQUIRE(inputs[k].has_grad());
      const std::string bwd =
          mismatch(inputs[k].grad(), io::to_xarray<T>(*get("dx" + std::to_string(k))), grad_atol,
                   grad_rtol, file + " gradient", name);
      INFO("backward: " << bwd);
      CHECK(bwd.empty());
    }
  }
  report_worst();
}

template <class T>
std::unique_ptr<optim::BasicOptimizer<T>> make_optimizer(const xt::xarray<double>& hp,
                                                         std::vector<BasicTensor<T>> params) {
  // [kind, lr, momentum, dampening, nesterov, weight_decay, beta1, beta2, eps, amsgrad]
  REQUIRE(hp.size() == 10);
  const int kind = static_cast<int>(hp(0));
  const double lr = hp(1), weight_decay = hp(5);
  if (kind == 0) {
    return std::make_unique<optim::BasicSGD<T>>(std::move(params), optim::SGDOptions(lr)
                                                                       .momentum(hp(2))
                                                                       .dampening(hp(3))
                                                                       .nesterov(hp(4) != 0.0)
                                                                       .weight_decay(weight_decay));
  }
  if (kind == 1) {
    return std::make_unique<optim::BasicAdam<T>>(std::move(params), optim::AdamOptions(lr)
                                                                        .betas(hp(6), hp(7))
                                                                        .eps(hp(8))
                                                                        .weight_decay(weight_decay)
                                                                        .amsgrad(hp(9) != 0.0));
  }
  REQUIRE(kind == 2);
  return std::make_unique<optim::BasicAdamW<T>>(std::move(params), optim::AdamWOptions(lr)
                                                                       .betas(hp(6), hp(7))
                                                                       .eps(hp(8))
                                                                       .weight_decay(weight_decay)
                                                                       .amsgrad(hp(9) != 0.0));
}

template <class T>
void check_optimizers(const std::string& file, double sgd_atol, double adam_atol) {
  const auto arrays = load(file);
  worst().clear();
  auto get = [&](const std::string& key) {
    const auto a = arrays.find(key);
    INFO("key " << key);
    REQUIRE(a != arrays.end());
    return a->second;
  };
  const auto X = io::to_xarray<T>(get("problem.X"));
  const auto Y = io::to_xarray<T>(get("problem.Y"));
  const BasicTensor<T> x(X), target(Y);

  std::set<std::string> configs;
  for (const auto& kv : arrays) {
    if (kv.first.rfind("problem.", 0) != 0) configs.insert(kv.first.substr(0, kv.first.rfind('.')));
  }
  REQUIRE(configs.size() >= 12);

  for (const auto& name : configs) {
    INFO("optimizer configuration " << name << " (" << file << ")");
    const auto hp = io::to_xarray<double>(get(name + ".hp"));
    const auto W_traj = io::to_xarray<T>(get(name + ".W"));
    const auto b_traj = io::to_xarray<T>(get(name + ".b"));
    REQUIRE(W_traj.dimension() == 3);
    REQUIRE(b_traj.dimension() == 2);
    const double atol = hp(0) == 0.0 ? sgd_atol : adam_atol;

    BasicTensor<T> W(io::to_xarray<T>(get("problem.W0")), true);
    BasicTensor<T> b(io::to_xarray<T>(get("problem.b0")), true);
    auto opt = make_optimizer<T>(hp, {W, b});
    for (std::size_t step = 0; step < W_traj.shape()[0]; ++step) {
      INFO("after step " << step + 1);
      opt->zero_grad();
      mse_loss(linear(x, W, b), target).backward();
      opt->step();
      const xt::xarray<T> W_expected = xt::view(W_traj, step, xt::all(), xt::all());
      const xt::xarray<T> b_expected = xt::view(b_traj, step, xt::all());
      const std::string dw = mismatch(W.value(), W_expected, atol, 0.0,
                                      file + (hp(0) == 0.0 ? " SGD" : " Adam"), name);
      const std::string db = mismatch(b.value(), b_expected, atol, 0.0,
                                      file + (hp(0) == 0.0 ? " SGD" : " Adam"), name);
      INFO("weight: " << dw);
      INFO("bias: " << db);
      CHECK(dw.empty());
      CHECK(db.empty());
    }
  }
  report_worst();
}

}  // namespace

TEST_CASE("golden: cases on both sides of every size threshold of the ops that switch on size",
          "[golden][thresholds]") {
  // The op of a case: its name, or the part before '_' when a size follows ("exp_37",
  // "matmul_8x9x8"); "pow3" and "pow-0.5" are pow. Only the rows that switch how a value is
  // computed (elements, multiply-adds); the registry and test_size_paths.cpp check the others.
  const auto arrays = load("ops_f64.npz");
  const auto op_of = [](const std::string& name) {
    const auto u = name.find('_');
    std::string op = u != std::string::npos && u + 1 < name.size() &&
                             std::isdigit(static_cast<unsigned char>(name[u + 1]))
                         ? name.substr(0, u)
                         : name;
    if (op.rfind("pow", 0) == 0) op = "pow";
    return op;
  };
  std::size_t checked = 0;
  for (const auto& t : xgrad::detail::size_thresholds()) {
    using xgrad::detail::SizeMeasure;
    if (t.measure != SizeMeasure::elements && t.measure != SizeMeasure::multiply_adds) continue;
    for (std::string_view op : t.ops) {
      std::vector<std::vector<Shape>> samples;
      for (const auto& name : case_names(arrays)) {
        if (op_of(name) != op) continue;
        std::vector<Shape> shapes;
        for (int k = 0; k < 2; ++k) {
          const auto a = arrays.find(name + ".x" + std::to_string(k));
          if (a != arrays.end())
            shapes.emplace_back(a->second.shape.begin(), a->second.shape.end());
        }
        samples.push_back(shapes);
      }
      const std::string missing = xgrad::test::missing_sides(op, t, samples);
      INFO("threshold " << t.name << " " << t.dtype << ", op " << op << ", " << samples.size()
                        << " golden cases, missing:" << missing);
      CHECK(missing.empty());
      ++checked;
    }
  }
  CHECK(checked >= 14);  // 2 GEMM rows x 2 ops, pow, 2 SIMD rows x 5 ops
}

TEST_CASE("golden: float32 ops and gradients match PyTorch", "[golden]") {
  check_ops<float>("ops_f32.npz", 1e-6, 1e-3, 1e-4, 1e-3);
}

TEST_CASE("golden: float64 ops and gradients match PyTorch", "[golden]") {
  check_ops<double>("ops_f64.npz", 1e-10, 1e-10, 1e-10, 1e-10);
}

TEST_CASE("golden: float32 SGD and Adam trajectories match torch.optim", "[golden][optim]") {
  check_optimizers<float>("optim_f32.npz", 1e-6, 2e-4);
}

TEST_CASE("golden: float64 SGD and Adam trajectories match torch.optim", "[golden][optim]") {
  check_optimizers<double>("optim_f64.npz", 1e-10, 1e-10);
}
