// SPDX-License-Identifier: MIT
// Adam and AdamW: steps on a quadratic against the update worked out by hand.
#include <cmath>

#include <xgrad/nn/linear.hpp>
#include <xgrad/optim/adam.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

namespace {

/// The Adam update for one scalar, written out from the paper / torch.optim.Adam.
struct ScalarAdam {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad = false;
  bool decoupled = false;  // AdamW
  double m = 0, v = 0, vmax = 0;
  int t = 0;

  double step(double p, double g) {
    ++t;
    if (decoupled) {
      p *= 1 - lr * weight_decay;
    } else {
      g += weight_decay * p;
    }
    m = beta1 * m + (1 - beta1) * g;
    v = beta2 * v + (1 - beta2) * g * g;
    vmax = std::max(vmax, v);
    const double m_hat = m / (1 - std::pow(beta1, t));
    const double v_hat = (amsgrad ? vmax : v) / (1 - std::pow(beta2, t));
    // torch divides sqrt(v) by sqrt(1 - beta2^t) before adding eps; the same here.
    return p - lr * m_hat / (std::sqrt(v_hat) + eps);
  }
};

/// loss = 0.5 * sum(p^2), so the gradient at each step is p itself.
void quadratic_step(optim::Optimizer64& opt, Tensor64& p) {
  opt.zero_grad();
  (0.5 * sum(p * p)).backward();
  opt.step();
}

/// Runs 3 steps of `opt` and of the scalar reference from p0 = [1, -2, 0.5].
void compare_three_steps(optim::Optimizer64& opt, Tensor64& p, ScalarAdam ref) {
  std::vector<ScalarAdam> refs(3, ref);
  std::vector<double> expected{1.0, -2.0, 0.5};
  for (int s = 0; s < 3; ++s) {
    for (std::size_t k = 0; k < 3; ++k) expected[k] = refs[k].step(expected[k], expected[k]);
    quadratic_step(opt, p);
    for (std::size_t k = 0; k < 3; ++k) {
      INFO("step " << s + 1 << " element " << k);
      CHECK(p.value()(k) == Approx(expected[k]).epsilon(1e-12));
    }
  }
}

}  // namespace

TEST_CASE("Adam: the first step moves each element by lr against its gradient's sign",
          "[optim][adam]") {
  // Step 1: m = (1 - b1) g, v = (1 - b2) g^2, so m_hat = g, v_hat = g^2 and
  // p = p - lr * g / (|g| + eps) = p - lr * sign(g) (up to eps).
  Tensor64 p(make({1, -2, 0.5}, {3}), true);
  optim::Adam64 opt({p}, optim::AdamOptions(0.1));
  quadratic_step(opt, p);
  CHECK(test::all_close(p.value(), make({0.9, -1.9, 0.4}, {3}), 1e-8));
  // Step 2, element 0 (g = 0.9): m = 0.9 * 0.1 + 0.1 * 0.9 = 0.18, v = 0.999 * 0.001 +
  // 0.001 * 0.81 = 0.001809; m_hat = 0.18 / 0.19, v_hat = 0.001809 / 0.001999;
  // p = 0.9 - 0.1 * 0.947368 / 0.951290 = 0.800412.
  quadratic_step(opt, p);
  const double m_hat = 0.18 / 0.19, v_hat = 0.001809 / (1 - 0.999 * 0.999);
  CHECK(p.value()(0) == Approx(0.9 - 0.1 * m_hat / std::sqrt(v_hat)).epsilon(1e-7));
  CHECK(p.value()(0) == Approx(0.800412).epsilon(1e-6));
}

TEST_CASE("Adam: three steps match the written-out update", "[optim][adam]") {
  Tensor64 p(make({1, -2, 0.5}, {3}), true);
  optim::Adam64 opt({p}, optim::AdamOptions(0.1));
  CHECK(opt.beta1() == 0.9);
  CHECK(opt.beta2() == 0.999);
  CHECK(opt.eps() == 1e-8);
  CHECK(opt.weight_decay() == 0.0);
  compare_three_steps(opt, p, {0.1, 0.9, 0.999, 1e-8, 0.0});

  // Other betas and eps.
  Tensor64 q(make({1, -2, 0.5}, {3}), true);
  optim::Adam64 opt2({q}, optim::AdamOptions(0.05).betas(0.5, 0.75).eps(1e-3));
  compare_three_steps(opt2, q, {0.05, 0.5, 0.75, 1e-3, 0.0});
}

TEST_CASE("Adam: weight decay adds lambda p to the gradient", "[optim][adam]") {
  Tensor64 p(make({1, -2, 0.5}, {3}), true);
  optim::Adam64 opt({p}, optim::AdamOptions(0.1).weight_decay(0.5));
  compare_three_steps(opt, p, {0.1, 0.9, 0.999, 1e-8, 0.5});
  CHECK_FALSE(opt.decoupled_weight_decay());
}

TEST_CASE("AdamW: decays the parameter by (1 - lr lambda) before the Adam step",
          "[optim][adam][adamw]") {
  Tensor64 p(make({1, -2, 0.5}, {3}), true);
  optim::AdamW64 opt({p}, optim::AdamWOptions(0.1).weight_decay(0.1));
  CHECK(opt.decoupled_weight_decay());
  // Step 1: p = 1 * (1 - 0.1 * 0.1) - 0.1 * sign(g) = 0.99 - 0.1 = 0.89; -1.98 + 0.1 = -1.88.
  quadratic_step(opt, p);
  CHECK(test::all_close(p.value(), make({0.89, -1.88, 0.395}, {3}), 1e-8));

  Tensor64 q(make({1, -2, 0.5}, {3}), true);
  optim::AdamW64 opt2({q}, optim::AdamWOptions(0.1).weight_decay(0.1));
  ScalarAdam ref{0.1, 0.9, 0.999, 1e-8, 0.1};
  ref.decoupled = true;
  compare_three_steps(opt2, q, ref);

  // PyTorch's defaults: AdamW decays by 1e-2 unless told otherwise; Adam does not decay.
  CHECK(optim::AdamW64({q}).weight_decay() == 0.01);
  CHECK(optim::AdamW64({q}).lr() == 1e-3);
  CHECK(optim::Adam64({q}).weight_decay() == 0.0);
  CHECK(optim::AdamW64({q}).name() == "AdamW");
}

