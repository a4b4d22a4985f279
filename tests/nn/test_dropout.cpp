// SPDX-License-Identifier: MIT
// Dropout: identity in eval mode; in training mode a seeded inverted-dropout mask.
#include <cmath>
#include <limits>

#include <xgrad/nn/dropout.hpp>
#include <xgrad/nn/linear.hpp>
#include <xgrad/nn/sequential.hpp>

#include "support/helpers.hpp"

using namespace xgrad;
using test::make;

TEST_CASE("Dropout: eval mode and p = 0 return the input", "[nn][dropout]") {
  nn::Dropout64 drop(0.5, 1);
  CHECK(drop.parameters().empty());
  const Tensor64 x(make({1, 2, 3, 4}, {2, 2}), true);
  drop.eval();
  CHECK(drop.forward(x).node() == x.node());
  nn::Dropout64 none(0.0, 1);
  CHECK(none.forward(x).node() == x.node());
}

TEST_CASE("Dropout: training zeros about p of the elements and scales the rest by 1/(1-p)",
          "[nn][dropout]") {
  const double p = 0.3;
  nn::Dropout64 drop(p, 42);
  CHECK(drop.is_training());
  const std::size_t n = 20000;
  const Tensor64 x = full<double>({n}, 2.0);
  const auto y = drop.forward(x).value();
  std::size_t zeros = 0;
  for (double v : y) {
    if (v == 0.0) {
      ++zeros;
    } else {
      CHECK(v == Approx(2.0 / (1.0 - p)).epsilon(1e-15));
    }
  }
  // Binomial(20000, 0.3): standard deviation about 65 elements, so 0.3 +- 0.015 is > 4 sigma.
  CHECK(std::abs(static_cast<double>(zeros) / n - p) < 0.015);
  // Inverted dropout keeps the mean.
  double mean = 0;
  for (double v : y) mean += v / n;
  CHECK(mean == Approx(2.0).epsilon(0.05));
}

TEST_CASE("Dropout: masks are reproducible with the same seed and fresh on each call",
          "[nn][dropout]") {
  const Tensor64 x = ones<double>({64});
  nn::Dropout64 a(0.5, 7), b(0.5, 7), c(0.5, 8);
  const auto ya = a.forward(x).value();
  CHECK((ya == b.forward(x).value()));
  CHECK((ya != c.forward(x).value()));
  CHECK((ya != a.forward(x).value()));  // the next call draws a new mask
  // Reseeding the module's generator replays the masks.
  a.generator().seed(7);
  CHECK((a.forward(x).value() == ya));
  // Keep rule: element k is kept when its uniform draw u_k >= p.
  Generator replay(7);
  for (std::size_t k = 0; k < 64; ++k) CHECK((ya(k) != 0.0) == (replay.uniform() >= 0.5));

  // Dropouts built from one Generator draw their seeds from it: different, reproducible masks.
  Generator g1(3), g2(3);
  nn::Dropout64 d1(0.5, g1), d2(0.5, g1), e1(0.5, g2);
  const auto m1 = d1.forward(x).value();
  CHECK((m1 != d2.forward(x).value()));
  CHECK((m1 == e1.forward(x).value()));
}

TEST_CASE("Dropout: the gradient is the mask", "[nn][dropout][gradcheck]") {
  Generator gen(1);
  Tensor64 x(test::uniform_array({3, 5}, gen, -1, 1), true);
  nn::Dropout64 drop(0.4, 5);
  const Tensor64 y = drop.forward(x);
  sum(y).backward();
  // d sum(x * m) / dx = m, and m = y / x elementwise.
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double m = y.value().data()[k] / x.value().data()[k];
    CHECK(x.grad().data()[k] == Approx(m).margin(1e-15));
    CHECK((m == 0.0 || m == Approx(1.0 / 0.6)));
  }
  // Finite differences, with the same mask on every evaluation (a fresh module, same seed).
  const auto r = gradcheck(
      [](const std::vector<Tensor64>& in) {
        nn::Dropout64 d(0.4, 5);
        return d.forward(in[0]);
      },
      {x});
  INFO(r.report);
  CHECK(r.ok);
}

TEST_CASE("Dropout: inside a Sequential it follows train() and eval()", "[nn][dropout]") {
  Generator gen(2);
  nn::Sequential64 seq{std::make_shared<nn::Linear64>(4, 8, gen),
                       std::make_shared<nn::Dropout64>(0.5, gen)};
  const Tensor64 x = ones<double>({3, 4});
  seq.eval();
  const auto a = seq.forward(x).value();
  CHECK((a == seq.forward(x).value()));
  seq.train();
  const auto b = seq.forward(x).value();
  CHECK((b != a));
}

TEST_CASE("Dropout: p below 0, at 1 or above, or nan throws std::invalid_argument",
          "[nn][dropout]") {
  CHECK_THROWS_WITH(nn::Dropout64(1.0, 1), Catch::Contains("Dropout") && Catch::Contains("[0, 1)"));
  CHECK_THROWS_AS(nn::Dropout64(-0.1, 1), std::invalid_argument);
  CHECK_THROWS_AS(nn::Dropout(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  CHECK(nn::Dropout(0.25).p() == 0.25);
}