TEST_CASE("Adam: amsgrad divides by the largest second moment so far", "[optim][adam]") {
  // Gradients 4, 1, 0.25 (from loss = sum(c * p)) with beta2 = 0.5: v = 8, then 4.5, so the
  // maximum 8 is used at step 2.
  // step 1: m = 0.4,  v = 8,   denom = sqrt(8) / sqrt(0.5) = 4,          p -= 1 * 0.4 / 4 = 0.1
  // step 2: m = 0.46, v = 4.5, vmax = 8, denom = sqrt(8) / sqrt(0.75) = 3.265986,
  //         p -= (0.1 / 0.19) * 0.46 / 3.265986 = 0.074130   (without amsgrad: 0.098840)
  const std::vector<double> grads{4.0, 1.0, 0.25};
  for (bool amsgrad : {true, false}) {
    Tensor64 p(make({0.0}, {1}), true);
    optim::Adam64 opt({p}, optim::AdamOptions(0.1).betas(0.9, 0.5).amsgrad(amsgrad));
    CHECK(opt.amsgrad() == amsgrad);
    ScalarAdam ref{0.1, 0.9, 0.5, 1e-8, 0.0};
    ref.amsgrad = amsgrad;
    double expected = 0.0;
    for (std::size_t s = 0; s < grads.size(); ++s) {
      opt.zero_grad();
      sum(p * Tensor64(make({grads[s]}, {1}))).backward();
      opt.step();
      expected = ref.step(expected, grads[s]);
      CHECK(p.value()(0) == Approx(expected).epsilon(1e-12));
      if (s == 0) CHECK(p.value()(0) == Approx(-0.1).epsilon(1e-7));
      if (s == 1) CHECK(p.value()(0) == Approx(amsgrad ? -0.174130 : -0.198840).epsilon(1e-5));
    }
  }
}

TEST_CASE("Adam: parameters without a gradient are skipped and keep their step count",
          "[optim][adam]") {
  Tensor64 a(make({1.0}, {1}), true), b(make({1.0}, {1}), true);
  optim::Adam64 opt({a, b}, optim::AdamOptions(0.1));
  quadratic_step(opt, a);  // only a has a gradient
  CHECK(a.value()(0) == Approx(0.9).epsilon(1e-7));
  CHECK(b.value()(0) == 1.0);
  // b's first step with a gradient is its step 1 (bias correction from t = 1).
  quadratic_step(opt, b);
  CHECK(b.value()(0) == Approx(0.9).epsilon(1e-7));
  CHECK(a.value()(0) == Approx(0.9).epsilon(1e-7));
}

TEST_CASE("Adam: invalid hyperparameters throw std::invalid_argument", "[optim][adam]") {
  Tensor64 p(make({1.0}, {1}), true);
  using optim::AdamOptions;
  CHECK_THROWS_WITH(optim::Adam64({p}, AdamOptions(-1)),
                    Catch::Contains("Adam") && Catch::Contains("learning rate"));
  CHECK_THROWS_WITH(optim::Adam64({p}, AdamOptions().betas(1.0, 0.999)), Catch::Contains("beta1"));
  CHECK_THROWS_WITH(optim::Adam64({p}, AdamOptions().betas(0.9, -0.1)), Catch::Contains("beta2"));
  CHECK_THROWS_WITH(optim::Adam64({p}, AdamOptions().eps(-1)), Catch::Contains("eps"));
  CHECK_THROWS_WITH(optim::AdamW64({p}, optim::AdamWOptions().weight_decay(-1)),
                    Catch::Contains("AdamW") && Catch::Contains("weight_decay"));
  CHECK_THROWS_WITH(optim::Adam64({}, AdamOptions()), Catch::Contains("empty parameter list"));
}

TEST_CASE("Adam and AdamW fit a linear regression", "[optim][adam][convergence]") {
  Generator gen(2);
  const Tensor x = rand<float>({16, 2}, gen);
  xt::xarray<float> target = xt::xarray<float>::from_shape({16, 1});
  for (std::size_t i = 0; i < 16; ++i) target(i, 0) = 3 * x.value()(i, 0) - 2 * x.value()(i, 1) + 1;
  const Tensor y(target);
  auto fit = [&](optim::Optimizer& opt, nn::Linear& fc) {
    float loss = 0;
    for (int i = 0; i < 600; ++i) {
      opt.zero_grad();
      Tensor l = mse_loss(fc.forward(x), y);
      l.backward();
      opt.step();
      loss = l.item();
    }
    return loss;
  };
  nn::Linear fc1(2, 1, gen);
  optim::Adam adam(fc1.parameters(), optim::AdamOptions(0.05));
  CHECK(fit(adam, fc1) < 1e-5f);
  CHECK(fc1.weight().value()(0, 0) == Approx(3.0).margin(2e-2));

  nn::Linear fc2(2, 1, gen);
  optim::AdamW adamw(fc2.parameters(), optim::AdamWOptions(0.05).weight_decay(1e-4));
  CHECK(fit(adamw, fc2) < 1e-4f);
}
